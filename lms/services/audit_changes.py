"""What an audit event changed, as a reader says it: "field: old → new" in the reader's
language, codes as their words, people and records by name (never the stored JSON).

`Names` loads, for a batch of events, everything their before / after refer to by id or by
code (people, assessments, agents, capstone problems): at most four statements a batch.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy.orm import Session, selectinload

from lms import labels
from lms.export_files import number
from lms.i18n import join_names, request_language
from lms.models import Agent, Assessment, AuditEvent, CapstoneGroup, Competency, User
from lms.templating import localized

FIELDS = {
    "active": _l("Account in use"),
    "agent": _l("Agent"),
    "agent_id": _l("Agent"),
    "agent_share": _l("Agent share (%)"),
    "archived": _l("Archived"),
    "assessment": _l("Assessment"),
    "assigned": _l("Assigned"),
    "attempt": _l("Attempt"),
    "band_cny": _l("Award (CNY)"),
    "buffer_end": _l("Buffer period ends"),
    "capacity": _l("Capacity"),
    "category": _l("Category"),
    "closed_at": _l("Closed at"),
    "coach_id": _l("Buffer coach"),
    "code": _l("Code"),
    "cohort": _l("Cohort"),
    "created": _l("Added"),
    "cutoff": _l("Cut-off"),
    "day": _l("Day"),
    "days": _l("Days"),
    "duplicate_of": _l("Duplicate of"),
    "efficiency_min": _l("Efficiency gain needed (%)"),
    "efficiency_pct": _l("Efficiency gain (%)"),
    "email": _l("Email"),
    "error_min": _l("Error-rate drop needed (%)"),
    "error_pct": _l("Error-rate drop (%)"),
    "expires_at": _l("Expires at"),
    "grade_id": _l("Grade"),
    "invitation_id": _l("Invitation"),
    "item": _l("Item"),
    "kind": _l("Kind"),
    "locale": _l("Language"),
    "members": _l("Members"),
    "mentor_id": _l("Mentor"),
    "mentor_kind": _l("Mentor kind"),
    "mode": _l("Who does the work"),
    "name": _l("Name"),
    "new_secret": _l("New secret"),
    "on": _l("Date"),
    "outcome": _l("Buffer outcome"),
    "owner_team": _l("Owner team"),
    "passed": _l("Passed"),
    "payout": _l("Payout"),
    "platform": _l("Platform"),
    "points": _l("Promotion points"),
    "prefix": _l("Token prefix"),
    "problem": _l("Problem"),
    "qualifies": _l("Qualifies for an award"),
    "reason": _l("Reason"),
    "reason_code": _l("Reason"),
    "recurrence_of": _l("Recurrence of"),
    "reporter_id": _l("Reporter"),
    "reviewer": _l("Triages agent defects"),
    "role": _l("Role"),
    "scope": _l("Access"),
    "score": _l("Score (%)"),
    "severity": _l("Severity"),
    "source_role": _l("Source role"),
    "start_date": _l("Start"),
    "state": _l("State"),
    "target_role": _l("Target role"),
    "team": _l("Team"),
    "token_id": _l("API token"),
    "trainee_id": _l("Trainee"),
    "type": _l("Defect type"),
    "unassigned": _l("Unassigned"),
    "unchanged": _l("Unchanged"),
    "updated": _l("Updated"),
    "url": _l("Address"),
    "version": _l("Version"),
    "via": _l("Through"),
    "week": _l("Week"),
    "wellbeing": _l("Wellbeing (1–5)"),
    "withdrawn_reason": _l("Why withdrawn"),
    "withdrawn_on": _l("Withdrawn on"),
}
VIA = {"api": _l("the API"), "file": _l("a file"), "upload": _l("a file")}
USER_KEYS = {"trainee_id", "mentor_id", "coach_id", "reporter_id", "members"}
NUMBERED = {"duplicate_of", "recurrence_of", "grade_id", "token_id", "invitation_id"}  # records by number
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_COMPETENCIES = {c.value for c in Competency}


@dataclass
class Names:
    users: dict[int, str] = field(default_factory=dict)
    assessments: dict[str, str] = field(default_factory=dict)  # code → title
    agents: dict[Any, str] = field(default_factory=dict)  # id and code → name
    problems: dict[int, str] = field(default_factory=dict)  # capstone group id → its problem's title


def _values(events: list[AuditEvent]):
    for e in events:
        for side in (e.before or {}, e.after or {}):
            yield from side.items()


def names(session: Session, events: list[AuditEvent]) -> Names:
    user_ids, assessment_codes, agent_ids, agent_codes = set(), set(), set(), set()
    for key, value in _values(events):
        if key in USER_KEYS:
            user_ids.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
        elif key == "assessment" and isinstance(value, str):
            assessment_codes.add(value)
        elif key == "agent_id" and isinstance(value, int):
            agent_ids.add(value)
        elif key == "agent" and isinstance(value, str):
            agent_codes.add(value)
    out = Names()
    if user_ids:
        out.users = dict(session.execute(sa.select(User.id, User.name).where(User.id.in_(user_ids))).all())
    if assessment_codes:
        out.assessments = {code: localized(title) for code, title in session.execute(
            sa.select(Assessment.code, Assessment.title).where(Assessment.code.in_(assessment_codes)))}
    if agent_ids or agent_codes:
        for agent_id, code, name in session.execute(sa.select(Agent.id, Agent.code, Agent.name).where(
                sa.or_(Agent.id.in_(agent_ids), Agent.code.in_(agent_codes)))):
            out.agents[agent_id] = out.agents[code] = name
    group_ids = {e.subject_id for e in events if e.subject_type == "capstone_group"
                 and "problem" in (e.after or {}) | (e.before or {})}
    if group_ids:
        for g in session.scalars(sa.select(CapstoneGroup).where(CapstoneGroup.id.in_(group_ids))
                                 .options(selectinload(CapstoneGroup.assessment))):
            problem = next((p for p in (g.assessment.group_work or {}).get("problems", [])
                            if p.get("code") == g.problem), None)
            if problem is not None:
                out.problems[g.id] = localized(problem.get("title"))
    return out


# Records that are people: their "name" is a person's (姓名); any other record's is a title (名称).
PERSON_SUBJECTS = {"user"}


def field_label(key: str, event: Optional[AuditEvent] = None) -> str:
    if key in _COMPETENCIES:
        return labels.competency(key)
    if key == "name" and (event is None or event.subject_type not in PERSON_SUBJECTS):
        # Translators: the name of a thing (a cohort, an agent, a group): 名称, not a person's 姓名
        return pgettext("record", "Name")
    text = FIELDS.get(key)
    return str(text) if text is not None else key.replace("_", " ").capitalize()


def value_text(event: AuditEvent, key: str, value: Any, found: Names, scale: list, zone: str) -> str:
    """One stored value as a reader says it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(labels.YES_NO["yes" if value else "no"])
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k, event)} {value_text(event, k, v, found, scale, zone)}"
                         for k, v in value.items())
    if key in USER_KEYS:
        people = value if isinstance(value, list) else [value]
        return join_names(found.users.get(p, f"#{p}") for p in people)
    if isinstance(value, list):
        return join_names(value_text(event, key, v, found, scale, zone) for v in value)
    if key in NUMBERED:
        return f"#{value}"
    action = event.action
    word = _code_word(action, key, value, found, scale, event)
    if word is not None:
        return word
    if isinstance(value, float | Decimal):
        shown = number(value)
        return "—" if shown is None else format(shown, "f") if isinstance(shown, Decimal) else str(shown)
    if isinstance(value, str) and _ISO_TIME.match(value):  # a stored (UTC) time, shown in the program's zone
        moment = datetime.fromisoformat(value).replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _code_word(action: str, key: str, value: Any, found: Names, scale: list, event: AuditEvent) -> Optional[str]:
    """A code's word, when `key` holds a code; None for a value that is no code."""
    if key == "state":
        table = labels.DEFECT_STATES if action.startswith("defect.") else labels.CONTRIBUTION_STATES
        return str(table.get(value, "—"))
    if key == "type":
        return labels.defect_type(value)
    if key == "severity":
        return labels.severity(scale, value)
    if key == "role":
        return labels.role(value) if action.startswith("person.") else labels.target_role(None, value)
    if key == "target_role":
        return labels.target_role(None, value)
    if key == "source_role":
        return labels.source_role(value)
    if key == "kind":
        if action == "outcome.training":
            return labels.training_outcome(value)
        return labels.mentor_kind(value) or "—"
    if key == "mentor_kind":
        return labels.mentor_kind(value) or "—"
    if key == "outcome":
        return labels.buffer_outcome(value)
    if key == "reason_code":
        return labels.reason_code(value)
    if key == "category":
        return labels.contribution_category(value)
    if key == "payout":
        return labels.payout(value)
    if key == "mode":
        return labels.owner_mode(value)
    if key == "scope":
        return labels.token_scope(value)
    if key == "locale":
        return labels.LOCALE_NAMES.get(value, "—")
    if key == "via":
        return str(VIA.get(value, "—"))
    if key == "assessment":
        return found.assessments.get(value, "—")
    if key in ("agent", "agent_id"):
        return found.agents.get(value, "—")
    if key == "problem":
        return found.problems.get(event.subject_id, "—")
    return None


_MISSING = object()


def changes(event: AuditEvent, found: Names, scale: list, zone: str) -> str:
    """"field: old → new" for what changed, "field: value" for what was recorded as it was, in the
    reader's punctuation ("字段：旧 → 新；…")."""
    before, after = event.before or {}, event.after or {}
    pair = str(_l("%(field)s: %(value)s"))
    parts = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        label = field_label(key, event)
        if old is _MISSING or new is _MISSING or old == new:
            shown = new if new is not _MISSING else old
            text = value_text(event, key, shown, found, scale, zone)
        else:
            text = (f"{value_text(event, key, old, found, scale, zone)} → "
                    f"{value_text(event, key, new, found, scale, zone)}")
        parts.append(pair % {"field": label, "value": text})
    return ("；" if request_language() == "zh_CN" else "; ").join(parts)

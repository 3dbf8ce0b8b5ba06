"""Agent defects: logging (masked before the row is written), the redacted similar-defect
search, co-reporting, triage transitions (audited, reporters notified) and recurrence."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.models import (
    AgentDefect,
    DefectEvent,
    DefectFile,
    DefectReport,
    DefectState,
    DefectType,
    NotificationKind,
    Placement,
    ResponsibilityItem,
)
from lms.models.base import utcnow
from lms.services import Conflict, DomainError
from lms.services.audit import record
from lms.services.catalog_severity import level
from lms.services.claims import claim
from lms.services.defect_rules import OPEN_STATES, DefectSettings, allowed, is_recurrence, local_day
from lms.services.masking import mask
from lms.services.notifications import notify

TEXT_FIELDS = ("excerpt", "agent_said", "should_say")
# Every free-text field is masked before the row is written: intent is shown to colleagues
# and in the similar-defects list, SKU / campaign, knowledge-base entry and platform are typed
# by hand and may carry a customer's phone number or name just as the excerpt does.
SHORT_TEXT_FIELDS = ("intent", "platform", "sku", "kb_entry")


def _masked(value) -> str:
    return mask((value or "").strip())


def intent_key(intent: str) -> str:
    return re.sub(r"\s+", " ", (intent or "").strip()).lower()[:120]


@dataclass(frozen=True)
class SimilarDefect:
    """What another reporter's defect shows before it is joined: no excerpt, no names."""

    id: int
    type: DefectType
    intent: str
    severity: str
    state: DefectState
    created_at: datetime
    reporters: int


def similar(session: Session, agent_id: int, type_: str, intent: str, now: datetime,
            settings: DefectSettings) -> list[SimilarDefect]:
    """Open defects of the same agent, type and intent reported in the last `similar_days` days, redacted."""
    count = (sa.select(sa.func.count(DefectReport.id)).where(DefectReport.defect_id == AgentDefect.id)
             .scalar_subquery())
    rows = session.execute(
        sa.select(AgentDefect.id, AgentDefect.type, AgentDefect.intent, AgentDefect.severity, AgentDefect.state,
                  AgentDefect.created_at, count)
        .where(AgentDefect.agent_id == agent_id, AgentDefect.type == DefectType(type_),
               AgentDefect.intent_key == intent_key(mask(intent)), AgentDefect.state.in_(OPEN_STATES),
               AgentDefect.created_at >= now - timedelta(days=settings.similar_days))
        .order_by(AgentDefect.created_at.desc()))
    return [SimilarDefect(r[0], r[1], r[2], r[3], r[4], r[5], 1 + r[6]) for r in rows]


def _recurrence_of(session: Session, agent_id: int, type_: DefectType, key: str, now: datetime,
                   settings: DefectSettings) -> Optional[int]:
    """The latest verified fix of the same agent, intent and type this report recurs after, if any."""
    row = session.execute(
        sa.select(AgentDefect.id, AgentDefect.verified_at)
        .where(AgentDefect.agent_id == agent_id, AgentDefect.type == type_, AgentDefect.intent_key == key,
               AgentDefect.state == DefectState.VERIFIED,
               AgentDefect.verified_at >= now - timedelta(days=settings.recurrence_days + 2))
        .order_by(AgentDefect.verified_at.desc()).limit(1)).first()
    if row is not None and is_recurrence(row.verified_at, now, settings):
        return row.id
    return None


def log_defect(session: Session, actor, placement: Placement, values: dict[str, Any], scale: list[dict],
               settings: DefectSettings, now: Optional[datetime] = None, files=(), reporter=None) -> AgentDefect:
    """Store a defect of the placement's agent. Excerpt and texts are masked here, before the
    row exists; the severity must be a level of the program's scale. Audited. `reporter`: the
    placed person it is logged for when `actor` acts for them (the API); default the actor."""
    now = now or utcnow()
    reporter = reporter or actor
    severity = level(scale, values.get("severity"))
    if severity is None:
        raise DomainError(str(_l("Choose a severity from the program's scale.")), field="severity")
    seen_at = values.get("seen_at")
    if seen_at is not None and seen_at > now:
        raise DomainError(str(_l("The time seen cannot be in the future.")), field="seen_at")
    if seen_at is not None and local_day(seen_at, settings.hours.timezone) < placement.start_date:
        raise DomainError(str(_l("The time seen cannot be before your placement started (%(day)s).",
                                 day=placement.start_date.isoformat())), field="seen_at")
    type_ = DefectType(values["type"])
    short = {name: _masked(values.get(name)) for name in SHORT_TEXT_FIELDS}
    key = intent_key(short["intent"])
    item_id = values.get("item_id")
    if item_id and session.scalar(sa.select(ResponsibilityItem.agent_id).where(
            ResponsibilityItem.id == item_id)) != placement.agent_id:
        raise DomainError(str(_l("Choose an item of your agent's list.")), field="item_id")
    defect = AgentDefect(
        agent_id=placement.agent_id, reporter_id=reporter.id, placement_id=placement.id,
        cohort_id=placement.enrollment.cohort_id, type=type_, intent=short["intent"], intent_key=key,
        platform=short["platform"] or placement.agent.platform,
        sku=short["sku"] or None, kb_entry=short["kb_entry"] or None,
        item_id=item_id or None, reach=values.get("reach"), severity=severity["code"],
        complex=bool(severity.get("complex")),
        seen_at=seen_at or now, state=DefectState.NEW, created_at=now,
        recurrence_of_id=_recurrence_of(session, placement.agent_id, type_, key, now, settings),
        **{name: mask(values.get(name)) for name in TEXT_FIELDS},
    )
    session.add(defect)
    session.flush()
    for stored in files:
        session.add(DefectFile(defect_id=defect.id, uploader_id=reporter.id, original_name=stored.original_name,
                               stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size))
    record(session, actor, "defect.log", "defect", defect.id,
           after={"type": type_.value, "severity": defect.severity, "agent_id": defect.agent_id,
                  "recurrence_of": defect.recurrence_of_id,
                  **({"reporter_id": reporter.id} if reporter.id != actor.id else {})})
    session.flush()
    return defect


def co_report(session: Session, actor, defect: AgentDefect, excerpt: str) -> DefectReport:
    """Add the actor to an open defect as a co-reporter with their own (masked) excerpt."""
    if defect.state not in OPEN_STATES:
        raise Conflict(str(_l("This defect is closed; log a new one instead.")))
    if actor.id in defect.reporter_ids:
        raise Conflict(str(_l("You already reported this defect.")))
    report = DefectReport(user_id=actor.id, excerpt=mask(excerpt))
    defect.reports.append(report)
    session.flush()
    record(session, actor, "defect.co_report", "defect", defect.id)
    return report


def _credit(session: Session, original: AgentDefect, duplicate: AgentDefect) -> None:
    """The duplicate's reporters become co-reporters of the original (each once)."""
    have = original.reporter_ids
    excerpts = {duplicate.reporter_id: duplicate.excerpt, **{r.user_id: r.excerpt for r in duplicate.reports}}
    for user_id, excerpt in excerpts.items():
        if user_id not in have:
            original.reports.append(DefectReport(user_id=user_id, excerpt=excerpt, from_duplicate_id=duplicate.id))
            have.add(user_id)


MOVED_MEANWHILE = _l("Someone moved this defect meanwhile; look at it again.")


def transition(session: Session, actor, defect: AgentDefect, target: str, note: str = "",
               duplicate_of: Optional[AgentDefect] = None, expected: Optional[str] = None,
               now: Optional[datetime] = None) -> DefectEvent:
    """Move a defect one step of triage. Refused: a move the table does not allow, a
    rejection without a reason, a duplicate without a valid original, a stale page
    (`expected`: the state the reviewer saw). Audited; every reporter is notified."""
    now = now or utcnow()
    target_state = DefectState(target)
    current = defect.state
    if expected is not None and expected != current.value:
        raise Conflict(str(MOVED_MEANWHILE))
    if not allowed(current, target_state):
        raise DomainError(str(_l("This defect cannot move from its current state to that one.")))
    if defect.needs_interim_note:
        raise DomainError(str(_l("This defect was escalated to the admins: write the interim note (what is being "
                                 "done, by when) before moving it.")), field="note")
    note = mask((note or "").strip())
    if target_state == DefectState.REJECTED and not note:
        raise DomainError(str(_l("Say why the defect is rejected.")), field="note")
    if target_state == DefectState.DUPLICATE:
        if (duplicate_of is None or duplicate_of.id == defect.id or duplicate_of.agent_id != defect.agent_id
                or duplicate_of.state == DefectState.DUPLICATE):
            raise DomainError(str(_l("Name the original: another defect of the same agent that is not a duplicate "
                                     "itself.")), field="duplicate_of")
        if duplicate_of.state == DefectState.VERIFIED:
            raise DomainError(str(_l("#%(id)d was fixed and verified: a repeat after a verified fix is a recurrence, "
                                     "not a duplicate. Keep it open as a recurrence.", id=duplicate_of.id)),
                              field="duplicate_of")
    # Of reviewers moving the defect at the same moment, one moves it; the rest see it moved.
    claim(session, defect, "state", current, target_state, MOVED_MEANWHILE)
    if target_state == DefectState.DUPLICATE:
        defect.duplicate_of_id = duplicate_of.id
        _credit(session, duplicate_of, defect)
    if target_state == DefectState.REJECTED:
        defect.reject_reason = note
    if defect.first_response_at is None:
        defect.first_response_at = now
    if target_state in (DefectState.FIXED, DefectState.REJECTED, DefectState.DUPLICATE):
        defect.closed_at = now
    if target_state == DefectState.IN_FIX and current == DefectState.FIXED:
        defect.closed_at = None  # the fix failed verification: the close clock runs again
    if target_state == DefectState.VERIFIED:
        defect.verified_at = now
    event = DefectEvent(defect_id=defect.id, actor_id=actor.id if actor else None, from_state=current,
                        to_state=target_state, note=note, at=now)
    session.add(event)
    record(session, actor, "defect.transition", "defect", defect.id, before={"state": current.value},
           after={"state": target_state.value, "duplicate_of": defect.duplicate_of_id} if duplicate_of
           else {"state": target_state.value})
    if target_state == DefectState.VERIFIED:
        from lms.services.contributions import from_defect  # contributions build on defects

        from_defect(session, actor, defect)
    for user_id in sorted(defect.reporter_ids - {getattr(actor, "id", None)}):
        notify(session, user_id, NotificationKind.DEFECT_UPDATE, defect_id=defect.id, state=target_state.value)
    session.flush()
    return event


def write_interim_note(session: Session, actor, defect: AgentDefect, note: str,
                       now: Optional[datetime] = None) -> DefectEvent:
    """The interim note an escalated defect needs before it moves again: what is being done and
    by when. Kept in the defect's history (masked like every note) and audited."""
    now = now or utcnow()
    note = mask((note or "").strip())
    if not note:
        raise DomainError(str(_l("Write the interim note.")), field="note")
    if defect.state not in OPEN_STATES:
        raise Conflict(str(_l("This defect is closed; look at it again.")))
    event = DefectEvent(defect_id=defect.id, actor_id=actor.id if actor else None, from_state=defect.state,
                        to_state=defect.state, note=note[:1000], at=now)
    session.add(event)
    defect.interim_note_at = now
    record(session, actor, "defect.interim_note", "defect", defect.id)
    session.flush()
    return event


def mark_duplicates(session: Session, actor, ids: list[int], original_id: int) -> int:
    """Bulk action: close each listed defect as a duplicate of the original; all or nothing."""
    rows = {d.id: d for d in session.scalars(sa.select(AgentDefect).where(AgentDefect.id.in_([*ids, original_id])))}
    original = rows.get(original_id)
    if original is None:
        raise DomainError(str(_l("Name the original: another defect of the same agent that is not a duplicate "
                                 "itself.")), field="duplicate_of")
    done = 0
    for defect_id in ids:
        if defect_id != original_id and defect_id in rows:
            transition(session, actor, rows[defect_id], DefectState.DUPLICATE.value, duplicate_of=original)
            done += 1
    return done


@dataclass(frozen=True)
class RecurrenceRate:
    agent_id: int
    verified: int
    recurrences: int

    @property
    def rate(self) -> Optional[float]:
        return self.recurrences / self.verified if self.verified else None


# What the recurrence rate counts, for this board and the dashboard alike: verified fixes, and
# the reports that recurred after one and stand (a recurrence later rejected or closed as a
# duplicate did not recur).
VERIFIED = AgentDefect.state == DefectState.VERIFIED
RECURRED = sa.and_(AgentDefect.recurrence_of_id.is_not(None),
                   AgentDefect.state.not_in((DefectState.REJECTED, DefectState.DUPLICATE)))


def recurrence_rates(session: Session) -> dict[int, RecurrenceRate]:
    """Per agent: verified fixes and the reports that recurred after one and stand (one query)."""
    rows = session.execute(
        sa.select(AgentDefect.agent_id, sa.func.count().filter(VERIFIED), sa.func.count().filter(RECURRED))
        .group_by(AgentDefect.agent_id))
    return {r[0]: RecurrenceRate(r[0], r[1], r[2]) for r in rows}

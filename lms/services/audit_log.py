"""Reading the audit log: filters, and each event as a sentence in the reader's language.

A sentence is a translated template with named slots (`%(actor)s`, `%(trainee)s`, …)
and a `Ref` per slot; the page turns each Ref into a link. Names are loaded for a
whole page of events at once, so a page costs the same few queries however long it is.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.i18n import join_names
from lms.models import (
    Agent,
    AuditEvent,
    CapstoneGroup,
    CapstoneMember,
    Cohort,
    Contribution,
    Enrollment,
    Program,
    Submission,
    User,
)
from lms.templating import localized


@dataclass(frozen=True)
class Ref:
    """Something a sentence names: `kind` and `id` say what to link to (None: plain text)."""

    label: str
    kind: Optional[str] = None  # user | cohort | enrollment | submission
    id: Optional[int] = None


@dataclass
class Line:
    event: AuditEvent
    template: str  # translated, with %(slot)s placeholders
    refs: dict[str, Ref] = field(default_factory=dict)
    subject: Optional[Ref] = None  # the record the event is about, by its name (None: gone or nameless)

    @property
    def sentence(self) -> str:
        """The sentence as plain text (an export's cell; the page links the names instead)."""
        return self.template % {slot: ref.label for slot, ref in self.refs.items()}


# action → sentence; slots: actor, person, cohort, trainee, mentor, submission
SENTENCES = {
    "person.create": _l("%(actor)s created the account of %(person)s"),
    "person.update": _l("%(actor)s changed the details of %(person)s"),
    "person.role_change": _l("%(actor)s changed the role of %(person)s"),
    "person.deactivate": _l("%(actor)s deactivated %(person)s"),
    "person.reactivate": _l("%(actor)s reactivated %(person)s"),
    "person.password_set": _l("%(actor)s set a new password for %(person)s"),
    "person.password_reset": _l("%(actor)s set a new password through a reset link"),
    "invitation.create": _l("%(actor)s made an invitation link for %(person)s"),
    "invitation.resend": _l("%(actor)s made a new invitation link for %(person)s"),
    "invitation.revoke": _l("%(actor)s revoked the invitation link of %(person)s"),
    "invitation.accept": _l("%(actor)s accepted the invitation and set a password"),
    "cohort.create": _l("%(actor)s created cohort %(cohort)s"),
    "cohort.update": _l("%(actor)s changed cohort %(cohort)s"),
    "cohort.close": _l("%(actor)s closed cohort %(cohort)s"),
    "enrollment.create": _l("%(actor)s enrolled %(trainee)s in %(cohort)s"),
    "enrollment.update": _l("%(actor)s changed the enrollment of %(trainee)s in %(cohort)s"),
    "enrollment.withdraw": _l("%(actor)s withdrew %(trainee)s from %(cohort)s"),
    "baseline.rate": _l("%(actor)s rated the baseline of %(trainee)s in %(cohort)s"),
    "baseline.adjust": _l("%(actor)s adjusted the intake diagnostic baseline of %(trainee)s in %(cohort)s"),
    "diagnostic.submit": _l("%(actor)s took the intake diagnostic in %(cohort)s"),
    "mentor.assign": _l("%(actor)s assigned %(mentor)s to coach %(trainee)s in %(cohort)s"),
    "mentor.reassign": _l("%(actor)s made %(mentor)s the new mentor of %(trainee)s in %(cohort)s"),
    "mentor.unassign": _l("%(actor)s ended the coaching of %(trainee)s by %(mentor)s in %(cohort)s"),
    "mentor.auto_assign": _l("%(actor)s assigned mentors automatically in %(cohort)s"),
    "submission.submit": _l("%(actor)s handed in %(submission)s"),
    "grade.create": _l("%(actor)s graded %(submission)s of %(trainee)s"),
    "grade.amend": _l("%(actor)s amended the grade of %(submission)s of %(trainee)s"),
    "submission.final": _l("%(submission)s of %(trainee)s received its final result"),
    "catalog.sync": _l("%(actor)s updated the course catalogue"),
    "capstone.group_create": _l("%(actor)s formed capstone group %(group)s in %(cohort)s"),
    "capstone.group_members": _l("%(actor)s changed the members of capstone group %(group)s in %(cohort)s"),
    "placement.create": _l("%(actor)s placed %(trainee)s of %(cohort)s in a new role"),
    "outcome.training": _l("%(actor)s recorded what became of %(trainee)s of %(cohort)s"),
    "outcome.buffer": _l("%(actor)s recorded the buffer-period outcome of %(trainee)s of %(cohort)s"),
    "checkin.create": _l("%(actor)s logged a weekly check-in with %(trainee)s"),
    "checkin.update": _l("%(actor)s corrected a weekly check-in with %(trainee)s"),
    "checkin.note": _l("%(actor)s added a note to a weekly check-in"),
    "coach.capacity": _l("%(actor)s changed the buffer capacity of %(person)s"),
    "agent.create": _l("%(actor)s added an agent"),
    "handoff.import": _l("%(actor)s imported hand-off events"),
    "defect.log": _l("%(actor)s logged an agent defect"),
    "defect.co_report": _l("%(actor)s added their excerpt to an agent defect"),
    "defect.transition": _l("%(actor)s moved an agent defect in triage"),
    "defect.escalate": _l("%(actor)s escalated an agent defect still past its service level to the admins"),
    "defect.interim_note": _l("%(actor)s wrote the interim note of an escalated agent defect"),
    "person.quiet_hours": _l("%(actor)s changed their quiet hours"),
    "webhook.save": _l("%(actor)s changed a program's outgoing webhook"),
    "responsibility.add": _l("%(actor)s added an item to an agent's responsibility list"),
    "responsibility.change": _l("%(actor)s saved a new version of an item of an agent's responsibility list"),
    "contribution.suggest": _l("%(actor)s suggested an improvement to an agent"),
    "contribution.adopt": _l("%(actor)s adopted a contribution"),
    "contribution.decline": _l("%(actor)s found a contribution does not qualify"),
    "contribution.measure": _l("%(actor)s recorded the measured effect of a contribution"),
    "contribution.award": _l("%(actor)s approved a contribution award"),
    "contribution.paid": _l("%(actor)s marked a contribution award paid"),
    "person.reviewer": _l("%(actor)s changed whether %(person)s triages agent defects"),
    "calendar.override": _l("%(actor)s changed the business calendar"),
    "retention.purge": _l("%(actor)s deleted defect excerpts, screenshots and uploaded files past the retention "
                          "period"),
    "api_token.create": _l("%(actor)s made an API token held by %(person)s"),
    "api_token.revoke": _l("%(actor)s revoked an API token held by %(person)s"),
}
GENERIC = _l("%(actor)s changed %(subject)s")


def action_choices() -> list[tuple[str, str]]:
    """(action, its sentence with the names left out), for the filter."""
    return [(code, re.sub(r"%\(\w+\)s", "…", str(text))) for code, text in SENTENCES.items()]

SUBJECT_TYPES = {
    "user": _l("Person"),
    "cohort": _l("Cohort"),
    "enrollment": _l("Enrollment"),
    "submission": _l("Submission"),
    "catalog_sync": _l("Course catalogue"),
    "capstone_group": _l("Capstone group"),
    "agent": _l("Agent"),
    "handoff_import": _l("Hand-off events"),
    "calendar": _l("Business calendar"),
    "retention": _l("Retention period"),
    "defect": _l("Agent defect"),
    "contribution": _l("Contribution"),
    "program": _l("Program"),
}


@dataclass
class AuditFilter:
    actor_id: Optional[int] = None
    action: Optional[str] = None
    subject_type: Optional[str] = None
    since: Optional[date] = None  # inclusive, days in `timezone`
    until: Optional[date] = None  # inclusive
    timezone: str = "UTC"


def _utc(day: date, zone: str) -> datetime:
    """Midnight of `day` in the program's zone, as the naive UTC the log stores."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def events(f: AuditFilter) -> sa.Select:
    """The matching events, newest first, with their actors."""
    stmt = sa.select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if f.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == f.actor_id)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.subject_type:
        stmt = stmt.where(AuditEvent.subject_type == f.subject_type)
    if f.since:
        stmt = stmt.where(AuditEvent.at >= _utc(f.since, f.timezone))
    if f.until:
        stmt = stmt.where(AuditEvent.at < _utc(f.until + timedelta(days=1), f.timezone))
    return stmt


def actors(session: Session) -> list[User]:
    """Everyone who appears as an actor in the log, for the filter's choices."""
    return list(session.scalars(
        sa.select(User).where(User.id.in_(sa.select(AuditEvent.actor_id).distinct())).order_by(User.name)))


def _ids(items: list[AuditEvent], kind: str) -> set[int]:
    return {e.subject_id for e in items if e.subject_type == kind and e.subject_id is not None}


def _submission_label(s: Submission) -> str:
    return str(_l("%(assessment)s, attempt %(n)d", assessment=localized(s.assessment.title), n=s.attempt_no))


def _contribution_label(number: int, title: str) -> str:
    """"Contribution #3: title"; when the title already starts with that number (a contribution
    made from defect #1 is titled "#1 …", and may be contribution #1 too), the number once:
    "Contribution #1 发票开具", never "#1 #1 发票开具"."""
    if re.match(rf"#{number}(?!\d)", title or ""):
        # Translators: an audit record, a contribution whose title starts with its number: 贡献 %(title)s
        return str(_l("Contribution %(title)s", title=title))
    return str(_l("Contribution #%(n)d: %(title)s", n=number, title=title))


def lines(session: Session, items: list[AuditEvent]) -> list[Line]:
    """Each event as a sentence; subjects and the people they name are loaded in batches
    (a batch with no ids is not asked for: a handful of statements, however many events)."""

    def batch(model, ids: set[int], *options) -> dict:
        if not ids:
            return {}
        return {row.id: row for row in session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options))}

    users = batch(User, _ids(items, "user"))
    cohorts = batch(Cohort, _ids(items, "cohort"))
    enrollments = batch(Enrollment, _ids(items, "enrollment"),
                        selectinload(Enrollment.trainee), selectinload(Enrollment.cohort))
    submissions = batch(Submission, _ids(items, "submission"),
                        selectinload(Submission.trainee), selectinload(Submission.assessment),
                        selectinload(Submission.group).selectinload(CapstoneGroup.members)
                        .selectinload(CapstoneMember.trainee))
    groups = batch(CapstoneGroup, _ids(items, "capstone_group"), selectinload(CapstoneGroup.cohort),
                   selectinload(CapstoneGroup.assessment))
    agents = batch(Agent, _ids(items, "agent"))
    contributions = batch(Contribution, _ids(items, "contribution"))
    programs = batch(Program, _ids(items, "program"))
    mentor_ids = {(e.after or {}).get("mentor_id") or (e.before or {}).get("mentor_id")
                  for e in items if e.action.startswith("mentor.")} - {None}
    mentors = batch(User, mentor_ids)

    def person(user: Optional[User]) -> Ref:
        return Ref(user.name, "user", user.id) if user else Ref(str(_l("someone")))

    out = []
    for e in items:
        refs = {"actor": person(e.actor) if e.actor_id else Ref(str(_l("The system")))}
        subject = None
        if e.subject_type == "user" and e.subject_id in users:
            refs["person"] = subject = person(users[e.subject_id])
        elif e.subject_type == "cohort" and e.subject_id in cohorts:
            c = cohorts[e.subject_id]
            refs["cohort"] = subject = Ref(c.code, "cohort", c.id)
        elif e.subject_type == "enrollment" and e.subject_id in enrollments:
            en = enrollments[e.subject_id]
            refs["trainee"] = person(en.trainee)
            refs["cohort"] = Ref(en.cohort.code, "cohort", en.cohort.id)
            subject = Ref(str(_l("the enrollment of %(name)s", name=en.trainee.name)), "enrollment", en.id)
            mentor_id = (e.after or {}).get("mentor_id") or (e.before or {}).get("mentor_id")
            refs["mentor"] = person(mentors.get(mentor_id))
        elif e.subject_type == "submission" and e.subject_id in submissions:
            s = submissions[e.subject_id]
            if s.group_id is not None:  # group work is the group's, not the member's who opened the draft
                refs["trainee"] = Ref(str(_l("Group %(name)s (%(members)s)", name=s.group.name,
                                             members=join_names(m.trainee.name for m in s.group.members))))
            else:
                refs["trainee"] = person(s.trainee)
            refs["submission"] = subject = Ref(_submission_label(s), "submission", s.id)
        elif e.subject_type == "capstone_group" and e.subject_id in groups:
            g = groups[e.subject_id]
            refs["group"] = subject = Ref(g.name)
            refs["cohort"] = Ref(g.cohort.code, "cohort", g.cohort.id)
        elif e.subject_type == "agent" and e.subject_id in agents:
            subject = Ref(agents[e.subject_id].name)
        elif e.subject_type == "contribution" and e.subject_id in contributions:
            subject = Ref(_contribution_label(e.subject_id, contributions[e.subject_id].title))
        elif e.subject_type == "program" and e.subject_id in programs:
            subject = Ref(localized(programs[e.subject_id].title))
        elif e.subject_type == "defect" and e.subject_id is not None:
            subject = Ref(f"{SUBJECT_TYPES['defect']} #{e.subject_id}")  # its number, as triage shows it
        template = SENTENCES.get(e.action)
        needed = _slots(template) if template is not None else set()
        if template is None or not needed <= refs.keys():  # unknown action, or its subject is gone
            kind = SUBJECT_TYPES.get(e.subject_type, _l("a record"))
            refs["subject"] = subject or Ref(f"{kind} #{e.subject_id}" if e.subject_id else str(kind))
            template = GENERIC
        out.append(Line(e, str(template), refs, subject))
    return out


def _slots(template) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", str(template)))

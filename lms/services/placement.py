"""Placement (上岗) and what becomes of every trainee: placed in a new role and paired
with an agent, or a recorded training outcome; at the end of the buffer, its outcome.

Rules (DESIGN.md): only a trainee who passed every tier their role needs is placed
(the refusal names what is missing); placing ends the training mentor assignments and
names a buffer coach (default: the business mentor) who takes one of their *buffer*
seats (`CoachSeats`), never a training seat; every outcome carries a reason code.
Every change is audited.
"""

import re
from datetime import date, timedelta
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms import labels
from lms.models import (
    Agent,
    BufferOutcome,
    CoachSeats,
    Enrollment,
    EnrollmentStatus,
    MentorKind,
    Placement,
    ReasonCode,
    Role,
    TargetRole,
    TrainingOutcome,
    TrainingOutcomeKind,
    User,
)
from lms.services import Conflict, DomainError, buffer_clock, clock, progress
from lms.services.audit import record
from lms.services.mentoring import release_enrollment

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CLOSING = (BufferOutcome.COMPLETED, BufferOutcome.REDEPLOYED, BufferOutcome.LEFT)


def missing_tiers(session: Session, enrollment: Enrollment, role: str) -> list[progress.TierState]:
    """The tiers `role` needs that the trainee has not passed (every required assessment)."""
    program = enrollment.cohort.program
    needed = program.tiers_for_role(role)
    states = progress.tier_states(progress.role_outline(session, program, role),
                                  progress.passed_assessment_ids(session, enrollment.trainee_id), set(), needed)
    return [s for s in states if s.needed and not s.complete]


def _tiers_message(missing: list[progress.TierState]) -> str:
    from lms.templating import localized

    parts = [str(_l("%(tier)s (%(passed)d of %(total)d required assessments passed)",
                    tier=localized(s.tier.title), passed=s.required_passed, total=s.required_total))
             for s in missing]
    return str(_l("Not placed: the role needs tiers this trainee has not passed yet: %(tiers)s.",
                  tiers="; ".join(parts)))


def placement_of(session: Session, enrollment_id: int) -> Optional[Placement]:
    return session.scalar(sa.select(Placement).where(Placement.enrollment_id == enrollment_id))


def current_placement(session: Session, trainee_id: int) -> Optional[Placement]:
    """The trainee's latest placement (with agent and coach), if any."""
    from sqlalchemy.orm import joinedload

    return session.scalar(
        sa.select(Placement).where(Placement.trainee_id == trainee_id)
        .options(joinedload(Placement.agent), joinedload(Placement.coach))
        .order_by(Placement.start_date.desc(), Placement.id.desc()).limit(1))


# --- buffer coach seats -----------------------------------------------------------


def _seats(session: Session, coach_id: int, default_capacity: int) -> None:
    """Make sure the coach has a seats row (first placement: the default capacity)."""
    if session.get(CoachSeats, coach_id) is not None:
        return
    savepoint = session.begin_nested()
    session.add(CoachSeats(coach_id=coach_id, capacity=default_capacity, taken=0))
    try:
        savepoint.commit()
    except IntegrityError:  # another request made it first: fine, it is there now
        savepoint.rollback()


def take_coach_seat(session: Session, coach_id: int, default_capacity: int) -> bool:
    """Atomically take one buffer seat of the coach if one is free (one UPDATE)."""
    _seats(session, coach_id, default_capacity)
    return session.execute(
        sa.update(CoachSeats).where(CoachSeats.coach_id == coach_id, CoachSeats.taken < CoachSeats.capacity)
        .values(taken=CoachSeats.taken + 1).execution_options(synchronize_session=False)
    ).rowcount == 1


def free_coach_seat(session: Session, coach_id: int) -> None:
    session.execute(sa.update(CoachSeats).where(CoachSeats.coach_id == coach_id, CoachSeats.taken > 0)
                    .values(taken=CoachSeats.taken - 1).execution_options(synchronize_session=False))


def set_coach_capacity(session: Session, actor: User, coach: User, capacity: int, default_capacity: int) -> None:
    """A coach's buffer seats; never below the placed people they coach now."""
    if coach.role != Role.MENTOR:
        raise DomainError(_l("Choose an active mentor."), field="coach_id")
    _seats(session, coach.id, default_capacity)
    row = session.get(CoachSeats, coach.id)
    session.refresh(row)
    if not isinstance(capacity, int) or capacity < 0 or capacity > 200:
        raise DomainError(_l("Enter a whole number from 0 to 200."), field="capacity")
    if capacity < row.taken:  # 0 is fine for a coach with nobody in the buffer now
        raise DomainError(_l("The capacity cannot be below %(n)d: the number of placed people %(name)s "
                             "coaches now.", n=row.taken, name=coach.name), field="capacity")
    if capacity != row.capacity:
        record(session, actor, "coach.capacity", "user", coach.id, before={"capacity": row.capacity},
               after={"capacity": capacity})
        row.capacity = capacity
        session.flush()


# --- agents ----------------------------------------------------------------------


def create_agent(session: Session, actor: Optional[User], values: dict[str, Any]) -> Agent:
    """A new agent record; its platform ID is unique (case-insensitive)."""
    clean = {k: _text(values, k, limit) for k, limit in (
        ("code", 64), ("name", 120), ("platform", 120), ("version", 40), ("owner_team", 120))}
    if session.scalar(sa.select(Agent.id).where(sa.func.lower(Agent.code) == clean["code"].lower())):
        raise DomainError(_l("Another agent has this ID."), field="code")
    agent = Agent(**clean)
    session.add(agent)
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(_l("Another agent has this ID."), field="code") from error
    record(session, actor, "agent.create", "agent", agent.id, after=clean)
    return agent


# --- placing ---------------------------------------------------------------------


def _text(values: dict, name: str, limit: int, required: bool = True) -> Optional[str]:
    value = (values.get(name) or "").strip()
    if required and not value:
        raise DomainError(_l("is required"), field=name)
    if len(value) > limit:
        raise DomainError(_l("is longer than %(max)d characters", max=limit), field=name)
    return value or None


def default_coach(enrollment: Enrollment) -> Optional[User]:
    """The trainee's business mentor, who knows their cases best."""
    return enrollment.current_mentor(MentorKind.BUSINESS)


def place(session: Session, actor: Optional[User], enrollment: Enrollment, values: dict[str, Any],
          default_capacity: int = 8) -> Placement:
    """Place a trainee: checks the role's tiers, ends the training mentors, takes a buffer seat.

    `values`: role, team, lead_name, lead_email, agent_id, start_date, coach_id (None: the
    business mentor), pay_band_before, pay_band_after. DomainError names what is wrong.
    """
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise DomainError(_l("This trainee has withdrawn."))
    if placement_of(session, enrollment.id) is not None:
        raise Conflict(_l("%(name)s is already placed.", name=enrollment.trainee.name))
    role = values.get("role") or enrollment.target_role.value
    if role not in enrollment.cohort.program.roles:
        raise DomainError(_l("Choose a role of the program."), field="role")
    missing = missing_tiers(session, enrollment, role)
    if missing:
        raise DomainError(_tiers_message(missing))
    team = _text(values, "team", 120)
    lead_name = _text(values, "lead_name", 120)
    lead_email = _text(values, "lead_email", 254, required=False)
    if lead_email and not EMAIL_RE.match(lead_email):
        raise DomainError(_l("Enter a valid email address."), field="lead_email")
    agent = session.get(Agent, values.get("agent_id") or 0)
    if agent is None or not agent.active:
        raise DomainError(_l("Choose an agent."), field="agent_id")
    start = values.get("start_date")
    if not isinstance(start, date) or not clock.in_range(start):
        raise DomainError(_l("Enter a date."), field="start_date")
    coach = session.get(User, values["coach_id"]) if values.get("coach_id") else default_coach(enrollment)
    if coach is None or coach.role != Role.MENTOR or not coach.active:
        raise DomainError(_l("Choose a buffer coach (the trainee has no business mentor to default to)."),
                          field="coach_id")
    bands = {k: _text(values, k, 40, required=False) for k in ("pay_band_before", "pay_band_after")}
    if not take_coach_seat(session, coach.id, default_capacity):
        raise DomainError(_l("%(name)s has no free buffer-coaching seat. Raise their buffer capacity or choose "
                             "another coach.", name=coach.name), field="coach_id")
    placement = Placement(
        enrollment_id=enrollment.id, trainee_id=enrollment.trainee_id, role=TargetRole(role), team=team,
        lead_name=lead_name, lead_email=lead_email, agent_id=agent.id, coach_id=coach.id, start_date=start,
        buffer_end=buffer_clock.default_end(start), placed_by_id=actor.id if actor else None, **bands)
    session.add(placement)
    name = enrollment.trainee.name
    try:
        session.flush()
    except IntegrityError as error:  # placed by another request at the same moment
        raise Conflict(_l("%(name)s is already placed.", name=name)) from error
    release_enrollment(session, actor, enrollment, str(_l("Placed in a new role")))
    record(session, actor, "placement.create", "enrollment", enrollment.id, after={
        "role": role, "team": team, "agent": agent.code, "coach_id": coach.id, "start_date": start.isoformat()})
    return placement


# --- outcomes --------------------------------------------------------------------


def _reason(value, allowed: tuple[str, ...]) -> ReasonCode:
    """A reason code that fits the outcome (labels.TRAINING_REASONS or BUFFER_REASONS)."""
    if value not in allowed:
        raise DomainError(_l("Choose a reason."), field="reason")
    return ReasonCode(value)


def record_training_outcome(session: Session, actor: Optional[User], enrollment: Enrollment, kind: str,
                            reason: str, note: str, on: date) -> TrainingOutcome:
    """What became of a trainee who is not placed; recording again replaces it (audited)."""
    try:
        kind_ = TrainingOutcomeKind(kind)
    except ValueError:
        raise DomainError(_l("Choose an outcome."), field="kind") from None
    reason_ = _reason(reason, labels.TRAINING_REASONS)
    note = _text({"note": note}, "note", 1000)
    if not isinstance(on, date) or not clock.in_range(on):
        raise DomainError(_l("Enter a date."), field="on")
    if placement_of(session, enrollment.id) is not None:
        raise DomainError(_l("This trainee is placed: record the buffer outcome instead."))
    row = session.scalar(sa.select(TrainingOutcome).where(TrainingOutcome.enrollment_id == enrollment.id))
    before = {"kind": row.kind.value, "reason_code": row.reason.value} if row else None
    if row is None:
        row = TrainingOutcome(enrollment_id=enrollment.id)
        session.add(row)
    row.kind, row.reason, row.note, row.on = kind_, reason_, note, on
    row.recorded_by_id = actor.id if actor else None
    session.flush()
    record(session, actor, "outcome.training", "enrollment", enrollment.id, before=before,
           after={"kind": kind_.value, "reason_code": reason_.value, "on": on.isoformat()})
    return row


def record_buffer_outcome(session: Session, actor: Optional[User], placement: Placement, outcome: str,
                          reason: str, note: str, on: date, new_end: Optional[date] = None,
                          today: Optional[date] = None) -> None:
    """End of buffer: completed / extended (to `new_end`) / redeployed / left, with a reason code.
    A closing outcome frees the coach's buffer seat; a closed buffer cannot be recorded again.

    The date is never before the placement start nor after `today` (the views pass it);
    "completed" only from the period's last day (day 90, or the extended end) on; "extended"
    to a new end after the current one; "left"/"redeployed" on any day of the period."""
    try:
        outcome_ = BufferOutcome(outcome)
    except ValueError:
        raise DomainError(_l("Choose an outcome."), field="outcome") from None
    reason_ = _reason(reason, labels.BUFFER_REASONS)
    note = _text({"note": note}, "note", 1000, required=False)
    if not isinstance(on, date) or not clock.in_range(on):
        raise DomainError(_l("Enter a date."), field="on")
    if on < placement.start_date:
        raise DomainError(_l("The date cannot be before the placement start (%(day)s).",
                             day=placement.start_date.isoformat()), field="on")
    if today is not None and on > today:
        raise DomainError(_l("The date cannot be in the future."), field="on")
    last_day = buffer_clock.last_day(placement.buffer_end)
    if outcome_ == BufferOutcome.COMPLETED and on < last_day:
        raise DomainError(_l("The buffer period is completed on or after its last day, %(day)s; before that, "
                             "record it as extended, redeployed or left.", day=last_day.isoformat()), field="on")
    if outcome_ in (BufferOutcome.LEFT, BufferOutcome.REDEPLOYED) and on > last_day:
        raise DomainError(_l("Give a date within the buffer period (%(start)s – %(end)s).",
                             start=placement.start_date.isoformat(), end=last_day.isoformat()), field="on")
    if placement.closed:
        raise Conflict(_l("This buffer period already has its outcome: %(outcome)s.",
                          outcome=labels.buffer_outcome(placement.outcome)))
    before = {"outcome": placement.outcome.value if placement.outcome else None,
              "buffer_end": placement.buffer_end.isoformat()}
    if outcome_ == BufferOutcome.EXTENDED:
        # the new end is the new last day (inclusive, as the pages show the period)
        if not isinstance(new_end, date) or new_end <= last_day or not clock.in_range(new_end):
            raise DomainError(_l("Give a new end date after %(day)s.", day=last_day.isoformat()),
                              field="new_end")
        placement.buffer_end = new_end + timedelta(days=1)
    placement.outcome, placement.outcome_reason, placement.outcome_note, placement.outcome_on = (
        outcome_, reason_, note, on)
    if outcome_ in CLOSING:
        free_coach_seat(session, placement.coach_id)
    session.flush()
    record(session, actor, "outcome.buffer", "enrollment", placement.enrollment_id, before=before,
           after={"outcome": outcome_.value, "reason_code": reason_.value, "on": on.isoformat(),
                  "buffer_end": placement.buffer_end.isoformat()})


def cohort_buffer_until(session: Session, cohort_id: int) -> Optional[date]:
    """The last buffer end of the cohort's placed people whose buffer is still open (for its phase)."""
    return session.scalar(
        sa.select(sa.func.max(Placement.buffer_end)).join(Enrollment)
        .where(Enrollment.cohort_id == cohort_id,
               sa.or_(Placement.outcome.is_(None), Placement.outcome == BufferOutcome.EXTENDED)))

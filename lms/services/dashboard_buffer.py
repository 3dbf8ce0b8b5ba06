"""The dashboard's outcome and buffer-period figures: outcomes by reason, agent defects
(type, state, buffer week), triage SLA compliance, recurrence, collaboration metrics,
contributions and awards, and the mentors' load and check-ins.

The rules come from their own modules (defect SLA clocks: `defect_rules`; recurrence:
`defects.RECURRED`; collaboration: `collaboration_metrics`; contributions:
`contributions.SUMMARY_COLUMNS`; check-in weeks: `buffer_clock`), here counted over the
report's scope in SQL.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import (
    AgentDefect,
    BufferOutcome,
    CheckIn,
    CoachSeats,
    Contribution,
    Payout,
    Placement,
    Role,
    User,
)
from lms.services import business_calendar, clock, collaboration_metrics, defects
from lms.services.buffer_clock import BufferSettings
from lms.services.contributions import SUMMARY_COLUMNS
from lms.services.defect_rules import DefectSettings, close_clock, response_clock
from lms.services.report_scope import FACTS, P_NOW, P_TODAY
from lms.services.sql_dialect import count_if, days_between, seconds_between

f = FACTS

# --- outcomes by reason ------------------------------------------------------------------

_OUTCOMES = sa.union_all(
    sa.select(sa.literal("training").label("stage"), f.c.training_outcome.label("outcome"),
              f.c.training_reason.label("reason"), sa.func.count().label("n"))
    .where(f.c.training_outcome.is_not(None), ~f.c.placed).group_by(f.c.training_outcome, f.c.training_reason),
    sa.select(sa.literal("buffer"), f.c.buffer_outcome, f.c.buffer_reason, sa.func.count())
    .where(f.c.buffer_outcome.is_not(None), f.c.buffer_outcome != BufferOutcome.COMPLETED)
    .group_by(f.c.buffer_outcome, f.c.buffer_reason),
    # past placement week, neither placed nor given an outcome: the record is missing
    sa.select(sa.literal("missing"), sa.literal(None), sa.literal(None), sa.func.count())
    .where(f.c.in_training.is_(True), f.c.training_outcome.is_(None), f.c.cohort_week > clock.PLACEMENT_WEEK),
)


@dataclass
class Outcomes:
    not_placed: list  # (outcome kind, reason, n), most first
    buffer_not_completed: list  # (buffer outcome, reason, n)
    missing: int  # past placement week without a placement or an outcome


def outcomes(session: Session, params: dict) -> Outcomes:
    out = Outcomes([], [], 0)
    for stage, outcome, reason, n in session.execute(_OUTCOMES, params):
        if stage == "missing":
            out.missing = n
        elif n:
            (out.not_placed if stage == "training" else out.buffer_not_completed).append((outcome, reason, n))
    out.not_placed.sort(key=lambda r: (-r[2], str(r[0]), str(r[1])))
    out.buffer_not_completed.sort(key=lambda r: (-r[2], str(r[0]), str(r[1])))
    return out


# --- agent defects ------------------------------------------------------------------------

_in_scope = AgentDefect.placement_id.in_(sa.select(f.c.placement_id).where(f.c.placement_id.is_not(None)))
_week = (days_between(AgentDefect.created_at, Placement.start_date) // 7 + 1).label("week")
_DEFECTS = (
    sa.select(AgentDefect.type, AgentDefect.state, _week, sa.func.count())
    .join(Placement, Placement.id == AgentDefect.placement_id).where(_in_scope)
    .group_by(AgentDefect.type, AgentDefect.state, _week))


@dataclass
class DefectFigures:
    cells: dict = field(default_factory=dict)  # (type, state) → n
    weeks: dict = field(default_factory=dict)  # buffer week → {type: n}
    total: int = 0
    verified: int = 0
    recurred: int = 0
    sla: Optional["Sla"] = None

    @property
    def by_state(self) -> dict:
        out: dict = {}
        for (_type, state), n in self.cells.items():
            out[state] = out.get(state, 0) + n
        return out

    @property
    def recurrence_rate(self) -> Optional[float]:
        return self.recurred / self.verified if self.verified else None


def defect_figures(session: Session, params: dict, now: datetime, settings: DefectSettings) -> DefectFigures:
    out = DefectFigures()
    for type_, state, week, n in session.execute(_DEFECTS, params):
        out.cells[(type_, state)] = out.cells.get((type_, state), 0) + n
        week = max(1, int(week))
        out.weeks.setdefault(week, {})
        out.weeks[week][type_] = out.weeks[week].get(type_, 0) + n
        out.total += n
    out.verified, out.recurred = session.execute(_RECURRENCE, params).one()
    out.sla = sla(session, params, now, settings)
    return out


_RECURRENCE = sa.select(count_if(defects.VERIFIED), count_if(defects.RECURRED)).where(_in_scope)


@dataclass(frozen=True)
class Sla:
    responded: int  # first response given
    responded_within: int
    waiting: int  # no response yet
    waiting_over: int  # no response yet, already past the limit
    complex_closed: int
    complex_closed_within: int
    complex_open: int
    complex_open_over: int
    response_minutes: int
    close_hours: int

    @property
    def response_share(self) -> Optional[float]:
        """Of the clocks that stopped or already ran over, the share within the limit."""
        judged = self.responded + self.waiting_over
        return self.responded_within / judged if judged else None

    @property
    def close_share(self) -> Optional[float]:
        judged = self.complex_closed + self.complex_open_over
        return self.complex_closed_within / judged if judged else None


def _sla_select() -> sa.Select:
    """The calendar-time clocks, as `defect_rules.elapsed` counts them (whole seconds, ≤ limit)."""
    response_limit = sa.bindparam("response_limit", type_=sa.Integer)
    close_limit = sa.bindparam("close_limit", type_=sa.Integer)
    responded = AgentDefect.first_response_at.is_not(None)
    closed = AgentDefect.closed_at.is_not(None)
    complex_ = AgentDefect.complex.is_(True)
    return sa.select(
        count_if(responded),
        count_if(sa.and_(responded, seconds_between(AgentDefect.first_response_at, AgentDefect.created_at)
                         < response_limit + 1)),
        count_if(~responded),
        count_if(sa.and_(~responded, seconds_between(P_NOW, AgentDefect.created_at) >= response_limit + 1)),
        count_if(sa.and_(complex_, closed)),
        count_if(sa.and_(complex_, closed, seconds_between(AgentDefect.closed_at, AgentDefect.created_at)
                         < close_limit + 1)),
        count_if(sa.and_(complex_, ~closed)),
        count_if(sa.and_(complex_, ~closed, seconds_between(P_NOW, AgentDefect.created_at) >= close_limit + 1)),
    ).where(_in_scope)


_SLA = _sla_select()
_SLA_ROWS = sa.select(AgentDefect.created_at, AgentDefect.first_response_at, AgentDefect.complex,
                      AgentDefect.closed_at).where(_in_scope)


def sla(session: Session, params: dict, now: datetime, settings: DefectSettings) -> Sla:
    """SLA compliance of triage. Calendar time: counted in SQL. Working hours: each defect's clocks
    through `defect_rules` with the business calendar (the triage board's rule; the working
    time between two moments needs the calendar, which the database does not hold)."""
    limits = (settings.response_minutes, settings.close_hours)
    if not settings.working_hours:
        row = session.execute(_SLA, {**params, "now": now, "response_limit": settings.response_minutes * 60,
                                     "close_limit": settings.close_hours * 3600}).one()
        return Sla(*map(int, row), *limits)
    calendar = business_calendar.load(session)
    counts = [0] * 8
    for created, first_response, complex_, closed in session.execute(_SLA_ROWS, params):
        response = response_clock(created, first_response, now, settings, calendar)
        index = 0 if response.done else 2
        counts[index] += 1
        counts[index + 1] += (not response.breached) if response.done else response.breached
        close = close_clock(complex_, created, closed, now, settings, calendar)
        if close is not None:
            index = 4 if close.done else 6
            counts[index] += 1
            counts[index + 1] += (not close.breached) if close.done else close.breached
    return Sla(*counts, *limits)


# --- collaboration metrics (hand-off events) --------------------------------------------------

_SCOPE_PLACEMENTS = sa.select(f.c.placement_id).where(f.c.placement_id.is_not(None))


def collaboration(session: Session, params: dict, settings: BufferSettings):
    """(per buffer week, whole period) over the placements in scope."""
    return collaboration_metrics.by_buffer_week(session, settings, _SCOPE_PLACEMENTS, params)


# --- contributions and awards --------------------------------------------------------------

_CONTRIBUTIONS = (
    sa.select(*SUMMARY_COLUMNS, count_if(Contribution.payout == Payout.PAID),
              sa.func.coalesce(sa.func.sum(sa.case((Contribution.payout == Payout.PAID, Contribution.band_cny))), 0))
    .where(sa.tuple_(Contribution.cohort_id, Contribution.contributor_id).in_(
        sa.select(f.c.cohort_id, f.c.trainee_id))))


@dataclass(frozen=True)
class ContributionFigures:
    total: int
    adopted: int
    awarded: int
    amount: int  # CNY approved (paid or not)
    paid: int
    paid_amount: int

    @property
    def adoption_rate(self) -> Optional[float]:
        return self.adopted / self.total if self.total else None


def contributions(session: Session, params: dict) -> ContributionFigures:
    return ContributionFigures(*(int(v or 0) for v in session.execute(_CONTRIBUTIONS, params).one()))


# --- mentors: load and check-ins ------------------------------------------------------------------

_MENTORS = (
    sa.select(User.id, User.name, User.mentor_kind, User.capacity, User.mentor_load, CoachSeats.capacity,
              CoachSeats.taken)
    .outerjoin(CoachSeats, CoachSeats.coach_id == User.id)
    .where(User.role == Role.MENTOR, User.active.is_(True))
    .order_by(User.mentor_kind, User.name, User.id))

# Check-in weeks as `buffer_clock.weeks_over` and `checkins.gaps_of` count them: weeks ended by
# today (or by the day a closed buffer ended), within the period.
_closed = sa.and_(Placement.outcome.is_not(None), Placement.outcome != BufferOutcome.EXTENDED,
                  Placement.outcome_on.is_not(None))
_until = sa.case((sa.and_(_closed, Placement.outcome_on < P_TODAY), Placement.outcome_on), else_=P_TODAY)
_elapsed = days_between(_until, Placement.start_date)
_total = (days_between(Placement.buffer_end, Placement.start_date) + 6) // 7
_due = sa.case((_elapsed < 0, 0), (_elapsed // 7 > _total, _total), else_=_elapsed // 7)
_done = (sa.select(sa.func.count()).where(CheckIn.placement_id == Placement.id, CheckIn.week <= _due)
         .scalar_subquery())
_CHECKINS = (
    sa.select(Placement.coach_id, sa.func.count(), sa.func.sum(_due), sa.func.sum(_done))
    .where(Placement.id.in_(_SCOPE_PLACEMENTS)).group_by(Placement.coach_id))


@dataclass
class MentorRow:
    mentor_id: int
    name: str
    kind: Optional[str]
    capacity: Optional[int]
    load: int
    buffer_capacity: Optional[int]
    buffer_taken: int
    placed: int = 0  # placed people in scope they coach
    checkins_due: int = 0
    checkins_done: int = 0


def mentors(session: Session, params: dict) -> list[MentorRow]:
    rows = {r[0]: MentorRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or 0)
            for r in session.execute(_MENTORS)}
    for coach_id, placed, due, done in session.execute(_CHECKINS, params):
        row = rows.get(coach_id)
        if row is not None:
            row.placed, row.checkins_due, row.checkins_done = placed, int(due or 0), int(done or 0)
    return list(rows.values())


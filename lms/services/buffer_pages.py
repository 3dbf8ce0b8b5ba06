"""What the placement and buffer pages show, each loaded in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.models import (
    Agent,
    BufferOutcome,
    CheckIn,
    CoachSeats,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Placement,
    Role,
    TrainingOutcome,
    User,
)
from lms.services import buffer_clock, checkins, clock, collaboration_metrics
from lms.services.buffer_clock import BufferSettings
from lms.services.collaboration_metrics import WeekMetrics


@dataclass
class PlacementView:
    placement: Placement
    day: int
    length: int
    week: int
    checkins: list[CheckIn]
    gaps: list[int]
    weeks: list[WeekMetrics]
    total: Optional[WeekMetrics]
    settings: BufferSettings

    @property
    def started(self) -> bool:
        return self.day >= 1

    @property
    def timeline(self) -> list[tuple[int, Optional[CheckIn]]]:
        """Logged weeks and gaps in their place, newest first: (week, check-in or None for a gap)."""
        by_week: dict[int, Optional[CheckIn]] = {w: None for w in self.gaps}
        by_week.update((c.week, c) for c in self.checkins)
        return sorted(by_week.items(), reverse=True)


def load_placement(session: Session, placement_id: int) -> Optional[Placement]:
    return session.scalar(
        sa.select(Placement).where(Placement.id == placement_id)
        .options(joinedload(Placement.trainee), joinedload(Placement.agent), joinedload(Placement.coach),
                 joinedload(Placement.enrollment).joinedload(Enrollment.cohort).joinedload(Cohort.program),
                 selectinload(Placement.checkins)))


def placement_view(session: Session, placement: Placement, today: date, settings: BufferSettings) -> PlacementView:
    """Day N of the period, check-ins with gaps, weekly metrics (the placement's rows loaded)."""
    logged = {c.week for c in placement.checkins}
    weeks = collaboration_metrics.weekly(session, settings, [placement.id]).get(placement.id, [])
    return PlacementView(
        placement, buffer_clock.day_of(placement.start_date, today),
        buffer_clock.length(placement.start_date, placement.buffer_end),
        min(max(1, buffer_clock.week_of(placement.start_date, today)),
            buffer_clock.weeks_total(placement.start_date, placement.buffer_end)),
        list(placement.checkins), checkins.gaps_of(placement, logged, today), weeks,
        collaboration_metrics.overall(weeks), settings)


@dataclass
class Overview:
    placed: list[checkins.CoachRow]
    unplaced: list[tuple[Enrollment, Optional[TrainingOutcome]]]
    coaches: list[tuple[User, int, int]]  # mentor, buffer capacity, seats taken
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[int, WeekMetrics] = field(default_factory=dict)  # placement id → the period so far


def overview(session: Session, today: date, settings: BufferSettings) -> Overview:
    default_capacity = settings.coach_capacity
    placed = checkins.coach_rows(session, None, today, open_only=False)
    weekly = collaboration_metrics.weekly(session, settings, [row.placement.id for row in placed])
    totals = {pid: collaboration_metrics.overall(weeks) for pid, weeks in weekly.items()}
    unplaced = session.execute(
        sa.select(Enrollment, TrainingOutcome).join(Cohort)
        .outerjoin(TrainingOutcome, TrainingOutcome.enrollment_id == Enrollment.id)
        .where(~sa.exists().where(Placement.enrollment_id == Enrollment.id),
               sa.or_(sa.and_(Enrollment.status == EnrollmentStatus.ACTIVE, Cohort.closed_at.is_(None)),
                      TrainingOutcome.id.is_not(None)))
        .options(joinedload(Enrollment.trainee), contains_cohort())
        .order_by(Cohort.start_date, Enrollment.id)
    ).all()
    coaches = [(u, cap if cap is not None else default_capacity, taken or 0) for u, cap, taken in session.execute(
        sa.select(User, CoachSeats.capacity, CoachSeats.taken).outerjoin(CoachSeats, CoachSeats.coach_id == User.id)
        .where(User.role == Role.MENTOR, User.active.is_(True)).order_by(User.name))]
    outcomes = [p.placement.outcome for p in placed]
    counts = {
        "placed": len(placed),
        "in_buffer": sum(1 for o in outcomes if o is None or o == BufferOutcome.EXTENDED),
        "completed": sum(1 for o in outcomes if o == BufferOutcome.COMPLETED),
        "not_placed": len(unplaced),
        # still in training is not yet a missing outcome: only once the cohort's training weeks are over
        "no_outcome": sum(1 for e, o in unplaced if o is None and training_over(e, today)),
        "in_training": sum(1 for e, o in unplaced if o is None and not training_over(e, today)),
    }
    return Overview(placed, [tuple(r) for r in unplaced], coaches, counts, totals)


def training_over(enrollment: Enrollment, today: date) -> bool:
    return clock.week_of(enrollment.cohort.start_date, today) > enrollment.cohort.program.weeks


def contains_cohort():
    return joinedload(Enrollment.cohort).joinedload(Cohort.program)


def agents(session: Session, active_only: bool = False) -> list[Agent]:
    stmt = sa.select(Agent).order_by(Agent.name, Agent.version)
    if active_only:
        stmt = stmt.where(Agent.active.is_(True))
    return list(session.scalars(stmt))


def mentors(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).where(User.role == Role.MENTOR, User.active.is_(True))
                                .order_by(User.mentor_kind, User.name)))

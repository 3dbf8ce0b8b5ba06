"""Placement and the 1:1 buffer period: agents, placements, outcomes for those not
placed, buffer coach seats, weekly check-ins, hand-off events from the service
platform and the business calendar's admin overrides."""

import enum
from datetime import date, datetime, timedelta
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import TimestampMixin, enum_column, utcnow
from lms.models.catalog import TargetRole
from lms.models.cohorts import Enrollment
from lms.models.people import User


class ReasonCode(enum.StrEnum):
    """Why an outcome happened; one list for training and buffer outcomes (reports group by it)."""

    SKILLS_GAP = "skills_gap"
    NO_OPENING = "no_opening"
    PERFORMANCE = "performance"
    PERSONAL = "personal"
    HEALTH = "health"
    BUSINESS_CHANGE = "business_change"
    OWN_CHOICE = "own_choice"
    GOAL_MET = "goal_met"
    OTHER = "other"


class TrainingOutcomeKind(enum.StrEnum):
    """What became of a trainee who was not placed."""

    EXTENDED_TRAINING = "extended_training"
    REDEPLOYED = "redeployed"
    RETURNED = "returned"
    LEFT = "left"


class BufferOutcome(enum.StrEnum):
    COMPLETED = "completed"  # counts as transition success
    EXTENDED = "extended"  # the buffer runs on to a new end date
    REDEPLOYED = "redeployed"
    LEFT = "left"


class DayKind(enum.StrEnum):
    WORKDAY = "workday"
    HOLIDAY = "holiday"


class Agent(TimestampMixin, db.Model):
    """An AI agent a placed person works with, as the service platform names it."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The platform's identifier: hand-off files name the agent by it (or by name).
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    platform: Mapped[str] = mapped_column(sa.String(120))
    version: Mapped[str] = mapped_column(sa.String(40))
    owner_team: Mapped[str] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class Placement(TimestampMixin, db.Model):
    """A trainee placed in a new role, paired with one agent, coached through the buffer."""

    __tablename__ = "placements"
    __table_args__ = (sa.CheckConstraint("buffer_end > start_date", name="buffer_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"), unique=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[TargetRole] = enum_column(TargetRole)
    team: Mapped[str] = mapped_column(sa.String(120))
    lead_name: Mapped[str] = mapped_column(sa.String(120))
    lead_email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("agents.id"), index=True)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    start_date: Mapped[date]
    # start + 90 days; an "extended" outcome moves it
    buffer_end: Mapped[date]
    pay_band_before: Mapped[Optional[str]] = mapped_column(sa.String(40))  # admins only (permissions)
    pay_band_after: Mapped[Optional[str]] = mapped_column(sa.String(40))
    outcome: Mapped[Optional[BufferOutcome]] = enum_column(BufferOutcome, nullable=True)
    outcome_reason: Mapped[Optional[ReasonCode]] = enum_column(ReasonCode, nullable=True)
    outcome_note: Mapped[Optional[str]] = mapped_column(sa.String(1000))
    outcome_on: Mapped[Optional[date]]
    placed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    enrollment: Mapped[Enrollment] = relationship()
    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    agent: Mapped[Agent] = relationship()
    checkins: Mapped[list["CheckIn"]] = relationship(back_populates="placement", order_by="CheckIn.week")

    @property
    def closed(self) -> bool:
        """The buffer is over for good (an "extended" outcome keeps it running)."""
        return self.outcome is not None and self.outcome != BufferOutcome.EXTENDED

    @property
    def last_day(self) -> date:
        """The period's last day, inclusive (`buffer_end` is the day after it: day 90 is start + 89)."""
        return self.buffer_end - timedelta(days=1)


class TrainingOutcome(db.Model):
    """The recorded outcome of a trainee who was not placed (one per enrollment)."""

    __tablename__ = "training_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"), unique=True)
    kind: Mapped[TrainingOutcomeKind] = enum_column(TrainingOutcomeKind)
    reason: Mapped[ReasonCode] = enum_column(ReasonCode)
    note: Mapped[str] = mapped_column(sa.String(1000))
    on: Mapped[date]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enrollment: Mapped[Enrollment] = relationship()


class CoachSeats(db.Model):
    """A mentor's buffer-coaching capacity, apart from their training capacity
    (`users.capacity`), so placed people never take the next cohort's seats. `taken`
    is a counter for the same reason as `users.mentor_load`: one atomic UPDATE."""

    __tablename__ = "coach_seats"
    __table_args__ = (sa.CheckConstraint("taken >= 0 AND taken <= capacity", name="load_within_capacity"),)

    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0, server_default="0")


class CheckIn(TimestampMixin, db.Model):
    """The coach's weekly 1:1 with a placed person; week 1 starts on the placement start."""

    __tablename__ = "checkins"
    __table_args__ = (
        sa.UniqueConstraint("placement_id", "week"),
        sa.CheckConstraint("wellbeing BETWEEN 1 AND 5", name="wellbeing_range"),
        sa.CheckConstraint("agent_share BETWEEN 0 AND 100", name="agent_share_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    week: Mapped[int]
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    agent_share: Mapped[int]  # % of conversations the agent closed alone
    handoffs: Mapped[int]  # hand-offs the person received
    went_well: Mapped[str] = mapped_column(sa.Text)
    hard: Mapped[str] = mapped_column(sa.Text)
    wellbeing: Mapped[int]  # 1–5
    actions: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)  # [{"action", "owner"}]
    trainee_note: Mapped[Optional[str]] = mapped_column(sa.Text)

    placement: Mapped[Placement] = relationship(back_populates="checkins")


class HandoffEvent(db.Model):
    """One exception the agent flagged to the person, as the service platform exported it.

    Elapsed times are worked out when the event is stored (calendar seconds always;
    working seconds when the business calendar knows the dates), so the weekly
    metrics are plain SQL aggregates over these columns.
    """

    __tablename__ = "handoff_events"
    __table_args__ = (sa.Index("ix_handoff_events_placement_week", "placement_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("agents.id"))
    week: Mapped[int]  # buffer week of flagged_at (1 = the placement's first week)
    flagged_at: Mapped[datetime]  # naive UTC, like every stored time
    responded_at: Mapped[Optional[datetime]]
    closed_at: Mapped[Optional[datetime]]
    complex: Mapped[bool]
    cross_team: Mapped[bool]
    category: Mapped[str] = mapped_column(sa.String(100))
    response_seconds: Mapped[Optional[int]]
    close_seconds: Mapped[Optional[int]]
    response_work_seconds: Mapped[Optional[int]]
    close_work_seconds: Mapped[Optional[int]]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarOverride(db.Model):
    """An admin's word on one date (a year the holiday package does not know yet, or a company day)."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[DayKind] = enum_column(DayKind)
    note: Mapped[str] = mapped_column(sa.String(200), default="")

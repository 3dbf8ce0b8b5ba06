"""Cohorts, enrollments, intake baselines and mentor assignments."""

import enum
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow
from lms.models.catalog import Competency, Program, TargetRole
from lms.models.people import MentorKind, User


class SourceRole(enum.StrEnum):
    """The repetitive job a trainee leaves, for reporting."""

    BASIC_CS = "basic_cs"
    ORDER_CLERK = "order_clerk"
    LOGISTICS_ENTRY = "logistics_entry"
    OTHER = "other"


class EnrollmentStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"))
    # First day of week 0 (intake); every week, due date and phase derive from it.
    start_date: Mapped[date]
    closed_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    program: Mapped[Program] = relationship()
    enrollments: Mapped[list["Enrollment"]] = relationship(back_populates="cohort")


class Enrollment(db.Model):
    __tablename__ = "enrollments"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "trainee_id"),
        # One active enrollment in an open cohort per trainee, held by the database
        # so two admins enrolling at once cannot both succeed (both databases).
        sa.Index(
            "uq_enrollments_one_active",
            "trainee_id",
            unique=True,
            sqlite_where=sa.text("status = 'active' AND cohort_open"),
            postgresql_where=sa.text("status = 'active' AND cohort_open"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    target_role: Mapped[TargetRole] = enum_column(TargetRole)
    source_role: Mapped[Optional[SourceRole]] = enum_column(SourceRole, nullable=True)
    status: Mapped[EnrollmentStatus] = enum_column(EnrollmentStatus, default=EnrollmentStatus.ACTIVE)
    # Copy of `cohort.closed_at IS NULL` (cleared by close_cohort): an index cannot
    # look at another table, and a closed cohort's trainees may join a new one.
    cohort_open: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    withdrawn_on: Mapped[Optional[date]]
    withdrawn_reason: Mapped[Optional[str]] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")
    trainee: Mapped[User] = relationship()
    assignments: Mapped[list["MentorAssignment"]] = relationship(
        back_populates="enrollment", order_by="MentorAssignment.id"
    )
    baselines: Mapped[list["BaselineRating"]] = relationship(back_populates="enrollment")

    @property
    def active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE

    def current_mentor(self, kind: MentorKind) -> Optional[User]:
        for a in self.assignments:
            if a.kind == kind and a.ended_at is None:
                return a.mentor
        return None


class BaselineSource(enum.StrEnum):
    """Where an intake baseline came from."""

    DIAGNOSTIC = "diagnostic"  # the intake diagnostic's score (a mentor may have adjusted it)
    MENTOR = "mentor"  # typed by a mentor, with no diagnostic behind it


class BaselineRating(db.Model):
    """The intake level of one competency, in % (the scale and threshold of rubric attainment).

    From the intake diagnostic (`diagnostic_score` keeps its score for good) or rated by a
    mentor; a mentor's adjustment sets `score`, `rated_by`, `rated_at` and `reason`, and the
    audit log keeps every earlier value.
    """

    __tablename__ = "baseline_ratings"
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "competency"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"))
    competency: Mapped[Competency] = enum_column(Competency)
    score: Mapped[int]
    source: Mapped[BaselineSource] = enum_column(
        BaselineSource, default=BaselineSource.MENTOR, server_default=BaselineSource.MENTOR.value)
    diagnostic_score: Mapped[Optional[int]]
    # the mentor who rated or last adjusted it (None: the diagnostic's score, untouched)
    rated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[Optional[str]] = mapped_column(sa.String(500))

    enrollment: Mapped[Enrollment] = relationship(back_populates="baselines")
    rated_by: Mapped[Optional[User]] = relationship()

    @property
    def adjusted(self) -> bool:
        """A diagnostic score a mentor has changed (or confirmed with a reason)."""
        return self.source == BaselineSource.DIAGNOSTIC and self.rated_by_id is not None


class MentorAssignment(db.Model):
    """One mentor coaching one enrollment for a while; closed rows are the history."""

    __tablename__ = "mentor_assignments"
    __table_args__ = (
        # At most one open assignment per enrollment and kind, on both databases.
        sa.Index(
            "uq_mentor_assignments_open",
            "enrollment_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        # An enrollment's current mentor of a kind, read from the index alone (SQLite reads the
        # table for `ended_at` through the partial index above): who lacks a mentor is counted
        # for every enrollment on the admin home, and rosters name each row's mentors.
        sa.Index("ix_mentor_assignments_enrollment_kind", "enrollment_id", "kind", "ended_at", "mentor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"))  # indexed first, above
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[MentorKind] = enum_column(MentorKind)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[Optional[datetime]]
    reason: Mapped[str] = mapped_column(sa.String(500))
    end_reason: Mapped[Optional[str]] = mapped_column(sa.String(500))
    assigned_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    enrollment: Mapped[Enrollment] = relationship(back_populates="assignments")
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    assigned_by: Mapped[Optional[User]] = relationship(foreign_keys=[assigned_by_id])

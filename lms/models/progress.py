"""What a trainee has done: lessons completed, assessment submissions and grades."""

import enum
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import TimestampMixin, enum_column, utcnow
from lms.models.catalog import Assessment, Lesson
from lms.models.people import MentorKind, User


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (sa.UniqueConstraint("trainee_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lessons.id"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)

    lesson: Mapped[Lesson] = relationship()


class SubmissionState(enum.StrEnum):
    DRAFT = "draft"  # being written, or sent back by a blocking auto-check: no attempt used
    SUBMITTED = "submitted"  # waiting for the mentor(s)
    GRADED = "graded"  # final: `passed` and `score` are set


class Submission(TimestampMixin, db.Model):
    """One attempt at an assessment."""

    __tablename__ = "submissions"
    __table_args__ = (
        sa.UniqueConstraint("trainee_id", "assessment_id", "attempt_no"),
        # a group's attempts are numbered per group, whichever member opened them
        sa.UniqueConstraint("group_id", "assessment_id", "attempt_no"),
        # A trainee's own work is asked as trainee_id IN (…) AND group_id IS NULL (capstone.credited):
        # with only single-column indexes SQLite, which keeps no statistics, read every individual
        # submission through the group_id index for a mentor's 50 trainees (5 ms at 2,000 trainees).
        sa.Index("ix_submissions_trainee_id_group_id", "trainee_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))  # indexed with group_id, above
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    attempt_no: Mapped[int] = mapped_column(default=1)
    # A capstone group's work: one submission for the whole group (`trainee_id` is the
    # member who opened it), graded once and credited to every member.
    group_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("capstone_groups.id"), index=True)
    state: Mapped[SubmissionState] = enum_column(SubmissionState, default=SubmissionState.DRAFT, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # [{"field", "kind", "passed", "blocking", "message": {zh_CN, en}}] of the last run
    checks: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # Every run, blocked or not: [{"at": ISO time, "submitted": bool, "results": [{"field", "kind", "passed"}]}],
    # so the mentor sees how many tries a submission took (answers cannot be guessed unseen).
    check_runs: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # Bumped on every change; a grade names the version it was made against, so
    # two mentors (or tabs) saving at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    score: Mapped[Optional[float]]  # final weighted rubric score, %
    passed: Mapped[Optional[bool]]
    submitted_at: Mapped[Optional[datetime]]
    graded_at: Mapped[Optional[datetime]]

    trainee: Mapped[User] = relationship()
    assessment: Mapped[Assessment] = relationship()
    group: Mapped[Optional["CapstoneGroup"]] = relationship()  # noqa: F821 (lms.models.capstone)
    files: Mapped[list["SubmissionFile"]] = relationship(back_populates="submission", order_by="SubmissionFile.id")
    grades: Mapped[list["Grade"]] = relationship(back_populates="submission", order_by="Grade.id")

    @property
    def blocked_tries(self) -> int:
        """Submits sent back by a format check before this attempt went in."""
        return sum(1 for run in self.check_runs or [] if not run.get("submitted"))

    @property
    def tries(self) -> list[dict[str, Any]]:
        """The check runs, oldest first, with `at` as a (naive UTC) datetime and the failed results."""
        return [{**run, "at": datetime.fromisoformat(run["at"]),
                 "failed": [r for r in run["results"] if not r["passed"]]} for run in self.check_runs or []]

    def current_grade(self, kind: MentorKind) -> Optional["Grade"]:
        return next((g for g in self.grades if g.kind == kind and g.current), None)


class SubmissionFile(db.Model):
    """An uploaded file, stored outside static under a random name."""

    __tablename__ = "submission_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    field: Mapped[str] = mapped_column(sa.String(40))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the retention purge deleted the bytes (RETENTION_DAYS after grading): the
    # name stays, so the attempt still shows what was handed in.
    purged_at: Mapped[Optional[datetime]]

    submission: Mapped[Submission] = relationship(back_populates="files")


class Grade(db.Model):
    """One mentor's rubric grade of a submission. An amendment adds a new row and
    retires the old one (`current` false), so every grade stays in the history."""

    __tablename__ = "grades"
    __table_args__ = (
        sa.Index("uq_grades_current", "submission_id", "kind", unique=True,
                 sqlite_where=sa.text("current"), postgresql_where=sa.text("current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[MentorKind] = enum_column(MentorKind)
    points: Mapped[dict[str, int]] = mapped_column(sa.JSON)  # criterion code → points
    score: Mapped[float]  # weighted %, 0–100
    passed: Mapped[bool]
    feedback: Mapped[str] = mapped_column(sa.Text)
    current: Mapped[bool] = mapped_column(default=True)
    amended_from_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("grades.id"))
    amend_reason: Mapped[Optional[str]] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="grades")
    mentor: Mapped[User] = relationship()

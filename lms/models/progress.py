"""What a trainee has done: lessons completed and assessment submissions."""

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import TimestampMixin, enum_column, utcnow
from lms.models.catalog import Assessment, Lesson
from lms.models.people import User


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (sa.UniqueConstraint("trainee_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lessons.id"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)

    lesson: Mapped[Lesson] = relationship()


class SubmissionState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    GRADED = "graded"


class Submission(TimestampMixin, db.Model):
    """One attempt at an assessment. `passed` is set once grading is final."""

    __tablename__ = "submissions"
    __table_args__ = (sa.UniqueConstraint("trainee_id", "assessment_id", "attempt_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    attempt_no: Mapped[int] = mapped_column(default=1)
    state: Mapped[SubmissionState] = enum_column(SubmissionState, default=SubmissionState.DRAFT)
    passed: Mapped[Optional[bool]]
    submitted_at: Mapped[Optional[datetime]]
    graded_at: Mapped[Optional[datetime]]

    trainee: Mapped[User] = relationship()
    assessment: Mapped[Assessment] = relationship()

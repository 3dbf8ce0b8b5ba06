"""In-app notifications. Text is rendered from `kind` + `params` in the reader's
language when shown, not stored as a sentence."""

import enum
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import enum_column, utcnow


class NotificationKind(enum.StrEnum):
    SUBMISSION_WAITING = "submission_waiting"  # to a mentor: a submission needs your grade
    GRADED = "graded"  # to a trainee: your submission has its final result
    GRADE_AMENDED = "grade_amended"  # to a trainee: a grade of yours was amended
    CONTRIBUTION_UPDATE = "contribution_update"  # to a contributor: adopted, measured, awarded (contribution_id, state)
    DEFECT_UPDATE = "defect_update"  # to a reporter: a defect you reported moved (params: defect_id, state)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[NotificationKind] = enum_column(NotificationKind)
    submission_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("submissions.id"))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[datetime]]

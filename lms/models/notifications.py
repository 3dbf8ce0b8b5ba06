"""In-app notifications. Text is rendered from `kind` + `params` in the reader's
language when shown, not stored as a sentence."""

import enum
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow
from lms.models.people import User


class NotificationKind(enum.StrEnum):
    SUBMISSION_WAITING = "submission_waiting"  # to a mentor: a submission needs your grade
    GRADED = "graded"  # to a trainee: your submission has its final result
    GRADE_AMENDED = "grade_amended"  # to a trainee: a grade of yours was amended
    CONTRIBUTION_UPDATE = "contribution_update"  # to a contributor: adopted, measured, awarded (contribution_id, state)
    DEFECT_UPDATE = "defect_update"  # to a reporter: a defect you reported moved (params: defect_id, state)
    # Written by scheduled jobs (lms/jobs/), each once per dedupe key; texts in lms/notification_texts.py.
    ASSESSMENT_DUE = "assessment_due"  # to a trainee: work due within 48 hours
    WORK_OVERDUE = "work_overdue"  # to a trainee: work past its due date, not handed in
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"  # to the trainee, both mentors and admins: last attempt failed
    GRADING_WAITING = "grading_waiting"  # to a mentor: submissions waiting more than 48 hours
    TRAINEE_AT_RISK = "trainee_at_risk"  # to a mentor: at risk by lms/services/standing.py's rule
    CHECKIN_MISSING = "checkin_missing"  # to a buffer coach: a week ended without its check-in
    BUFFER_ENDS_SOON = "buffer_ends_soon"  # to the coach and the person: day 80 of 90
    BUFFER_OUTCOME_DUE = "buffer_outcome_due"  # to the coach and admins: the period is over, record the outcome
    DEFECT_SLA_BREACHED = "defect_sla_breached"  # to reviewers (urgent)
    DEFECT_ESCALATED = "defect_escalated"  # to admins (urgent): still breached after the escalation window
    MEASURE_EFFECT = "measure_effect"  # to reviewers: weeks after a fix, measure its effect
    AWARD_WAITING = "award_waiting"  # to admins: a qualifying award waits for approval
    RESPONSIBILITY_REVIEW = "responsibility_review"  # to reviewers: an item's quarterly review is near
    DIGEST_MENTOR = "digest_mentor"  # weekly
    DIGEST_ADMIN = "digest_admin"  # weekly


# What a job sends urgent (lms/jobs/defects.py): service-level breaches and escalations.
URGENT_KINDS = frozenset({NotificationKind.DEFECT_SLA_BREACHED, NotificationKind.DEFECT_ESCALATED})


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
                      # a job's notification is written once per key, however often the job runs
                      sa.UniqueConstraint("user_id", "dedupe_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[NotificationKind] = enum_column(NotificationKind)
    submission_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("submissions.id"))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[datetime]]
    dedupe_key: Mapped[Optional[str]] = mapped_column(sa.String(160))

    user: Mapped[User] = relationship()

    @property
    def urgent(self) -> bool:
        """Sent at once, quiet hours or not, and marked in the list."""
        return self.kind in URGENT_KINDS

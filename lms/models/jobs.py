"""Scheduled work: one row per run of a job for one period, and the outgoing deliveries
(e-mail, webhook) of the notifications jobs create, with each program's webhook."""

import enum
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow
from lms.models.notifications import Notification


class JobRunState(enum.StrEnum):
    RUNNING = "running"  # claimed; a crashed run stays here until the next tick takes it over
    OK = "ok"
    FAILED = "failed"  # the work rolled back; retried on the next tick while attempts are left


class JobRun(db.Model):
    """A job's run for one period. The unique (job, period) row is claimed (and committed)
    before the work starts, so two scheduler processes never both do a period's work."""

    __tablename__ = "job_runs"
    __table_args__ = (sa.UniqueConstraint("job", "period"), sa.Index("ix_job_runs_job_started", "job", "started_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(64))
    period: Mapped[str] = mapped_column(sa.String(32))  # the period's start, local time: "2026-11-30 08:00"
    period_start: Mapped[datetime]  # naive UTC
    state: Mapped[JobRunState] = enum_column(JobRunState)
    attempts: Mapped[int] = mapped_column(default=1)
    owner: Mapped[str] = mapped_column(sa.String(120))  # host:pid of the process running it
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[datetime]]
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    error: Mapped[Optional[str]] = mapped_column(sa.Text)


class DeliveryChannel(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class Delivery(db.Model):
    """One notification to go out on one channel, not before `deliver_after` (the end of the
    recipient's quiet hours for a non-urgent one). A sender leases a row (`claimed_until`)
    before sending, so two senders do not send it twice."""

    __tablename__ = "deliveries"
    __table_args__ = (sa.UniqueConstraint("notification_id", "channel"),
                      sa.Index("ix_deliveries_due", "state", "deliver_after"))

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id"))
    channel: Mapped[DeliveryChannel] = enum_column(DeliveryChannel)
    program_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("programs.id"))  # the webhook's program
    urgent: Mapped[bool] = mapped_column(default=False)
    state: Mapped[DeliveryState] = enum_column(DeliveryState, default=DeliveryState.PENDING)
    deliver_after: Mapped[datetime]
    held: Mapped[bool] = mapped_column(default=False)  # deferred by quiet hours at least once
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[Optional[datetime]]
    sent_at: Mapped[Optional[datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    notification: Mapped[Notification] = relationship()


class ProgramWebhook(db.Model):
    """A program's outgoing webhook: every notification about its people is POSTed as JSON,
    signed with HMAC-SHA256 of the timestamp and body under `secret`, for a WeCom / DingTalk /
    Feishu relay. The secret is shown once when made, never again."""

    __tablename__ = "program_webhooks"

    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"), primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    secret: Mapped[str] = mapped_column(sa.String(128))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

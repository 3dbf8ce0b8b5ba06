"""What the command line's `jobs list` and the admin's Scheduled jobs page show: per job its
latest run (period, start, end, outcome, counts, error) and when it runs next; and the outbox."""

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.jobs.registry import JOBS, Job
from lms.models import Delivery, DeliveryState, JobRun

# The latest run of every job in one statement (a window over the runs of each job).
_RANKED = (sa.select(JobRun.id, sa.func.row_number().over(partition_by=JobRun.job,
                                                          order_by=(JobRun.started_at.desc(), JobRun.id.desc()))
                     .label("n")).subquery())
_LATEST = sa.select(JobRun).join(_RANKED, _RANKED.c.id == JobRun.id).where(_RANKED.c.n == 1)
_OUTBOX = sa.select(
    sa.func.count(Delivery.id).filter(Delivery.state == DeliveryState.PENDING),
    sa.func.count(Delivery.id).filter(Delivery.state == DeliveryState.PENDING, Delivery.held.is_(True),
                                      Delivery.deliver_after > sa.bindparam("now")),
    sa.func.count(Delivery.id).filter(Delivery.state == DeliveryState.FAILED))


@dataclass
class JobStatus:
    job: Job
    last: Optional[JobRun]
    next_run: datetime  # naive UTC


def statuses(session: Session, now: datetime, timezone: str) -> list[JobStatus]:
    latest = {run.job: run for run in session.scalars(_LATEST)}
    return [JobStatus(job, latest.get(job.name), job.schedule.next_run(now, timezone)) for job in JOBS]


@dataclass
class OutboxCounts:
    waiting: int
    held: int  # waiting for someone's quiet hours to end
    failed: int


def outbox(session: Session, now: datetime) -> OutboxCounts:
    return OutboxCounts(*session.execute(_OUTBOX, {"now": now}).one())

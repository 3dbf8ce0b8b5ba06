"""Data kept no longer than needed (PIPL): the daily retention purge of defect excerpts,
screenshots and uploaded work past RETENTION_DAYS (lms/services/retention.py does the work),
and the scheduler's own history past a month."""

from datetime import timedelta

import sqlalchemy as sa

from lms.jobs.context import JobContext
from lms.models import Delivery, DeliveryState, JobRun, JobRunState
from lms.services.retention import purge_expired
from lms.storage import storage_for


def retention_purge(ctx: JobContext) -> None:
    """Idempotent by nature: what was purged is marked and is not found again."""
    storage = storage_for(ctx.settings.storage, ctx.session)
    report = purge_expired(ctx.session, storage, ctx.now, ctx.settings.retention)
    ctx.counts.update({key: value for key, value in report.counts.items() if value})


HISTORY_DAYS = 30  # the Scheduled jobs page shows the last run; older runs only fill the table


def history_purge(ctx: JobContext) -> None:
    """Finished job runs and sent or abandoned deliveries older than HISTORY_DAYS: the every-minute
    jobs add ~1,700 runs a day. A period that old is never claimed again (the catch-up runs the
    current period only), so removing its row cannot make it run twice."""
    cutoff = ctx.now - timedelta(days=HISTORY_DAYS)
    runs = ctx.session.execute(
        sa.delete(JobRun).where(JobRun.state != JobRunState.RUNNING, JobRun.finished_at < cutoff)
        .execution_options(synchronize_session=False)).rowcount
    sent = ctx.session.execute(
        sa.delete(Delivery).where(Delivery.state != DeliveryState.PENDING, Delivery.created_at < cutoff)
        .execution_options(synchronize_session=False)).rowcount
    ctx.counts.update({key: value for key, value in {"job_runs": runs, "deliveries": sent}.items() if value})

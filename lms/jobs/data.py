"""Data kept no longer than needed (PIPL): the daily retention purge of defect excerpts,
screenshots and uploaded work past RETENTION_DAYS (lms/services/retention.py does the work)."""

from lms.jobs.context import JobContext
from lms.services.retention import purge_expired
from lms.storage import storage_for


def retention_purge(ctx: JobContext) -> None:
    """Idempotent by nature: what was purged is marked and is not found again."""
    storage = storage_for(ctx.settings.storage, ctx.session)
    report = purge_expired(ctx.session, storage, ctx.now, ctx.settings.retention)
    ctx.counts.update({key: value for key, value in report.counts.items() if value})

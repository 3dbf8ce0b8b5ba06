"""The outbox's sender as a job: every minute, e-mail and webhook messages that are due
(quiet hours over, or urgent) go out (lms/services/sending.py)."""

from lms.jobs.context import JobContext
from lms.services.sending import send_due


def deliveries(ctx: JobContext) -> None:
    for name, n in send_due(ctx.session, ctx.now, ctx.settings.send).items():
        if n:
            ctx.count(name, n)

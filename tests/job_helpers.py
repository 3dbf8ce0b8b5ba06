"""Running jobs in tests: through the runner (claims the period), or the job's work alone, as a
retry after a crash would run it again for the same period."""

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
import time_machine

from lms.extensions import db
from lms.jobs.context import JobContext, JobSettings
from lms.jobs.registry import BY_NAME
from lms.jobs.runner import RunResult, run_job
from lms.models import Delivery, Notification
from lms.services.outbox import Outbox


def job_settings(app, **changes) -> JobSettings:
    return replace(JobSettings.from_config(app.config), **changes)


def run(app, name: str, now: datetime, **changes) -> RunResult:
    """The runner at a frozen `now` (naive UTC): claims the period, works, records."""
    with time_machine.travel(now, tick=False), app.app_context():
        return run_job(BY_NAME[name], now, job_settings(app, **changes))


def work(app, name: str, now: datetime, **changes) -> int:
    """The job's work alone at a frozen `now`, committed; returns the notifications it wrote."""
    with time_machine.travel(now, tick=False), app.app_context():
        settings = job_settings(app, **changes)
        job = BY_NAME[name]
        outbox = Outbox(db.session, settings.timezone, settings.email)
        job.run(JobContext(db.session, now, job.schedule.period(now, settings.timezone), settings, outbox))
        db.session.commit()
        return outbox.created


def twice(app, name: str, now: datetime, **changes) -> int:
    """Run the work twice in a row at `now`: the second run must write nothing; returns the first's count."""
    first = work(app, name, now, **changes)
    assert work(app, name, now, **changes) == 0, f"{name} wrote again at {now}"
    return first


def notes(app, kind=None) -> list[tuple[int, str, dict]]:
    """(user id, kind, params) of every notification, oldest first."""
    with app.app_context():
        query = sa.select(Notification).order_by(Notification.id)
        if kind is not None:
            query = query.where(Notification.kind == kind)
        return [(n.user_id, n.kind.value, n.params) for n in db.session.scalars(query)]


def deliveries(app) -> list[Delivery]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Delivery).order_by(Delivery.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def enrolled_on(app, enrollment_id: int, day: datetime) -> None:
    """Date the enrollment back (it is created at the test's real time, after the frozen job times):
    the at-risk rule counts inactivity only of trainees enrolled that long."""
    from lms.models import Enrollment

    with app.app_context():
        db.session.get(Enrollment, enrollment_id).created_at = day
        db.session.commit()

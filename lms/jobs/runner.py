"""Running a job exactly once per period, however many scheduler processes there are.

1. PostgreSQL: take the job's advisory lock (`pg_try_advisory_lock`, on a connection of its
   own, held until the run ends). Taken elsewhere: another live process runs this job; skip.
2. Claim the period: INSERT the (job, period) row as `running`, ON CONFLICT DO NOTHING, and
   commit. A row that exists already is taken over only when it is `failed` with attempts
   left, or `running` but dead: on PostgreSQL any `running` row is dead while we hold the
   job's lock (its process would hold it; a killed process's connection released it), on
   SQLite once it is JOB_STALE_SECONDS old.
3. Do the work and mark the row `ok` with its counts in ONE transaction: a crash before the
   commit leaves no half-applied period (the database rolls the work back) and the row
   `running`, which the next tick takes over. A job that raises is rolled back and its row
   marked `failed` with the error.

The work is idempotent besides (notification dedupe keys), so even a retried period never
writes twice.
"""

import logging
import os
import socket
import time
import traceback
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.jobs.context import JobContext, JobSettings
from lms.jobs.registry import JOBS, Job
from lms.jobs.schedule import Period
from lms.models import JobRun, JobRunState
from lms.models.base import utcnow
from lms.services.outbox import Outbox

log = logging.getLogger("lms.jobs")
LOCK_NAMESPACE = 0x4C4D53  # "LMS": the first key of the two-key advisory lock


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@dataclass
class RunResult:
    job: str
    period: Period
    status: str  # ok | failed | done (the period ran before) | busy (another process runs the job now)
    counts: dict = field(default_factory=dict)
    error: Optional[str] = None


class JobLock:
    """PostgreSQL: the job's session-level advisory lock on a dedicated connection (released by
    the database when the process dies). Other databases: always granted (SQLite: one process)."""

    def __init__(self, engine: sa.Engine, name: str):
        self.engine, self.key, self.connection, self.held = engine, zlib.crc32(name.encode()) & 0x7FFFFFFF, None, False

    @property
    def real(self) -> bool:
        return self.connection is not None

    def __enter__(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        self.connection = self.engine.connect()
        self.held = bool(self.connection.scalar(sa.text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                                {"ns": LOCK_NAMESPACE, "key": self.key}))
        self.connection.commit()  # end the implicit transaction; a session-level lock outlives it
        return self.held

    def __exit__(self, *exc) -> None:
        if self.connection is None:
            return
        try:
            if self.held:
                self.connection.execute(sa.text("SELECT pg_advisory_unlock(:ns, :key)"),
                                        {"ns": LOCK_NAMESPACE, "key": self.key})
                self.connection.commit()
        except Exception:  # never hand a connection that may still hold the lock back to the pool
            self.connection.invalidate()
            raise
        finally:
            self.connection.close()


def _insert(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def claim(session: Session, job: str, period: Period, owner: str, settings: JobSettings,
          locked: bool) -> Optional[int]:
    """The run row's id if this process now owns the period (committed), else None."""
    now = utcnow()
    run_id = session.scalar(
        _insert(session)(JobRun)
        .values(job=job, period=period.key, period_start=period.start, state=JobRunState.RUNNING, attempts=1,
                owner=owner, started_at=now, counts={})
        .on_conflict_do_nothing(index_elements=["job", "period"]).returning(JobRun.id))
    if run_id is not None:
        session.commit()
        return run_id
    row = session.execute(sa.select(JobRun.id, JobRun.state, JobRun.attempts, JobRun.owner, JobRun.started_at)
                          .where(JobRun.job == job, JobRun.period == period.key)).one()
    dead = row.state == JobRunState.RUNNING and (
        locked or row.started_at < now - timedelta(seconds=settings.stale_seconds))
    retry = row.state == JobRunState.FAILED and row.attempts < settings.max_attempts
    if not (dead or retry):
        session.rollback()
        return None
    taken = session.execute(
        sa.update(JobRun)
        .where(JobRun.id == row.id, JobRun.state == row.state, JobRun.owner == row.owner,
               JobRun.attempts == row.attempts)
        .values(state=JobRunState.RUNNING, owner=owner, attempts=row.attempts + 1, started_at=now, finished_at=None)
        .execution_options(synchronize_session=False)).rowcount == 1
    session.commit()
    if taken:
        log.warning("%s %s: taking over a %s run (attempt %d)", job, period.key, row.state.value, row.attempts + 1)
    return row.id if taken else None


class LostClaim(RuntimeError):
    """Another process took the period over meanwhile (SQLite's stale rule): this run's work is dropped."""


def run_job(job: Job, now: datetime, settings: JobSettings, owner: Optional[str] = None) -> RunResult:
    """Run `job` for the period `now` falls in, unless that period ran already. Needs an app context."""
    owner = owner or owner_name()
    period = job.schedule.period(now, settings.timezone)
    session = db.session
    with JobLock(db.engine, job.name) as granted:
        if not granted:
            return RunResult(job.name, period, "busy")
        run_id = claim(session, job.name, period, owner, settings, locked=db.engine.dialect.name == "postgresql")
        if run_id is None:
            return RunResult(job.name, period, "done")
        context = JobContext(session, now, period, settings, Outbox(session, settings.timezone, settings.email))
        try:
            job.run(context)
            counts = {k: v for k, v in {"notifications": context.outbox.created, "held": context.outbox.held,
                                        **context.counts}.items() if v}
            if settings.pause_seconds:
                time.sleep(settings.pause_seconds)  # testing: a process killed here must leave nothing behind
            finished = session.execute(
                sa.update(JobRun).where(JobRun.id == run_id, JobRun.owner == owner,
                                        JobRun.state == JobRunState.RUNNING)
                .values(state=JobRunState.OK, finished_at=utcnow(), counts=counts, error=None)
                .execution_options(synchronize_session=False)).rowcount
            if finished != 1:
                raise LostClaim(f"{job.name} {period.key} was taken over by another process")
            session.commit()
        except Exception as error:  # noqa: BLE001  # recorded on the run; the next tick retries it
            session.rollback()
            text = "".join(traceback.format_exception(error, limit=-6))[-4000:]
            log.error("%s %s failed: %s", job.name, period.key, text)
            session.execute(
                sa.update(JobRun).where(JobRun.id == run_id, JobRun.owner == owner)
                .values(state=JobRunState.FAILED, finished_at=utcnow(), error=text)
                .execution_options(synchronize_session=False))
            session.commit()
            return RunResult(job.name, period, "failed", error=f"{type(error).__name__}: {error}")
    log.info("%s %s: %s", job.name, period.key, counts or "nothing to do")
    return RunResult(job.name, period, "ok", counts)


def run_due(now: datetime, settings: JobSettings, names: Optional[list[str]] = None,
            owner: Optional[str] = None) -> list[RunResult]:
    """The catch-up tick: run every job (of `names`) whose current period has not finished,
    whether the scheduler was stopped at its time, a run crashed, or one failed."""
    jobs = [j for j in JOBS if names is None or j.name in names]
    periods = {j.name: j.schedule.period(now, settings.timezone) for j in jobs}
    finished = set(db.session.execute(
        sa.select(JobRun.job, JobRun.period).where(
            JobRun.job.in_(list(periods)), JobRun.period.in_({p.key for p in periods.values()}),
            sa.or_(JobRun.state == JobRunState.OK, JobRun.attempts >= settings.max_attempts))).tuples())
    db.session.rollback()
    return [run_job(j, now, settings, owner) for j in jobs if (j.name, periods[j.name].key) not in finished]

"""Two `flask lms scheduler` processes against one database: every job period runs once; a
process killed in the middle of a run leaves nothing of it, and the period is completed once by
the next tick. Real `flask lms scheduler` processes with a one-second catch-up tick."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.jobs.context import JobSettings
from lms.jobs.registry import JOBS
from lms.jobs.runner import run_due
from lms.models import AgentDefect, AuditEvent, JobRun, JobRunState, Notification
from lms.models.base import utcnow
from tests.defect_fixtures import log, placed

REPO = Path(__file__).resolve().parent.parent


def _start(app, tmp_path, name: str, *args: str, **env) -> subprocess.Popen:
    environment = {**os.environ, "LMS_CONFIG": "testing", "FLASK_DEBUG": "0",
                   "LMS_TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SCHEDULER_TICK_SECONDS": "1",
                   "LMS_INSTANCE_DIR": str(tmp_path / "instance"), **env}
    environment.pop("LMS_SCHEDULER_IN_PROCESS", None)
    out = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115  # closed with the process
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "lms", "scheduler", *args], cwd=REPO,
                            env=environment, stdout=out, stderr=subprocess.STDOUT)


def _stop(*processes: subprocess.Popen) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _wait(app, condition, seconds: float, what: str, logs) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            if condition(db.session):
                return
            db.session.remove()
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n" + "\n".join(p.read_text()[-3000:] for p in logs))


@pytest.fixture
def breached(app, trainee_with_mentors, make_user):
    """A defect nobody answered for three hours: a breach for the reviewer, an escalation for the admin."""
    pid = placed(app, trainee_with_mentors)
    make_user("mentor", reviewer=True)
    make_user("admin")
    with app.app_context():
        defect_id = log(db.session, pid, utcnow() - timedelta(hours=3)).id
        db.session.commit()
    return defect_id


def test_two_schedulers_run_each_job_period_once(app, tmp_path, breached):
    first, second = _start(app, tmp_path, "a"), _start(app, tmp_path, "b")
    try:
        def every_job_ran(session):
            done = set(session.scalars(sa.select(JobRun.job).where(JobRun.state == JobRunState.OK)))
            return done >= {j.name for j in JOBS}

        _wait(app, every_job_ran, 30, "every job to run", [tmp_path / "a.log", tmp_path / "b.log"])
        time.sleep(1.5)  # more ticks of both processes: they find every period done
    finally:
        _stop(first, second)
    with app.app_context():
        runs = db.session.execute(sa.select(JobRun.job, JobRun.period, JobRun.state, JobRun.attempts)).all()
        assert {r.job for r in runs} == {j.name for j in JOBS}
        assert all(r.state == JobRunState.OK and r.attempts == 1 for r in runs), runs  # nobody ran a period twice
        # what the runs say they wrote is all there is: no period's work was done by both processes
        written = sum(c.get("notifications", 0) for c in db.session.scalars(sa.select(JobRun.counts)))
        assert written == db.session.scalar(sa.select(sa.func.count(Notification.id))) > 2
        kinds = {k.value: n for k, n in db.session.execute(
            sa.select(Notification.kind, sa.func.count()).group_by(Notification.kind))}
        assert kinds["defect_sla_breached"] == kinds["defect_escalated"] == 1
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "defect.escalate")) == 1


def test_a_scheduler_killed_mid_run_leaves_no_half_applied_period(app, tmp_path, breached):
    doomed = _start(app, tmp_path, "doomed", "--job", "defect_sla", LMS_JOB_PAUSE_SECONDS="60")
    try:
        _wait(app, lambda s: s.scalar(sa.select(JobRun.state).where(JobRun.job == "defect_sla"))
              == JobRunState.RUNNING, 20, "the run to start", [tmp_path / "doomed.log"])
        time.sleep(0.5)  # its work is written, not committed: it pauses before the commit
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
        assert db.session.get(AgentDefect, breached).response_escalated_at is None
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "defect.escalate")) == 0
        run = db.session.scalar(sa.select(JobRun))
        assert run.state == JobRunState.RUNNING and run.attempts == 1
    # The next tick of another scheduler (this test's process runs the same catch-up tick) completes the
    # period. PostgreSQL knows the run is dead at once (its lock went with the killed connection);
    # SQLite only by its age, JOB_STALE_SECONDS.
    with app.app_context():
        settings = replace(JobSettings.from_config(app.config), stale_seconds=0)
        # the killed run's own period (the clock may have passed into the next one meanwhile)
        results = run_due(run.period_start, settings, ["defect_sla"], owner="survivor")
        assert [(r.job, r.status) for r in results] == [("defect_sla", "ok")]
    with app.app_context():
        runs = db.session.scalars(sa.select(JobRun)).all()
        assert [(r.period, r.attempts) for r in runs][:1] == [(run.period, 2)]
        assert all(r.state == JobRunState.OK for r in runs)
        kinds = sorted(k.value for k in db.session.scalars(sa.select(Notification.kind)))
        assert kinds == ["defect_escalated", "defect_sla_breached"]
        assert db.session.get(AgentDefect, breached).response_escalated_at is not None
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "defect.escalate")) == 1

"""The runner: a period runs once; a failure is recorded and retried; a crashed run is taken over
(PostgreSQL: at once, its lock is gone; SQLite: once stale); the command line and the admin page."""

from datetime import datetime, timedelta

import sqlalchemy as sa
import time_machine

from lms.extensions import db
from lms.jobs.registry import Job
from lms.jobs.runner import run_job
from lms.jobs.schedule import Daily, EveryMinutes, Weekly
from lms.models import JobRun, JobRunState, Notification, NotificationKind
from tests.conftest import login
from tests.job_helpers import enrolled_on, job_settings, run

NOW = datetime(2026, 11, 27, 2, 0)  # 10:00 in Shanghai, a Friday


def _runs(app) -> list[tuple]:
    with app.app_context():
        return [(r.job, r.period, r.state.value, r.attempts) for r in
                db.session.scalars(sa.select(JobRun).order_by(JobRun.id))]


def test_periods_follow_the_schedule_in_the_program_time_zone():
    zone = "Asia/Shanghai"
    assert Daily(8).period(NOW, zone).key == "2026-11-27 08:00"
    assert Daily(8).period(datetime(2026, 11, 26, 23, 59, 59), zone).key == "2026-11-26 08:00"  # 07:59:59 local
    assert Daily(8).period(datetime(2026, 11, 27, 0, 0), zone).key == "2026-11-27 08:00"  # 08:00 local
    assert Daily(8).period(NOW, zone).start == datetime(2026, 11, 27, 0, 0)
    assert EveryMinutes(5).period(datetime(2026, 11, 27, 2, 14, 59), zone).key == "2026-11-27 10:10"
    assert Weekly(0, 7, 30).period(NOW, zone).key == "2026-11-23 07:30"
    assert Weekly(0, 7, 30).period(datetime(2026, 11, 22, 23, 29), zone).key == "2026-11-16 07:30"
    assert Daily(8).next_run(NOW, zone) == datetime(2026, 11, 28, 0, 0)
    assert EveryMinutes(5).next_run(NOW, zone) == datetime(2026, 11, 27, 2, 5)


def _counting_job(calls: list) -> Job:
    def work(ctx):
        calls.append(ctx.period.key)
        admin = ctx.session.scalar(sa.text("SELECT id FROM users ORDER BY id LIMIT 1"))
        ctx.notify(admin, NotificationKind.DIGEST_ADMIN, f"test:{ctx.period.key}", cohorts=[], waiting=0,
                   breached=0, awards=0)
    return Job("counting", "Counting", Daily(8), work)


def test_a_period_runs_once_and_the_next_period_runs_again(app, make_user):
    make_user("admin")
    calls = []
    job = _counting_job(calls)
    with app.app_context():
        settings = job_settings(app)
        assert run_job(job, NOW, settings).status == "ok"
        assert run_job(job, NOW + timedelta(hours=5), settings).status == "done"
        assert run_job(job, NOW + timedelta(days=1), settings).status == "ok"
    assert calls == ["2026-11-27 08:00", "2026-11-28 08:00"]
    assert _runs(app) == [("counting", "2026-11-27 08:00", "ok", 1), ("counting", "2026-11-28 08:00", "ok", 1)]


def test_a_failing_job_is_rolled_back_recorded_and_retried_until_its_attempts_run_out(app, make_user):
    make_user("admin")
    attempts = []

    def broken(ctx):
        attempts.append(1)
        ctx.notify(ctx.session.scalar(sa.text("SELECT id FROM users LIMIT 1")), NotificationKind.DIGEST_ADMIN,
                   "half", cohorts=[], waiting=0, breached=0, awards=0)
        raise ValueError("the holiday calendar does not know 2027")

    job = Job("broken", "Broken", Daily(8), broken)
    with app.app_context():
        settings = job_settings(app, max_attempts=2)
        result = run_job(job, NOW, settings)
        assert result.status == "failed" and "2027" in result.error
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0  # its work rolled back
        row = db.session.scalar(sa.select(JobRun))
        assert row.state == JobRunState.FAILED and "ValueError" in row.error and row.finished_at
        assert run_job(job, NOW, settings).status == "failed"  # the next tick tries again
        assert run_job(job, NOW, settings).status == "done"  # attempts used up: left for a person
    assert len(attempts) == 2 and _runs(app)[0][2:] == ("failed", 2)


def test_a_crashed_run_is_taken_over(app, make_user):
    """A `running` row whose process died: PostgreSQL knows at once (the job's advisory lock was
    released with the dead connection); SQLite waits until the row is JOB_STALE_SECONDS old."""
    make_user("admin")
    calls = []
    job = _counting_job(calls)
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    with app.app_context():
        db.session.add(JobRun(job="counting", period="2026-11-27 08:00", period_start=datetime(2026, 11, 27),
                              state=JobRunState.RUNNING, owner="dead-host:1", started_at=NOW - timedelta(minutes=1)))
        db.session.commit()
        with time_machine.travel(NOW, tick=False):
            first = run_job(job, NOW, job_settings(app, stale_seconds=600)).status
        with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
            later = run_job(job, NOW + timedelta(minutes=10), job_settings(app, stale_seconds=600)).status
    if postgres:
        assert (first, later) == ("ok", "done")
    else:
        assert (first, later) == ("done", "ok")
    assert calls == ["2026-11-27 08:00"] and _runs(app) == [("counting", "2026-11-27 08:00", "ok", 2)]


def test_jobs_list_and_run_from_the_command_line(app, trainee_with_mentors):
    # enrolled before the cohort's start; in week 3, inactive since (lms/services/standing.py): at risk
    enrolled_on(app, trainee_with_mentors.enrollment_id, datetime(2026, 8, 31))
    runner = app.test_cli_runner()
    with time_machine.travel(NOW, tick=False):
        ran = runner.invoke(args=["lms", "jobs", "run", "trainees_at_risk", "--at", "2026-09-28T09:00",
                                  "--lang", "en"])
        assert ran.exit_code == 0, ran.output
        assert "trainees_at_risk, period 2026-09-28 08:15: done, 2 notifications." in ran.output
        again = runner.invoke(args=["lms", "jobs", "run", "trainees_at_risk", "--at", "2026-09-28T20:00+08:00",
                                    "--lang", "en"])
        assert "ran already" in again.output
        listed = runner.invoke(args=["lms", "jobs", "list", "--lang", "en"])
    lines = {line.split()[0]: line for line in listed.output.splitlines() if line}
    assert "trainees_at_risk" in lines and "Done (2 notifications)" in lines["trainees_at_risk"]
    assert "Every day at 08:15" in lines["trainees_at_risk"] and lines["trainees_at_risk"].endswith("2026-11-28 08:15")
    assert "Every 5 minutes" in lines["defect_sla"] and " — " in lines["defect_sla"]
    zh = runner.invoke(args=["lms", "jobs", "list"])
    assert "每天 08:15" in zh.output and "完成（2 条通知）" in zh.output and "(" not in zh.output
    bad = runner.invoke(args=["lms", "jobs", "run", "trainees_at_risk", "--at", "next tuesday", "--lang", "en"])
    assert bad.exit_code == 1 and "not an ISO time" in bad.output
    unknown = runner.invoke(args=["lms", "jobs", "run", "no_such_job"])
    assert unknown.exit_code == 2


def test_a_run_at_a_future_time_is_refused_and_changes_nothing(app, trainee_with_mentors):
    runner = app.test_cli_runner()
    with time_machine.travel(NOW, tick=False):
        ahead = runner.invoke(args=["lms", "jobs", "run", "weekly_digest", "--at", "2026-11-30T08:00",
                                    "--lang", "en"])
        zh = runner.invoke(args=["lms", "jobs", "run", "defect_sla", "--at", "2026-11-27T02:01+00:00"])
        present = runner.invoke(args=["lms", "jobs", "run", "defect_sla", "--at", "2026-11-27T10:00",
                                      "--lang", "en"])
    assert ahead.exit_code == 1 and "later than now" in ahead.output
    assert zh.exit_code == 1 and "晚于现在" in zh.output
    assert present.exit_code == 0, present.output
    assert [run[0] for run in _runs(app)] == ["defect_sla"]


def test_the_admin_page_lists_every_job_with_its_last_error_in_constant_statements(app, client, make_user,
                                                                                    count_queries):
    login(client, make_user("admin"))
    run(app, "defect_sla", NOW)
    with count_queries() as few:
        page = client.get("/admin/jobs")
    with app.app_context():
        for n in range(30):
            db.session.add(JobRun(job="defect_sla", period=f"old {n}", period_start=NOW, state=JobRunState.FAILED,
                                  owner="x", started_at=NOW - timedelta(days=n + 1), error="boom"))
        db.session.add(JobRun(job="weekly_digest", period="2026-11-23 07:30", period_start=NOW,
                              state=JobRunState.FAILED, owner="x", started_at=NOW, error="SMTPServerDisconnected: x"))
        db.session.commit()
    with count_queries() as many:
        page = client.get("/admin/jobs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Defect service levels and escalation" in html and "<code>defect_sla</code>" in html
    assert "Weekly digests" in html and "SMTPServerDisconnected" in html and "Last error" in html
    assert 'for the period from <time datetime="2026-11-27T02:00:00Z"' in html
    assert len(few.statements) == len(many.statements)
    assert client.get("/admin/jobs").status_code == 200


def test_only_admins_see_the_jobs_page(client, make_user):
    for role in ("mentor", "trainee", "lead"):
        login(client, make_user(role))
        assert client.get("/admin/jobs").status_code == 403
        assert client.get("/admin/webhooks").status_code == 403

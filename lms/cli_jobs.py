"""`flask --app wsgi lms scheduler` and `lms jobs list / run`: the scheduled jobs from the command line."""

import logging
import signal
from datetime import UTC, datetime
from typing import Optional
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from lms import labels
from lms.cli_support import fail, in_language
from lms.extensions import db
from lms.jobs.registry import BY_NAME
from lms.jobs.schedule import local
from lms.models.base import utcnow

jobs_cli = AppGroup("jobs", help="Scheduled jobs: list them, run one now.")
JOB_NAMES = click.Choice(sorted(BY_NAME))


def _zone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _when(moment: Optional[datetime]) -> str:
    return local(moment, _zone()).strftime("%Y-%m-%d %H:%M") if moment else "—"


@click.command("scheduler")
@click.option("--job", "names", multiple=True, type=JOB_NAMES,
              help="Run only this job (repeat for several); default: every job.")
@in_language
def scheduler_command(names: tuple[str, ...]) -> None:
    """Run the scheduled jobs in the foreground until stopped (production: exactly one such process)."""
    from lms.jobs.scheduler import build

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = build(current_app._get_current_object(), blocking=True, names=list(names) or None)

    def stop(signum, frame):
        scheduler.shutdown(wait=True)  # a running job finishes (or is rolled back by the database if killed)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(_("Scheduler running: %(jobs)d jobs, catching up every %(seconds)d seconds, times in %(zone)s. "
                 "Stop it with Ctrl+C.", jobs=len(names or BY_NAME),
                 seconds=current_app.config["SCHEDULER_TICK_SECONDS"], zone=_zone()))
    scheduler.start()


@jobs_cli.command("list")
@in_language
def jobs_list() -> None:
    """Each job: name, schedule, last run, outcome, next run (times in the program's time zone)."""
    from lms.jobs.status import statuses

    rows = [(_("Job"), _("Schedule"), _("Last run"), _("Outcome"), _("Next run"))]
    for s in statuses(db.session, utcnow(), _zone()):
        outcome = str(labels.JOB_OUTCOMES[s.last.state.value]) if s.last else "—"
        if s.last and s.last.state.value == "ok":
            outcome = _("%(outcome)s (%(counts)s)", outcome=outcome, counts=labels.job_counts(s.last.counts))
        rows.append((s.job.name, s.job.schedule.describe(), _when(s.last.started_at if s.last else None),
                     outcome, _when(s.next_run)))
    widths = [max(_width(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:4])) + "  "
                   + row[4])
    click.echo(_("Times in %(zone)s.", zone=_zone()))


def _width(text: str) -> int:
    """Columns a text takes in a terminal (a Chinese character takes two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _moment(value: Optional[str]) -> datetime:
    """--at as naive UTC: an ISO time with an offset, or without one in the program's time zone."""
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(_("--at: not an ISO time (e.g. 2026-11-30T08:00): %(value)s", value=value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(_zone()))
    return moment.astimezone(UTC).replace(tzinfo=None)


@jobs_cli.command("run")
@click.argument("name", type=JOB_NAMES)
@click.option("--at", "at", help="Run as if it were this time, not later than now (ISO, e.g. 2026-11-30T08:00; "
                                  "the program's time zone unless an offset is given). Default: now.")
@in_language
def jobs_run(name: str, at: Optional[str]) -> None:
    """Run one job now for its current period (or the period of --at); a period that ran already is not run again."""
    from lms.jobs.context import JobSettings
    from lms.jobs.runner import run_job

    moment = _moment(at)
    if moment > utcnow():
        # A future period's work is done for good (escalations before the SLA passed, a digest's
        # period consumed): only past or present times can be replayed.
        fail(_("--at: %(value)s is later than now; only a past time or now can be run.", value=at))
    result = run_job(BY_NAME[name], moment, JobSettings.from_config(current_app.config))
    period = result.period.key
    if result.status == "ok":
        click.echo(_("%(job)s, period %(period)s: done, %(counts)s.", job=name, period=period,
                     counts=labels.job_counts(result.counts)))
    elif result.status == "done":
        click.echo(_("%(job)s, period %(period)s: ran already; nothing done again.", job=name, period=period))
    elif result.status == "busy":
        fail(_("%(job)s is running in another process now; try again when it has finished.", job=name))
    else:
        fail(_("%(job)s, period %(period)s failed: %(error)s", job=name, period=period, error=result.error))


def register(lms_cli) -> None:
    lms_cli.add_command(scheduler_command)
    lms_cli.add_command(jobs_cli)

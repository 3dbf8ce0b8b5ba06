"""Operator commands: `flask --app wsgi lms ...`."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from lms.cli_support import fail, in_language
from lms.extensions import db
from lms.services import DomainError
from lms.services import people as people_service
from lms.vocabulary import column_label

lms_cli = AppGroup("lms", help="Reskill operator commands.")


def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


@lms_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@in_language
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin account (or fail if the email is taken)."""
    from lms.services.passwords import password_problem

    problem = password_problem(password, (email, name))
    if problem:
        fail(_("Password") + ": " + str(problem))  # a literal msgid, so extraction sees it
    try:
        user = people_service.create_person(
            db.session,
            None,
            {"email": email, "name": name, "role": "admin", "locale": "zh_CN"},
            password=password,
            hash_method=_hash_method(),
        )
    except DomainError as error:
        db.session.rollback()
        fail(f"{column_label(error.field or 'email')}: {error.message}")
    db.session.commit()
    click.echo(_("%(name)s was added.", name=user.email))


courses_cli = AppGroup("courses", help="Course files in courses/.")
lms_cli.add_command(courses_cli)


def _courses_path(path: str | None) -> str:
    return path or current_app.config["COURSES_DIR"]


@courses_cli.command("check")
@click.argument("path", required=False)
def courses_check(path: str | None) -> None:
    """Validate the course files; print every problem as `file: field: problem`."""
    from lms.services.catalog_files import load_catalog

    spec, problems = load_catalog(_courses_path(path))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems or spec is None:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    from lms.services.catalog_roles import weight_shares

    click.echo("ok: " + _size(spec.size()))
    click.echo("competency weight shares per tier (each assessment counts once):")
    for tier, shares in weight_shares(spec).items():
        click.echo(f"  {tier}: " + ", ".join(f"{code} {share:.1f}%" for code, share in shares.items()))
    if spec.diagnostic is not None:
        points: dict[str, int] = {}
        for item in spec.diagnostic.items:
            points[item["competency"]] = points.get(item["competency"], 0) + item["points"]
        click.echo(f"intake diagnostic: {len(spec.diagnostic.items)} items; points per competency: "
                   + ", ".join(f"{code} {n}" for code, n in points.items()))


def _size(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


@courses_cli.command("sync")
@click.argument("path", required=False)
def courses_sync(path: str | None) -> None:
    """Validate, then load the course files into the database in one transaction."""
    from lms.services.catalog_sync import sync_catalog

    report = sync_catalog(db.session, _courses_path(path))
    db.session.commit()  # a failed sync is recorded (with its errors), nothing else
    if not report.ok:
        for error in report.errors:
            click.echo(error, err=True)
        click.echo("nothing synced", err=True)
        sys.exit(1)
    click.echo(report.summary())
    click.echo("catalogue: " + _size(report.size))


@lms_cli.command("demo")
def demo() -> None:
    """Create (idempotently) the demo accounts and catalogue, and print the accounts."""
    if not current_app.config["ALLOW_DEMO_DATA"]:
        # Checked before anything is written: every demo account, the admin too, has a public password.
        raise click.ClickException(
            "refused under LMS_CONFIG=production: the demo accounts, an admin among them, "
            "share the public password from the README; use `lms create-admin` instead"
        )
    from lms.services.catalog_sync import sync_catalog
    from lms.services.demo import DEMO_PASSWORD, ensure_demo

    accounts = ensure_demo(db.session, _hash_method())
    report = sync_catalog(db.session, current_app.config["COURSES_DIR"])
    if not report.ok:
        db.session.rollback()
        raise click.ClickException("course files: " + "; ".join(report.errors))
    from lms.services.clock import today_in
    from lms.services.demo import ensure_demo_cohort
    from lms.services.demo_activity import ensure_demo_activity
    from lms.services.demo_capstone import ensure_demo_capstone
    from lms.services.progress import current_program
    from lms.storage import current_storage

    cohort = ensure_demo_cohort(db.session, current_program(db.session),
                                today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    ensure_demo_activity(db.session, cohort, current_storage())
    ensure_demo_capstone(db.session, cohort)
    from lms.services.buffer_clock import BufferSettings
    from lms.services.demo_buffer import ensure_demo_buffer

    placed = ensure_demo_buffer(db.session, current_program(db.session), today_in(
        current_app.config["BABEL_DEFAULT_TIMEZONE"]), current_storage(), _hash_method(),
        BufferSettings.from_config(current_app.config))
    from lms.services.demo_defects import ensure_demo_defects

    ensure_demo_defects(db.session, _hash_method(), today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    from lms.models.base import utcnow
    from lms.services.demo_history import backdate_demo

    backdate_demo(db.session, current_app.config["BABEL_DEFAULT_TIMEZONE"], utcnow())  # last: dates what was written
    db.session.commit()
    click.echo(f"Catalogue: {report.summary()}")
    click.echo(f"Cohort {cohort.code}: started {cohort.start_date.isoformat()}, 6 trainees, 2 mentors")
    click.echo(f"Cohort {placed.code}: started {placed.start_date.isoformat()}, 2 placed in the buffer period "
               "(trainee7 mid-buffer, trainee8 completed), trainee9 not placed; team lead lead@example.com")
    click.echo("Agent defects: a dozen across every triage state, the agent's responsibility list, contributions "
               "and one approved award; reviewer ops@example.com triages")
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for user in accounts:
        kind = f" ({user.mentor_kind.value})" if user.mentor_kind else ""
        click.echo(f"  {user.role.value:8} {user.email}{kind}")


def register_cli(app) -> None:
    from lms.cli_i18n import i18n_cli
    from lms.cli_imports import register

    lms_cli.add_command(i18n_cli)
    register(lms_cli)
    from lms.cli_invitations import invitation_links_command

    lms_cli.add_command(invitation_links_command)
    from lms.cli_data import backup_command, restore_command, retention_cli

    lms_cli.add_command(backup_command)
    lms_cli.add_command(restore_command)
    lms_cli.add_command(retention_cli)
    from lms.cli_jobs import register as register_jobs

    register_jobs(lms_cli)
    app.cli.add_command(lms_cli)

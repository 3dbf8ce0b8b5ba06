"""Operator commands: `flask --app wsgi lms ...`."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from lms.extensions import db
from lms.services import DomainError
from lms.services import people as people_service

lms_cli = AppGroup("lms", help="Reskill operator commands.")


def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


@lms_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin account (or fail if the email is taken)."""
    if len(password) < 10:
        raise click.ClickException("password: use at least 10 characters")
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
        raise click.ClickException(f"{error.field or 'admin'}: {error.message}") from None
    db.session.commit()
    click.echo(f"created admin {user.email}")


@lms_cli.command("import-people")
@click.argument("csv_file", type=click.File("rb"))
def import_people(csv_file) -> None:
    """Import people from CSV (email,name,role,mentor_kind,capacity,locale); all or nothing."""
    try:
        text = people_service.decode_csv(csv_file.read())
    except UnicodeDecodeError:
        raise click.ClickException("file is not UTF-8 or GB18030 text") from None
    report = people_service.import_people(db.session, None, text)
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(f"{csv_file.name}: line {error.row}: {error.field}: {error.message}", err=True)
        click.echo("nothing imported", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}")


@lms_cli.command("demo")
def demo() -> None:
    """Create (idempotently) the demo accounts and print them."""
    from lms.services.demo import DEMO_PASSWORD, ensure_demo

    accounts = ensure_demo(db.session, _hash_method())
    db.session.commit()
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for user in accounts:
        kind = f" ({user.mentor_kind.value})" if user.mentor_kind else ""
        click.echo(f"  {user.role.value:8} {user.email}{kind}")


def register_cli(app) -> None:
    from lms.cli_i18n import i18n_cli

    lms_cli.add_command(i18n_cli)
    app.cli.add_command(lms_cli)

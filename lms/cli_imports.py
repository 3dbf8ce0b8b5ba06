"""Operator commands that bring an intake in: `lms import-people`, `lms cohort create`, `lms enroll`."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.cli_support import encoding_option, fail, in_language, read_source, report_errors, values_help
from lms.extensions import db
from lms.models import Cohort, Program
from lms.services import DomainError
from lms.services import cohorts as cohort_service
from lms.services import people as people_service
from lms.services.progress import current_program
from lms.vocabulary import column_label

FILE = click.Path(exists=True, dir_okay=False)


def _help(text: str, *columns: str) -> str:
    return f"{text}\n\n\b\n{values_help(*columns)}"


def register(group: click.Group) -> None:
    group.add_command(import_people)
    group.add_command(enroll)
    group.add_command(cohort_cli)


@click.command("import-people", help=_help(
    "Import people from FILE (.csv or .xlsx) with columns email,name,role[,mentor_kind,capacity,locale] "
    "(headings may also be 邮箱, 姓名, 角色 …); up to 2,000 rows. All or nothing: a bad row imports nothing "
    "and every problem is listed. People already present (same email) are updated, so a re-import changes "
    "nothing. capacity (mentors only) is 1-100, default 8. Values may be the code, the label in Chinese or "
    "English, or a synonym:", "role", "mentor_kind", "locale"))
@click.argument("path", metavar="FILE", type=FILE)
@encoding_option
@with_appcontext
@in_language
def import_people(path: str, encoding: str | None) -> None:
    report = people_service.import_people(db.session, None, read_source(path, encoding))
    if not report.ok:
        db.session.rollback()
        report_errors(path, report.errors)
    db.session.commit()
    click.echo(_("%(path)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged",
                 path=path, created=report.created, updated=report.updated, unchanged=report.unchanged))


@click.command("enroll", help=_help(
    "Enroll trainees in cohort COHORT_CODE from FILE (.csv or .xlsx) with columns "
    "email,name,target_role[,source_role] (headings may also be 邮箱, 姓名, 目标岗位, 原岗位). Missing trainee "
    "accounts are created. All or nothing; a re-import changes nothing. Create the cohort first with "
    "`lms cohort create`. Values may be the code, the label in Chinese or English, or a synonym:",
    "target_role", "source_role"))
@click.argument("cohort_code")
@click.argument("path", metavar="FILE", type=FILE)
@encoding_option
@with_appcontext
@in_language
def enroll(cohort_code: str, path: str, encoding: str | None) -> None:
    cohort = db.session.scalar(sa.select(Cohort).where(sa.func.lower(Cohort.code) == cohort_code.strip().lower()))
    if cohort is None:
        fail(_("No cohort has the code %(code)s; create it with `lms cohort create`.", code=cohort_code))
    try:
        report = cohort_service.import_enrollments(db.session, None, cohort, read_source(path, encoding))
    except DomainError as error:  # another process enrolled one of them meanwhile
        db.session.rollback()
        fail(_("%(path)s: %(message)s", path=path, message=error.message))
    if not report.ok:
        db.session.rollback()
        report_errors(path, report.errors)
    db.session.commit()
    click.echo(_("%(path)s: %(e)d enrolled (%(a)d new accounts), %(u)d updated, %(n)d unchanged",
                 path=path, e=report.enrolled, a=report.accounts_created, u=report.updated, n=report.unchanged))


@click.group("cohort", help="Cohorts (批次).")
def cohort_cli() -> None:
    """Only groups `cohort create`; click needs a body."""


@cohort_cli.command("create")
@click.argument("code")
@click.option("--name", required=True, help="The cohort's name, e.g. 2026年秋季杭州批次.")
@click.option("--start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="First day of the intake week.")
@click.option("--program", "program_code", metavar="CODE",
              help="The program's code (default: the current program, loaded by `lms courses sync`).")
@with_appcontext
@in_language
def cohort_create(code: str, name: str, start, program_code: str | None) -> None:
    """Create cohort CODE (2-32 letters, digits, - or _; unique) of a program."""
    if program_code:
        program = db.session.scalar(sa.select(Program).where(Program.code == program_code))
    else:
        program = current_program(db.session)
    if program is None:
        fail(_("No such program: load the course catalogue first (`lms courses sync`).") if not program_code
             else _("No program has the code %(code)s.", code=program_code))
    try:
        cohort = cohort_service.create_cohort(db.session, None, program,
                                              {"code": code, "name": name, "start_date": start.date()})
    except DomainError as error:
        db.session.rollback()
        label = {"code": _l("Code"), "name": _l("Cohort name"), "start_date": _l("Start date")}.get(error.field)
        fail(f"{label or column_label('cohort')}: {error.message}")
    db.session.commit()
    click.echo(_("Cohort %(code)s created.", code=cohort.code) + " "
               + _("Starts %(date)s.", date=cohort.start_date.isoformat()))

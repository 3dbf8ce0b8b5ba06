"""Data safety commands: `lms backup`, `lms restore` and `lms retention purge`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.cli_support import fail, in_language
from lms.extensions import db
from lms.models.base import utcnow
from lms.services import backup as backup_service
from lms.services import retention
from lms.storage import current_storage


def _local(moment) -> str:
    from flask_babel import get_locale

    from lms.invitation_links import local_text

    return local_text(moment, str(get_locale()))


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@in_language
def backup_command(path: Path) -> None:
    """Copy the database and the uploaded files into the new folder PATH."""
    try:
        report = backup_service.backup(db.engine, current_storage(), current_app.config["UPLOAD_STORAGE"], path,
                                       utcnow())
    except backup_service.BackupError as error:
        fail(_("Backup refused: %(reason)s", reason=str(error)))
    click.echo(_("Backup written to %(path)s: the database (schema revision %(revision)s) and %(files)s.",
                 path=report.path, revision=report.revision or "—",
                 files=ngettext("%(num)d uploaded file", "%(num)d uploaded files", report.files)))
    if current_app.config["UPLOAD_STORAGE"] == "database":
        click.echo(_("The uploaded files are in the database copy (UPLOAD_STORAGE=database)."))
    for key in report.missing:
        click.echo(_("Missing from the upload store, not in the backup: %(key)s", key=key), err=True)


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@in_language
def restore_command(path: Path, force: bool) -> None:
    """Put the backup in PATH in place of this installation's database and uploaded files."""
    db.session.remove()
    try:
        report = backup_service.restore(db.engine, path, db.metadata.sorted_tables, force)
    except backup_service.BackupError as error:
        fail(_("Restore refused: %(reason)s", reason=str(error)))
    storage = current_storage()
    files = backup_service.restore_files(path, storage)
    if current_app.config["UPLOAD_STORAGE"] == "local":  # a backup of a database store: into the folder
        files += backup_service.files_to_folder(db.session, storage)
    db.session.commit()
    click.echo(_("Restored from %(path)s: the database (schema revision %(revision)s) and %(files)s.",
                 path=path, revision=report.revision or "—",
                 files=ngettext("%(num)d uploaded file", "%(num)d uploaded files", files)))
    click.echo(_("Next: flask --app wsgi db upgrade (brings an older backup's schema up to this version)."))


retention_cli = AppGroup("retention", help="Deleting personal content past RETENTION_DAYS (PIPL).")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@in_language
def purge_command(dry_run: bool) -> None:
    """Delete defect excerpts, screenshots and uploaded files past the retention period."""
    settings = retention.RetentionSettings.from_config(current_app.config)
    report = retention.purge_expired(db.session, current_storage(), utcnow(), settings, dry_run=dry_run)
    if report.cutoff is None:
        click.echo(_("Retention is off (RETENTION_DAYS=0): nothing is deleted."))
        return
    if not dry_run:
        db.session.commit()
    click.echo(_("Retention %(days)d days: content last used before %(cutoff)s is past it.", days=settings.days,
                 cutoff=_local(report.cutoff)))
    counts = {"defects": report.defects, "shots": report.screenshots, "files": report.submission_files}
    if dry_run:
        click.echo(_("Would delete (dry run, nothing changed): the excerpts and texts of defects: %(defects)d; "
                     "screenshots: %(shots)d; uploaded assessment files: %(files)d.", **counts))
    else:
        click.echo(_("Deleted: the excerpts and texts of defects: %(defects)d; screenshots: %(shots)d; "
                     "uploaded assessment files: %(files)d.", **counts))

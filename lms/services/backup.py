"""Backups: the database and the uploaded files in one folder, and back.

SQLite is copied with its online backup API (a consistent snapshot while the app runs);
PostgreSQL with `pg_dump --format=custom` (one transaction, so consistent too) and put
back with `pg_restore`. Uploaded files kept in the local folder are copied beside it, the
ones the copied database refers to; with UPLOAD_STORAGE=database they are in the database
copy already. `manifest.json` says what the folder holds.
"""

import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump / pg_restore, fixed argument lists, no shell
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session

from lms.models import DefectFile, SubmissionFile, UploadChunk
from lms.storage import Storage, read_chunks

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "reskill.sqlite3"
PG_FILE = "reskill.dump"
UPLOADS = "uploads"


class BackupError(Exception):
    """Why a backup or restore cannot go ahead (translated, for the operator); nothing was changed."""


@dataclass
class BackupReport:
    path: Path
    database: str  # sqlite | postgresql
    revision: str | None
    files: int = 0
    missing: list[str] = field(default_factory=list)  # referenced by the database, absent from the store


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(_l("an in-memory SQLite database cannot be backed up"))
    return Path(url.database)


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump / pg_restore; the password travels in the environment,
    never on the command line (which other users of the machine can read)."""
    env = dict(os.environ)
    args = ["--dbname", url.database or ""]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args += [flag, str(value)]
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603
    except FileNotFoundError:
        raise BackupError(_l("%(tool)s is not installed (PostgreSQL client tools)", tool=command[0])) from None
    if done.returncode != 0:
        raise BackupError(_l("%(tool)s failed: %(output)s", tool=command[0], output=done.stderr.strip()))


def _revision(conn) -> str | None:
    try:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None


_REFERENCED = sa.union(sa.select(SubmissionFile.stored_name).where(SubmissionFile.purged_at.is_(None)),
                       sa.select(DefectFile.stored_name))


def _is_empty_folder(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def backup(engine: Engine, storage: Storage, storage_kind: str, path: Path, now: datetime) -> BackupReport:
    """Copy the database, and the files of the local store, into the new folder `path`."""
    path = Path(path)
    if not _is_empty_folder(path):
        raise BackupError(_l("%(path)s exists and is not empty: name a new folder", path=path))
    url = engine.url
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(_l("cannot back up a %(backend)s database", backend=backend))
    path.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        source = sqlite3.connect(_sqlite_path(url), timeout=30)
        copy = sqlite3.connect(path / SQLITE_FILE)
        try:
            source.backup(copy)  # the online backup API: a consistent copy while others write
        finally:
            copy.close()
            source.close()
        snapshot = sa.create_engine(f"sqlite:///{path / SQLITE_FILE}")
    else:
        args, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path / PG_FILE), *args],
             env)
        snapshot = engine  # the files the database refers to now: at least those of the dump but newer ones
    try:
        with snapshot.connect() as conn:
            revision = _revision(conn)
            keys = sorted(conn.scalars(_REFERENCED))
    finally:
        if snapshot is not engine:
            snapshot.dispose()
    report = BackupReport(path, backend, revision)
    if storage_kind == "local":
        folder = path / UPLOADS
        folder.mkdir()
        for key in keys:
            try:
                with storage.open(key) as source, open(folder / key, "wb") as out:
                    shutil.copyfileobj(source, out)
                report.files += 1
            except FileNotFoundError:
                report.missing.append(key)
    manifest = {"format": FORMAT, "created_at": now.isoformat(timespec="seconds") + "Z", "database": backend,
                "revision": revision, "upload_storage": storage_kind, "files": report.files,
                "missing": report.missing}
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return report


def read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((Path(path) / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(_l("%(path)s is not a backup made by `lms backup` (no readable %(file)s)", path=path,
                              file=MANIFEST)) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_l("%(path)s: backup format %(format)s is not supported", path=path,
                              format=manifest.get("format")))
    return manifest


def holds_data(engine: Engine, tables) -> bool:
    """Whether any of `tables` exists and has a row."""
    present = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        return any(conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() is not None
                   for t in tables if t.name in present)


@dataclass
class RestoreReport:
    database: str
    revision: str | None
    files: int = 0


def restore(engine: Engine, path: Path, tables, force: bool) -> RestoreReport:
    """Put the backup's database in place of `engine`'s. Refuses a database holding data
    unless `force`. The uploaded files are restored by `restore_files` afterwards."""
    path = Path(path)
    manifest = read_manifest(path)
    url = engine.url
    backend = url.get_backend_name()
    if manifest["database"] != backend:
        raise BackupError(_l("%(path)s holds a %(theirs)s database; this installation uses %(ours)s", path=path,
                              theirs=manifest["database"], ours=backend))
    if not force and holds_data(engine, tables):
        raise BackupError(_l("the database holds data: restoring would replace it (add --force to do so)"))
    engine.dispose()  # no pooled connection keeps the old content
    if backend == "sqlite":
        source = sqlite3.connect(path / SQLITE_FILE)
        target = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        args, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              *args, str(path / PG_FILE)], env)
    engine.dispose()
    return RestoreReport(backend, manifest.get("revision"))


def restore_files(path: Path, storage: Storage) -> int:
    """Copy the backup's uploaded files into `storage` (the local folder or the database:
    a backup of a one-host installation restores into a database store too). The caller
    commits when the store is the database."""
    folder = Path(path) / UPLOADS
    count = 0
    if folder.is_dir():
        for item in sorted(folder.iterdir()):
            storage.delete(item.name)
            with open(item, "rb") as source:
                storage.save(read_chunks(source), key=item.name)
            count += 1
    return count


def files_to_folder(session: Session, storage: Storage) -> int:
    """Move files the restored database holds (a backup of a database store) into `storage`,
    the local folder this installation uses; the caller commits (their rows go)."""
    from lms.storage.database import DatabaseStorage

    database = DatabaseStorage(session)
    keys = list(database.keys())
    for key in keys:
        with database.open(key) as source:
            storage.save(read_chunks(source), key=key)
    session.execute(sa.delete(UploadChunk))
    return len(keys)


"""`lms backup` / `lms restore`: a consistent copy of the database (SQLite's online backup
API, or pg_dump on PostgreSQL) and the uploaded files, put back row for row and byte for
byte; a database holding data is replaced only with --force."""

import json
import os
from datetime import datetime

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.extensions import db
from lms.models import AgentDefect, DefectFile, Enrollment, SubmissionFile, UploadChunk
from tests.defect_fixtures import placed
from tests.test_retention import PDF, PNG, _attempt, _defect


def _rows(engine) -> dict[str, list[tuple]]:
    """Every table's rows, in primary-key order."""
    with engine.connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
                for t in db.metadata.sorted_tables}


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """An empty database beside the test one: a new SQLite file, or a scratch PostgreSQL database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    url = sa.engine.make_url(database_url)
    scratch = url.set(database=f"{url.database}_restore")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    drop = sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop)
        conn.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    try:
        yield scratch.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


def _data(app, trainee_with_mentors) -> dict[str, bytes]:
    """A submission with a PDF and a defect with a screenshot; their keys → bytes."""
    with app.app_context():
        other = db.session.scalar(sa.select(Enrollment.trainee_id).where(
            Enrollment.trainee_id != trainee_with_mentors.trainee.id))
    _submission_id, work = _attempt(app, "local", other, datetime(2026, 3, 1))
    pid = placed(app, trainee_with_mentors)
    _defect_id, (shot,) = _defect(app, "local", pid, datetime(2026, 3, 9, 1, 0))
    return {shot: PNG, work: PDF}


@pytest.fixture
def trainee_with_mentors(trainee_with_mentors, make_cohort):
    """The placed reporter-to-be, and a trainee of another cohort who hands in work."""
    make_cohort(trainees=1)
    return trainee_with_mentors


def test_backup_wipe_restore_gives_the_same_rows_and_files(app, trainee_with_mentors, tmp_path):
    files = _data(app, trainee_with_mentors)
    with app.app_context():
        before = _rows(db.engine)
    assert before["agent_defects"] and before["submission_files"] and before["defect_files"]
    runner = app.test_cli_runner()
    made = runner.invoke(args=["lms", "backup", str(tmp_path / "backup"), "--lang", "en"])
    assert made.exit_code == 0, made.output
    assert "2 uploaded files" in made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["files"] == 2 and manifest["missing"] == [] and manifest["revision"] == _head()
    assert sorted(os.listdir(tmp_path / "backup" / "uploads")) == sorted(files)

    again = runner.invoke(args=["lms", "backup", str(tmp_path / "backup"), "--lang", "en"])
    assert again.exit_code == 1 and "not empty" in again.output  # never over an earlier backup
    refused = runner.invoke(args=["lms", "restore", str(tmp_path / "backup"), "--lang", "en"])
    assert refused.exit_code == 1 and "--force" in refused.output

    with app.app_context():  # wipe: every row and the files
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
    for key in files:
        os.unlink(os.path.join(app.config["UPLOAD_FOLDER"], key))

    restored = runner.invoke(args=["lms", "restore", str(tmp_path / "backup"), "--lang", "en"])
    assert restored.exit_code == 0, restored.output
    assert "2 uploaded files" in restored.output
    with app.app_context():
        assert _rows(db.engine) == before
    for key, data in files.items():
        with open(os.path.join(app.config["UPLOAD_FOLDER"], key), "rb") as file:
            assert file.read() == data


def test_force_replaces_a_database_changed_since_the_backup(app, trainee_with_mentors, tmp_path):
    _data(app, trainee_with_mentors)
    with app.app_context():
        before = _rows(db.engine)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["lms", "backup", str(tmp_path / "b")]).exit_code == 0
    with app.app_context():
        db.session.execute(sa.update(AgentDefect).values(intent="changed after the backup"))
        db.session.commit()
    assert runner.invoke(args=["lms", "restore", str(tmp_path / "b"), "--force"]).exit_code == 0
    with app.app_context():
        assert _rows(db.engine) == before


def test_a_backup_restores_into_a_database_store_on_a_new_installation(app, trainee_with_mentors, tmp_path,
                                                                       fresh_database_url):
    files = _data(app, trainee_with_mentors)
    with app.app_context():
        before = _rows(db.engine)
    assert app.test_cli_runner().invoke(args=["lms", "backup", str(tmp_path / "b")]).exit_code == 0
    target = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database_url, "UPLOAD_STORAGE": "database",
                                    "UPLOAD_FOLDER": str(tmp_path / "unused")})
    try:
        result = target.test_cli_runner().invoke(args=["lms", "restore", str(tmp_path / "b"), "--lang", "en"])
        assert result.exit_code == 0, result.output
        with target.app_context():
            after = _rows(db.engine)
            chunks = after.pop("upload_chunks")
            assert after == {name: rows for name, rows in before.items() if name != "upload_chunks"}
            assert {(key, data) for key, _seq, data in chunks} == set(files.items())
            keys = set(db.session.scalars(sa.select(SubmissionFile.stored_name))) | set(
                db.session.scalars(sa.select(DefectFile.stored_name)))
            assert keys == set(files)
            assert db.session.scalar(sa.select(sa.func.count()).select_from(UploadChunk)) == 2
    finally:
        with target.app_context():
            db.engine.dispose()
    assert not (tmp_path / "unused").exists()


def test_a_backup_of_the_database_store_carries_the_files_in_the_database_copy(app, trainee_with_mentors,
                                                                                tmp_path, fresh_database_url):
    pid = placed(app, trainee_with_mentors)
    _defect_id, (key,) = _defect(app, "database", pid, datetime(2026, 3, 9, 1, 0))
    database = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                      "UPLOAD_STORAGE": "database"})
    try:
        result = database.test_cli_runner().invoke(args=["lms", "backup", str(tmp_path / "b"), "--lang", "en"])
    finally:
        with database.app_context():
            db.engine.dispose()
    assert result.exit_code == 0 and "in the database copy" in result.output
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert (manifest["upload_storage"], manifest["files"]) == ("database", 0)
    assert not (tmp_path / "b" / "uploads").exists()
    if manifest["database"] == "sqlite":
        copy = sa.create_engine(f"sqlite:///{tmp_path / 'b' / 'reskill.sqlite3'}")
        with copy.connect() as conn:
            assert conn.scalar(sa.select(UploadChunk.data).where(UploadChunk.stored_name == key)) == PNG
        copy.dispose()
    # restored where files live in a folder, they move out of the database into it
    folder = tmp_path / "files"
    target = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database_url, "UPLOAD_FOLDER": str(folder)})
    try:
        result = target.test_cli_runner().invoke(args=["lms", "restore", str(tmp_path / "b"), "--lang", "en"])
        assert result.exit_code == 0 and "1 uploaded file" in result.output, result.output
        with target.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(UploadChunk)) == 0
            assert db.session.scalar(sa.select(DefectFile.stored_name)) == key
    finally:
        with target.app_context():
            db.engine.dispose()
    assert (folder / key).read_bytes() == PNG


def test_restore_refuses_what_is_not_a_backup(app, tmp_path):
    (tmp_path / "junk").mkdir()
    result = app.test_cli_runner().invoke(args=["lms", "restore", str(tmp_path / "junk"), "--lang", "en"])
    assert result.exit_code == 1 and "not a backup" in result.output


def _head() -> str:
    """The migrations' head revision (the manifest records the schema the backup holds)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(os.path.join(os.path.dirname(__file__), "..", "migrations")).get_current_head()

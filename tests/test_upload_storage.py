"""Pluggable upload storage: the local folder (default) and the database (UPLOAD_STORAGE=
database), the same operations, the same download headers and permission checks."""

import io
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.extensions import db
from lms.models import Assessment, Submission, UploadChunk
from lms.storage import CHUNK_SIZE, storage_for
from tests.conftest import Client, assessment_id, login
from tests.test_assessments import BOTH_TASK, _plausible

# A PDF spanning three pieces of the database store.
BIG_PDF = b"%PDF-1.4\n" + os.urandom(2 * CHUNK_SIZE + 1000)


@pytest.fixture
def db_store_app(app, tmp_path):
    """The app on the same database, keeping uploads in the database; its folder must stay empty."""
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                   "UPLOAD_STORAGE": "database", "UPLOAD_FOLDER": str(tmp_path / "folder")})
    other.test_client_class = Client
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture(params=["local", "database"])
def storage(request, app, tmp_path):
    with app.app_context():
        yield storage_for({"UPLOAD_STORAGE": request.param, "UPLOAD_FOLDER": str(tmp_path / "files")}, db.session)
        db.session.rollback()


def _committed(storage):
    if hasattr(storage, "session"):  # the database store's reads see committed files, as a download does
        storage.session.commit()


def _pieces(data: bytes) -> list[bytes]:
    return [data[i:i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE)]


def test_each_store_saves_reads_copies_and_deletes(storage):
    key, size = storage.save(_pieces(BIG_PDF))
    _committed(storage)
    assert size == len(BIG_PDF) and storage.exists(key)
    with storage.open(key) as file:
        assert file.read() == BIG_PDF
    copy = storage.copy(key)
    _committed(storage)
    assert copy != key and sorted(storage.keys()) == sorted([key, copy])
    storage.delete(key)
    assert not storage.exists(key) and storage.exists(copy)
    with storage.open(copy) as file:
        assert file.read(10) == BIG_PDF[:10] and file.read() == BIG_PDF[10:]
    with pytest.raises(FileNotFoundError):
        storage.open(key)
    storage.delete(key)  # deleting again is no error
    for bad in ("../secret", "/etc/passwd", ".hidden", ""):
        assert not storage.exists(bad)
        with pytest.raises(FileNotFoundError):
            storage.open(bad)


def test_a_named_key_is_kept(storage):
    key, _ = storage.save([b"a,b\n"], key="0123abcd")
    _committed(storage)
    assert key == "0123abcd" and storage.open(key).read() == b"a,b\n"


def _answers(app):
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id(app, BOTH_TASK))
        return {f"f_{f['name']}": _plausible(f, assessment) for f in assessment.fields if f["type"] != "file"}


def test_upload_and_download_through_the_database_store(app, db_store_app, trainee_with_mentors, make_user):
    t = trainee_with_mentors
    client = db_store_app.test_client()
    login(client, t.trainee)
    aid = assessment_id(app, BOTH_TASK)
    response = client.post_form(f"/me/assessments/{aid}", {
        **_answers(app), "f_rule_evidence": (io.BytesIO(BIG_PDF), "规则截图.pdf"), "action": "submit"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(sa.select(Submission)).files[0]
        file_id, key = stored.id, stored.stored_name
        pieces = db.session.scalars(sa.select(sa.func.length(UploadChunk.data)).where(UploadChunk.stored_name == key)
                                    .order_by(UploadChunk.seq)).all()
    assert pieces == [CHUNK_SIZE, CHUNK_SIZE, len(BIG_PDF) - 2 * CHUNK_SIZE]
    assert not Path(db_store_app.config["UPLOAD_FOLDER"]).exists()  # nothing on this host's disk

    statements = []
    with db_store_app.app_context():
        engine = db.engine

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        download = client.get(f"/files/{file_id}")
        assert download.is_streamed
        body = download.get_data()
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert body == BIG_PDF
    # how many pieces, then one piece per statement: never the whole file in one read
    assert sum("upload_chunks" in s for s in statements) == 1 + 3
    assert download.headers["Content-Length"] == str(len(BIG_PDF))
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E8%A7%84%E5%88%99%E6%88%AA%E5%9B%BE.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    for refused in (make_user("trainee"), make_user("mentor")):
        login(client, refused)
        assert client.get(f"/files/{file_id}").status_code == 404
    login(client, t.ai)
    assert client.get(f"/files/{file_id}").get_data() == BIG_PDF
    # the app keeping files in a folder does not have it: the folder store was not used
    local = app.test_client()
    login(local, t.ai)
    assert local.get(f"/files/{file_id}").status_code == 404


def test_a_retake_copies_the_file_inside_the_database(app, db_store_app, trainee_with_mentors):
    from tests.test_assessments import _all, _grade

    t = trainee_with_mentors
    client = db_store_app.test_client()
    login(client, t.trainee)
    aid = assessment_id(app, BOTH_TASK)
    client.post_form(f"/me/assessments/{aid}", {**_answers(app), "f_rule_evidence": (io.BytesIO(BIG_PDF), "a.pdf"),
                                                "action": "submit"}, content_type="multipart/form-data")
    with app.app_context():
        first_id = db.session.scalar(sa.select(Submission.id))
    _grade(app, t.ai, first_id, _all(0, BOTH_TASK))
    _grade(app, t.biz, first_id, _all(0, BOTH_TASK))
    client.post_form(f"/me/assessments/{aid}", {**_answers(app), "action": "submit"})  # no new upload
    with app.app_context():
        files = db.session.scalars(sa.select(Submission).order_by(Submission.attempt_no)).all()
        keys = [s.files[0].stored_name for s in files]
        second_id = files[1].files[0].id
        assert len(set(keys)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UploadChunk)) == 6
    assert client.get(f"/files/{second_id}").get_data() == BIG_PDF


def test_a_refused_upload_leaves_no_bytes_in_the_database(app, db_store_app, trainee_with_mentors):
    from tests.defect_fixtures import placed
    from tests.test_defect_pages import _form

    placed(app, trainee_with_mentors)
    client = db_store_app.test_client()
    login(client, trainee_with_mentors.trainee)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    page = client.post_form("/me/buffer/defects/new", {
        **_form(), "checked": "1",
        "screenshots": [(io.BytesIO(png), "ok.png"), (io.BytesIO(b"<svg onload=alert(1)>"), "fake.png")]},
        content_type="multipart/form-data")
    assert page.status_code == 400 and "not a real .png file" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UploadChunk)) == 0


def test_an_unknown_upload_storage_is_refused(monkeypatch):
    from config import ConfigError

    monkeypatch.setenv("UPLOAD_STORAGE", "s3")
    with pytest.raises(ConfigError, match="UPLOAD_STORAGE"):
        create_app("testing")

"""Two app hosts behind one load balancer: separate processes, separate instance folders,
one database. With UPLOAD_STORAGE=database a file uploaded through one host downloads
from the other; with the local folder it does not (the reason the setting exists).

Each host is a real gunicorn on loopback (production configuration on PostgreSQL; on the
SQLite suite, development with the same file). The browser is a cookie jar, which keys
cookies by host name and not port, so both hosts see the same login: as behind a proxy.
"""

import http.cookiejar
import os
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Submission
from tests.conftest import PASSWORD, assessment_id
from tests.test_assessments import BOTH_TASK
from tests.test_production import BIN, ENV_READ_BY_CONFIG, REPO, _free_port
from tests.test_upload_storage import _answers

PDF = b"%PDF-1.4\n" + os.urandom(300_000) + b"\n%%EOF\n"


def _host(name: str, tmp_path, database_url: str, storage: str, secret: str):
    env = {k: v for k, v in os.environ.items() if k not in ENV_READ_BY_CONFIG and not k.startswith("LMS_")}
    postgres = database_url.startswith("postgresql")
    env.update(LMS_CONFIG="production" if postgres else "development", DATABASE_URL=database_url,
               SECRET_KEY=secret, LMS_INSECURE_COOKIES="1", LMS_INSTANCE_DIR=str(tmp_path / name),
               UPLOAD_FOLDER=str(tmp_path / name / "uploads"), UPLOAD_STORAGE=storage)
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                assert response.status == 200
                return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"host {name} did not start:\n{_stop(process)}") from None
            time.sleep(0.1)


def _stop(process) -> str:
    """Graceful stop (SIGTERM): requests in flight finish; the log is returned."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.communicate()[0]


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, content_type) in files.items():
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n')
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _Browser:
    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post(self, url: str, body: bytes, content_type: str) -> int:
        request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
        with self.opener.open(request, timeout=10) as response:  # follows the redirect
            return response.status


@pytest.mark.parametrize(("storage", "served_by_the_other_host"), [("database", True), ("local", False)])
def test_a_file_uploaded_through_one_host_downloads_from_the_other(
        app, database_url, tmp_path, trainee_with_mentors, storage, served_by_the_other_host):
    trainee = trainee_with_mentors.trainee
    aid = assessment_id(app, BOTH_TASK)
    answers = _answers(app)
    secret = secrets.token_hex(32)  # one SECRET_KEY for every host: each accepts the other's cookies
    first, first_url = _host("host-a", tmp_path, database_url, storage, secret)
    try:
        second, second_url = _host("host-b", tmp_path, database_url, storage, secret)
        try:
            browser = _Browser()
            _, page = browser.get(f"{first_url}/auth/login")
            body = urllib.parse.urlencode({"csrf_token": _token(page.decode()), "email": trainee.email,
                                           "password": PASSWORD}).encode()
            assert browser.post(f"{first_url}/auth/login", body, "application/x-www-form-urlencoded") == 200
            status, page = browser.get(f"{first_url}/me/assessments/{aid}")
            assert status == 200
            body, content_type = _multipart({**answers, "csrf_token": _token(page.decode()), "action": "save"},
                                            {"f_rule_evidence": ("evidence.pdf", PDF, "application/pdf")})
            assert browser.post(f"{first_url}/me/assessments/{aid}", body, content_type) == 200
            with app.app_context():
                file_id = db.session.scalar(sa.select(Submission)).files[0].id

            assert browser.get(f"{first_url}/files/{file_id}") == (200, PDF)
            status, data = browser.get(f"{second_url}/files/{file_id}")
            if served_by_the_other_host:
                assert (status, data) == (200, PDF)
            else:  # host B's folder does not have host A's file
                assert status == 404
            assert not (tmp_path / "host-b" / "uploads").exists()
            assert (tmp_path / "host-a" / "uploads").exists() == (storage == "local")
        finally:
            log_b = _stop(second)
    finally:
        log_a = _stop(first)
    assert "Traceback" not in log_a + log_b, log_a + log_b

"""A deployment that starts and fails closed: configuration, the demo command, gunicorn.

Findings 1 (production could not start), 2 (an unset LMS_CONFIG signed with a public
key) and 9 (`lms demo` made a public-password admin in production).
"""

import os
import re
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import request, request_started

from config import ConfigError
from lms import create_app
from lms.extensions import db
from lms.models import Role, User

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# A PostgreSQL URL nothing listens on: building the app creates the engine, it does not connect.
UNUSED_POSTGRES = "postgresql+psycopg://reskill@127.0.0.1:9/reskill"
ENV_READ_BY_CONFIG = ["LMS_CONFIG", "SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG", "LMS_INSECURE_COOKIES",
                      "LMS_PROXY_FIX", "UPLOAD_FOLDER", "UPLOAD_STORAGE", "RETENTION_DAYS"]


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment for `create_app`, with the instance folder in tmp_path."""
    for name in ENV_READ_BY_CONFIG:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LMS_INSTANCE_DIR", str(tmp_path / "instance"))
    return monkeypatch


@pytest.fixture
def production_env(env):
    env.setenv("LMS_CONFIG", "production")
    env.setenv("SECRET_KEY", secrets.token_hex(32))
    env.setenv("DATABASE_URL", UNUSED_POSTGRES)
    return env


def test_production_starts_with_a_real_key_and_a_postgres_url(production_env, tmp_path):
    app = create_app()
    assert app.config["SECRET_KEY"] == os.environ["SECRET_KEY"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == UNUSED_POSTGRES
    assert not app.debug
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.mark.parametrize(("variable", "value", "reason"), [
    ("SECRET_KEY", None, "SECRET_KEY"),
    ("SECRET_KEY", "", "SECRET_KEY"),
    ("SECRET_KEY", secrets.token_hex(15), "SECRET_KEY"),  # 30 characters
    ("SECRET_KEY", "dev-only-not-secret", "SECRET_KEY"),
    ("SECRET_KEY", "a" * 64, "SECRET_KEY"),
    ("SECRET_KEY", "ab" * 32, "SECRET_KEY"),
    ("DATABASE_URL", None, "DATABASE_URL"),
    ("DATABASE_URL", "sqlite:////srv/reskill.sqlite3", "DATABASE_URL"),
    ("DATABASE_URL", "not a url", "DATABASE_URL"),
    ("FLASK_DEBUG", "1", "FLASK_DEBUG"),
])
def test_production_refuses_to_start_unsafe(production_env, variable, value, reason):
    if value is None:
        production_env.delenv(variable)
    else:
        production_env.setenv(variable, value)
    with pytest.raises(ConfigError, match=reason):
        create_app("production")


def test_an_unknown_config_name_is_refused(env):
    env.setenv("LMS_CONFIG", "Production")
    with pytest.raises(ConfigError, match="LMS_CONFIG"):
        create_app()


def test_default_config_signs_with_a_generated_key_kept_in_the_instance_folder(env, tmp_path):
    first, again = create_app(), create_app()
    key = first.config["SECRET_KEY"]
    assert key not in {"dev-only-not-secret", ""} and len(key) >= 32
    assert again.config["SECRET_KEY"] == key  # sessions survive a restart
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    env.setenv("LMS_INSTANCE_DIR", str(tmp_path / "elsewhere"))
    assert create_app().config["SECRET_KEY"] != key  # one key per installation, none in the code


def test_debug_only_when_asked(env):
    assert not create_app().debug
    env.setenv("FLASK_DEBUG", "1")
    assert create_app().debug


def test_demo_refuses_under_production_and_writes_nothing(app, production_env, database_url):
    production = create_app("production", {"SQLALCHEMY_DATABASE_URI": database_url})
    try:
        result = production.test_cli_runner().invoke(args=["lms", "demo"])
    finally:
        with production.app_context():
            db.engine.dispose()
    assert result.exit_code == 1
    assert "refused under LMS_CONFIG=production" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.parametrize(("knob", "seen"), [("1", "203.0.113.7"), (None, "127.0.0.1")])
def test_proxy_fix_trusts_forwarded_for_only_when_asked(env, database_url, knob, seen):
    if knob:
        env.setenv("LMS_PROXY_FIX", knob)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    addresses = []

    def record(sender, **_):
        addresses.append(request.remote_addr)

    with request_started.connected_to(record, app):
        app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"},
                              environ_base={"REMOTE_ADDR": "127.0.0.1"})
    with app.app_context():
        db.engine.dispose()
    assert addresses == [seen]


def _run(args, env, timeout=30):
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def _production_process_env(tmp_path, database_url, **extra):
    env = {key: value for key, value in os.environ.items() if key not in ENV_READ_BY_CONFIG}
    env.update(LMS_CONFIG="production", DATABASE_URL=database_url, SECRET_KEY=secrets.token_hex(32),
               LMS_INSTANCE_DIR=str(tmp_path / "instance"), **extra)
    return env


def _gunicorn(port, env):
    # No control socket: gunicorn's default is one fixed path under $HOME, shared by every run.
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _stop(process) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # quick shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.communicate()[0]


def test_gunicorn_loads_production_with_a_real_key(tmp_path):
    # Any database: --check-config imports wsgi:app as a worker would, without serving.
    env = _production_process_env(tmp_path, UNUSED_POSTGRES)
    checked = _run([str(BIN / "gunicorn"), "--check-config", "--no-control-socket", "wsgi:app"], env)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_gunicorn_refuses_to_boot_without_a_secret_key(tmp_path):
    env = _production_process_env(tmp_path, UNUSED_POSTGRES)
    del env["SECRET_KEY"]
    process = _gunicorn(_free_port(), env)
    try:
        process.wait(timeout=20)
    finally:
        output = _stop(process)
    assert process.returncode != 0
    assert "Production refuses to start" in output and "SECRET_KEY must be" in output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _log_in_over_gunicorn(base: str, email: str, password: str):
    """GET the form, POST it with its CSRF token and cookie; the 302 response's headers.

    The cookies are `Secure`, so a cookie jar would not send them back over plain
    HTTP: carry the session cookie by hand.
    """
    with urllib.request.urlopen(f"{base}/auth/login", timeout=5) as response:
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";")[0]
        form_headers = response.headers
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password,
                                   "remember": "y"}).encode()
    request = urllib.request.Request(f"{base}/auth/login", data=body, headers={"Cookie": cookie})
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=5)
    except urllib.error.HTTPError as answer:  # the 302 after a good login
        return form_headers, answer.code, answer.headers
    raise AssertionError("login did not redirect")


@pytest.fixture
def scratch_postgres():
    """An empty PostgreSQL database beside the test one (whose schema the session uses)."""
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        pytest.skip("the README's production commands need PostgreSQL: set LMS_TEST_DATABASE_URL")
    test_url = sa.engine.make_url(url)
    scratch = test_url.set(database=f"{test_url.database}_readme_prod")
    engine = sa.create_engine(test_url, isolation_level="AUTOCOMMIT")
    drop = sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)')
    with engine.connect() as conn:
        conn.execute(drop)
        conn.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    try:
        yield scratch.render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(drop)
        engine.dispose()


def _readme_production_block() -> str:
    readme = (REPO / "README.md").read_text()
    return re.search(r"^## Production\n.*?```sh\n(.*?)```", readme, re.S | re.M).group(1)


def test_readme_production_commands_run_and_serve(scratch_postgres, tmp_path):
    block = _readme_production_block()
    for command in ["flask --app wsgi db upgrade", "flask --app wsgi lms create-admin --email",
                    "gunicorn --workers", "wsgi:app"]:
        assert command in block, f"README production commands changed: update this test ({command})"
    env = _production_process_env(tmp_path, scratch_postgres)
    flask = str(BIN / "flask")

    upgrade = _run([flask, "--app", "wsgi", "db", "upgrade"], env)
    assert upgrade.returncode == 0, upgrade.stderr
    admin = _run([flask, "--app", "wsgi", "lms", "create-admin", "--email", "you@company.cn",
                  "--name", "你的名字", "--password", "a-strong-password-1"], env)
    assert admin.returncode == 0, admin.stderr
    engine = sa.create_engine(scratch_postgres)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.select(User.role).where(User.email == "you@company.cn")) == Role.ADMIN
    finally:
        engine.dispose()

    port = _free_port()
    server = _gunicorn(port, env)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not answer within 20 s"
                time.sleep(0.1)
        assert health[0] == 200 and '"database":"ok"' in health[1].replace(" ", "")
        status, page = _get(f"http://127.0.0.1:{port}/auth/login")
        assert status == 200
        assert 'name="email"' in page and 'name="password"' in page
        headers, status, answer = _log_in_over_gunicorn(f"http://127.0.0.1:{port}", "you@company.cn",
                                                        "a-strong-password-1")
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert status == 302 and answer["Location"] == "/"
        cookies = answer.get_all("Set-Cookie")
        for name in ("__Host-session=", "__Host-remember_token="):
            cookie = next(c for c in cookies if c.startswith(name))
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        output = _stop(server)
    assert "Worker failed to boot" not in output


def test_a_server_database_without_lms_config_is_refused(env):
    """A careless operator who sets DATABASE_URL but not LMS_CONFIG got development
    (demo data allowed, no Secure cookies); now nothing starts."""
    env.setenv("DATABASE_URL", UNUSED_POSTGRES)
    env.setenv("SECRET_KEY", secrets.token_hex(32))
    with pytest.raises(ConfigError, match="LMS_CONFIG"):
        create_app()
    env.setenv("LMS_CONFIG", "development")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == UNUSED_POSTGRES


def test_production_cookies_are_host_only_unless_the_http_trial_is_asked_for(production_env):
    app = create_app()
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"
    production_env.setenv("LMS_INSECURE_COOKIES", "1")
    trial = create_app()
    assert trial.config["SESSION_COOKIE_NAME"] == "session" and not trial.config["SESSION_COOKIE_SECURE"]

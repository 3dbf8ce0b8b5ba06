"""Fixtures: one app per test session on a real database, emptied after each test.

SQLite (a temporary file) by default; PostgreSQL when LMS_TEST_DATABASE_URL is
set. The schema is built by the Alembic migrations, as in production.
"""

import os
import re
from datetime import datetime, time

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from lms import create_app
from lms.extensions import db
from lms.models import Role
from lms.services import outline
from lms.services import people as people_service

PASSWORD = "correct-horse-42"
# The HR API's fixtures: `api`, a client checking every answer against the OpenAPI document.
pytest_plugins = ["tests.api_helpers"]


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
        },
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        # The emptied database reuses catalogue-sync ids; a worker's outline cache never sees that in production.
        outline.cache_for(db.session).clear()
        app.extensions.pop("admin_home_summaries", None)  # keyed by audit ids, which the emptied tables reuse


@pytest.fixture
def app_ctx(app):
    with app.test_request_context():
        yield
        db.session.remove()


@pytest.fixture
def session(app_ctx):
    return db.session


class Client(FlaskClient):
    """A test client that knows its CSRF token, as a browser page would."""

    _token = None

    def csrf_token(self) -> str:
        if self._token is None:
            html = self.get("/auth/login").get_data(as_text=True)
            if 'name="csrf_token"' not in html:  # logged in: login redirects
                html = self.get("/auth/password").get_data(as_text=True)
            self._token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        return self._token

    def post_form(self, url, data=None, **kwargs):
        data = {"csrf_token": self.csrf_token(), **(data or {})}
        response = self.post(url, data=data, **kwargs)
        if url.startswith(("/auth/login", "/auth/logout", "/auth/password", "/auth/set-password")):
            self._token = None  # logging in or out starts a new CSRF secret
        return response


@pytest.fixture
def client(app):
    """A browser-like client; English unless a test switches (the app default is zh_CN)."""
    app.test_client_class = Client
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["locale"] = "en"
    return client


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="mentor", email=..., **fields) → committed User."""
    counter = {"n": 0}

    def make(role="trainee", email=None, password=PASSWORD, **fields):
        counter["n"] += 1
        values = {
            "email": email or f"{role}{counter['n']}@example.com",
            "name": fields.pop("name", f"{role.title()} {counter['n']}"),
            "role": role,
            "mentor_kind": fields.pop("mentor_kind", "ai" if role == "mentor" else None),
            "capacity": fields.pop("capacity", 8 if role == "mentor" else None),
            "locale": fields.pop("locale", "en"),
        }
        with app.app_context():
            user = people_service.create_person(
                db.session, None, values, password=password,
                hash_method=app.config["PASSWORD_HASH_METHOD"],
            )
            for key, value in fields.items():
                setattr(user, key, value)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


def login(client, user) -> None:
    """Log a client in without the login form (fast; the form has its own tests)."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


@pytest.fixture
def login_as(client, make_user):
    """login_as("admin") → (client, user), the client logged in as a new user of that role."""

    def do(role: str, **fields):
        user = make_user(role, **fields)
        login(client, user)
        return client, user

    return do


ROLES = [None, Role.TRAINEE, Role.MENTOR, Role.ADMIN, Role.LEAD]


COURSES_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "courses")


@pytest.fixture(scope="session")
def parsed_courses():
    """`courses/` parsed once per test session (parsing is the slow part of a sync)."""
    from lms.services.catalog_files import load_catalog

    return load_catalog(COURSES_DIR)


@pytest.fixture
def catalog(app, parsed_courses):
    """The shipped catalogue, synced into the real database; returns the Program id."""
    from lms.models import Program
    from lms.services.catalog_sync import sync_spec

    with app.app_context():
        report = sync_spec(db.session, *parsed_courses)
        assert report.ok, report.errors
        db.session.commit()
        return db.session.scalar(sa.select(Program.id))


class StatementCounter:
    """Counts SQL statements run on an engine while active (see `count_queries`)."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def writes(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.statements lists the SQL run."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = StatementCounter()
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def make_cohort(app, catalog, make_user):
    """make_cohort(trainees=3, start=date, role="collab_cs") → (cohort_id, [enrollment ids])."""
    from datetime import date as date_cls

    from lms.models import Program
    from lms.services import cohorts as cohort_service

    counter = {"n": 0}

    def make(trainees: int = 3, start=None, role: str = "collab_cs", code=None, joined=None):
        """`joined`: the day the trainees were enrolled (default: the start day, as at intake; a
        later day makes them late joiners, whose earlier work is due later: clock.catch_up)."""
        counter["n"] += 1
        people = [make_user("trainee") for _ in range(trainees)]
        with app.app_context():
            program = db.session.get(Program, catalog)
            cohort = cohort_service.create_cohort(db.session, None, program, {
                "code": code or f"C{counter['n']}", "name": f"Cohort {counter['n']}",
                "start_date": start or date_cls(2026, 9, 7)})
            ids = []
            for person in people:
                trainee = db.session.get(type(person), person.id)
                enrollment, _ = cohort_service.enroll(db.session, None, cohort, trainee, role, "basic_cs")
                # midnight UTC: 08:00 that day in the program's zone
                enrollment.created_at = datetime.combine(joined or cohort.start_date, time())
                ids.append(enrollment.id)
            db.session.commit()
            return cohort.id, ids

    return make


@pytest.fixture
def trainee_with_mentors(app, make_cohort, make_user):
    """One enrolled trainee with an ai and a business mentor: returns a namespace of users and ids."""
    from types import SimpleNamespace

    from lms.models import Cohort, Enrollment
    from lms.services import mentoring

    ai = make_user("mentor", mentor_kind="ai", capacity=50)
    biz = make_user("mentor", mentor_kind="business", capacity=50)
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        trainee = db.session.get(Enrollment, enrollment_id).trainee
        db.session.expunge(trainee)
    return SimpleNamespace(trainee=trainee, ai=ai, biz=biz, cohort_id=cohort_id, enrollment_id=enrollment_id)


def assessment_id(app, code: str) -> int:
    from lms.models import Assessment

    with app.app_context():
        return db.session.scalar(sa.select(Assessment.id).where(Assessment.code == code))


class SmtpSink:
    """aiosmtpd handler keeping every message it receives (a real SMTP server on loopback)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait(self, count: int = 1, seconds: float = 5.0) -> list:
        import time

        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink():
    """A local SMTP server for one test: sink.messages holds what it received."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def mail_app(app, smtp_sink):
    """The app on the same database, e-mailing through `smtp_sink`."""
    mailing = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_sink.port, "MAIL_DEFAULT_SENDER": "lms@example.com",
    })
    mailing.test_client_class = Client
    return mailing

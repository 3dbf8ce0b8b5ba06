"""CLI, health check, error pages, migrations."""

import pytest
import sqlalchemy as sa
from alembic import command
from flask import current_app

from lms.extensions import db
from lms.models import AgentDefect, Placement, Role, User


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "create-admin", "--email", "Root@Example.com", "--name", "Root",
                                 "--password", "a-strong-password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "root@example.com"))
        assert user.role == Role.ADMIN
    again = runner.invoke(args=["lms", "create-admin", "--email", "root@example.com", "--name", "R",
                                "--password", "a-strong-password", "--lang", "en"])
    assert again.exit_code != 0 and "Email: " in again.output


def test_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lms", "demo"])
    assert first.exit_code == 0 and "trainee6@example.com" in first.output
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    with app.app_context():
        # 9 accounts of the training demo; the placed demo cohort adds 2 mentors, 3 trainees and a team lead;
        # the defect demo a reviewer
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 16
        assert db.session.scalar(sa.select(sa.func.count(Placement.id))) == 2
        assert db.session.scalar(sa.select(sa.func.count(AgentDefect.id))) == 12


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(tmp_path):
    from lms import create_app

    broken = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/dir/x.db"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


@pytest.mark.parametrize(("locale", "text"), [("en", "Not found"), ("zh_CN", "页面不存在")])
def test_error_pages_are_localized(client, locale, text):
    client.post_form("/locale", {"locale": locale})
    response = client.get("/no-such-page")
    assert response.status_code == 404 and text in response.get_data(as_text=True)


def test_oversized_request_gets_the_413_page(app, login_as):
    client, _ = login_as("admin")
    client.post_form("/locale", {"locale": "en"})
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/admin/people/import", data=b"x" * (limit + 1),
                           content_type="application/octet-stream")
    assert response.status_code == 413 and "File too large" in response.get_data(as_text=True)


def test_migrations_match_the_models(app):
    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        command.check(config)  # raises when models and migrations differ


def test_production_refuses_a_weak_secret(monkeypatch):
    from lms import create_app

    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")

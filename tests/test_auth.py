from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import LoginAttempt
from lms.services.demo import DEMO_PASSWORD, ensure_demo
from tests.conftest import PASSWORD


def _login(client, email, password, **extra):
    return client.post_form("/auth/login", {"email": email, "password": password, **extra})


@pytest.mark.parametrize(
    ("email", "home"),
    [
        ("admin@example.com", "/admin/"),
        ("mentor.ai@example.com", "/mentor/"),
        ("mentor.biz@example.com", "/mentor/"),
        ("trainee1@example.com", "/me/"),
    ],
)
def test_each_demo_account_lands_on_its_role_home(app, client, email, home):
    with app.app_context():
        ensure_demo(db.session, app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
    response = _login(client, email, DEMO_PASSWORD)
    assert response.status_code == 302
    landing = client.get(response.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200
    assert landing.request.path == home


def test_wrong_password_rerenders_with_message(client, make_user):
    user = make_user("trainee")
    response = _login(client, user.email, "wrong-password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_email_is_case_insensitive(client, make_user):
    user = make_user("trainee", email="Mixed.Case@Example.com")
    assert user.email == "mixed.case@example.com"
    assert _login(client, "MIXED.case@example.COM", PASSWORD).status_code == 302


def test_eleventh_rapid_wrong_login_is_throttled_even_with_the_right_password(client, make_user):
    user = make_user("trainee")
    for _ in range(10):
        assert _login(client, user.email, "nope-nope-nope").status_code == 401
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.get_data(as_text=True)


def test_throttle_lifts_when_the_window_passes(app, client, make_user):
    user = make_user("trainee")
    for _ in range(10):
        _login(client, user.email, "nope-nope-nope")
    with app.app_context():
        for attempt in db.session.scalars(sa.select(LoginAttempt)):
            attempt.at = attempt.at - timedelta(minutes=16)
        db.session.commit()
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("trainee", active=False)
    assert _login(client, user.email, PASSWORD).status_code == 401


def test_remember_me_sets_the_cookie(client, make_user):
    user = make_user("trainee")
    response = _login(client, user.email, PASSWORD, remember="y")
    assert "remember_token" in response.headers.get("Set-Cookie", "") or any(
        "remember_token" in h for h in response.headers.getlist("Set-Cookie")
    )


def test_post_without_csrf_token_is_rejected(client, make_user):
    user = make_user("trainee")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_change_password(client, make_user):
    user = make_user("trainee")
    _login(client, user.email, PASSWORD)
    bad = client.post_form(
        "/auth/password", {"current": "wrong", "new": "a-new-password", "confirm": "a-new-password"}
    )
    assert bad.status_code == 400
    ok = client.post_form(
        "/auth/password", {"current": PASSWORD, "new": "a-new-password", "confirm": "a-new-password"}
    )
    assert ok.status_code == 302
    client.post_form("/auth/logout")
    assert _login(client, user.email, "a-new-password").status_code == 302


def test_logout_ends_the_session(client, make_user):
    user = make_user("trainee")
    _login(client, user.email, PASSWORD)
    assert client.get("/me/").status_code == 200
    client.post_form("/auth/logout")
    response = client.get("/me/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_login_does_not_redirect_off_site(client, make_user):
    user = make_user("trainee")
    response = client.post_form(
        "/auth/login?next=//evil.example.com/", {"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] in ("/", "http://localhost/")

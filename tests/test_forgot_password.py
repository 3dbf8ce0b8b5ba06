"""Forgot password: the same answer whatever the email, throttled in the database, and a
working reset link e-mailed through a real SMTP server that ends the other sessions."""

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Invitation, ResetRequest, User
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "lantern-river-7731"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')  # any order of attributes: the token carries its second


def _ask(client, email):
    return client.post_form("/auth/forgot", {"email": email})


def _body(response) -> str:
    return CSRF.sub("", response.get_data(as_text=True))


def test_login_page_links_to_forgot_password(client):
    assert 'href="/auth/forgot"' in client.get("/auth/login").get_data(as_text=True)


def test_known_and_unknown_emails_get_the_same_answer(app, client, make_user):
    make_user("trainee", email="known@example.com")
    known, unknown = _ask(client, "known@example.com"), _ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert _body(known) == _body(unknown)
    assert "ask your program admin" in _body(known).lower()  # no mail configured: the admin gives links


def test_known_and_unknown_emails_get_the_same_answer_with_mail(mail_app, smtp_sink, make_user):
    make_user("trainee", email="known@example.com")
    client = mail_app.test_client()
    with client.session_transaction() as sess:
        sess["locale"] = "en"
    known, unknown = _ask(client, "known@example.com"), _ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert _body(known) == _body(unknown)
    assert len(smtp_sink.wait(1)) == 1 and smtp_sink.messages[0]["To"] == "known@example.com"


def test_throttled_per_email_then_per_ip(mail_app):
    app, client = mail_app, mail_app.test_client()
    limit = app.config["RESET_MAX_PER_EMAIL"]
    for _ in range(limit):
        assert _ask(client, "victim@example.com").status_code == 200
    refused = _ask(client, "victim@example.com")
    assert refused.status_code == 429 and "is-invalid" in refused.get_data(as_text=True)  # said at the field
    # one IP spraying many addresses is stopped too
    for n in range(app.config["RESET_MAX_PER_IP"] - limit):
        assert _ask(client, f"other{n}@example.com").status_code == 200
    assert _ask(client, "fresh@example.com").status_code == 429
    with app.app_context():  # counted in the database, where every worker sees it
        assert db.session.scalar(sa.select(sa.func.count(ResetRequest.id))) == app.config["RESET_MAX_PER_IP"]


def test_a_bad_email_is_a_field_error(mail_app):
    response = _ask(mail_app.test_client(), "not an email")
    assert response.status_code == 400 and "is-invalid" in response.get_data(as_text=True)


def test_without_mail_the_page_says_whom_to_ask_and_offers_no_form(client):
    html = client.get("/auth/forgot").get_data(as_text=True)
    assert "your program admin can give you a link" in html and 'name="email"' not in html


def test_mailed_link_sets_the_password_and_ends_other_sessions(mail_app, smtp_sink, make_user):
    user = make_user("trainee", email="forgetful@example.com", locale="zh_CN")
    other_device = mail_app.test_client()
    login(other_device, user)
    assert other_device.get("/me/").status_code == 200
    client = mail_app.test_client()
    assert _ask(client, "Forgetful@Example.com ").status_code == 200
    (message,) = smtp_sink.wait(1)
    assert "重置" in message["Subject"]  # in the person's language
    path = re.search(r"http://[^/\s]+(/auth/set-password/\S+)", message.get_content()).group(1)
    assert "forgetful@example.com" in client.get(path).get_data(as_text=True)
    response = client.post_form(path, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and client.get("/me/").status_code == 200
    assert other_device.get("/me/").status_code == 302  # logged out: the session token rotated
    assert client.get(path).status_code == 410  # used up
    fresh = mail_app.test_client()
    assert fresh.post_form("/auth/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert fresh.post_form("/auth/logout").status_code == 302
    assert fresh.post_form("/auth/login", {"email": user.email, "password": PASSWORD}).status_code == 401


def test_a_new_request_ends_the_previous_reset_link(mail_app, smtp_sink, make_user):
    make_user("trainee", email="twice@example.com")
    client = mail_app.test_client()
    _ask(client, "twice@example.com")
    smtp_sink.wait(1)  # each e-mail leaves from its own thread: take them in order
    _ask(client, "twice@example.com")
    first, second = (re.search(r"(/auth/set-password/\S+)", m.get_content()).group(1) for m in smtp_sink.wait(2))
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_no_link_for_a_deactivated_account(mail_app, smtp_sink, make_user):
    make_user("trainee", email="gone@example.com", active=False)
    assert _ask(mail_app.test_client(), "gone@example.com").status_code == 200
    with mail_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
        assert db.session.scalar(sa.select(User.active).where(User.email == "gone@example.com")) is False

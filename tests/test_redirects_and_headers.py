"""Step 5 findings 4 and 5: no open redirect through any `next`, security headers
on every response, no caching of pages built for a logged-in person."""

import re
from pathlib import Path

import pytest

from lms.safe_redirect import is_safe_path
from tests.conftest import PASSWORD

HOSTILE_NEXT = [
    "//evil.example",
    "/\t/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\r\nSet-Cookie: pwned=1",
    "/ok\x00",
    "/" + "a" * 100_000,
    "",
]
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_unsafe_targets_are_refused(target):
    assert not is_safe_path(target)


@pytest.mark.parametrize("target", ["/", "/me/", "/admin/people?q=%E7%8E%8B&page=2", "/catalog/lesson/3#top"])
def test_local_paths_are_kept(target):
    assert is_safe_path(target)


def _location(response) -> str:
    return response.headers["Location"]


def _stays_on_site(response) -> None:
    """A hostile target is ignored (302 home) or, for control characters, refused (400)."""
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert _location(response) == "/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_switch_never_leaves_the_site(client, target):
    _stays_on_site(client.post_form("/locale", {"locale": "en", "next": target}))


def test_language_switch_on_the_404_page_of_a_tab_path_stays_on_the_site(client):
    page = client.get("/%09/evil.example")
    assert page.status_code == 404
    value = re.search(r'name="next" type="hidden" value="([^"]*)"', page.get_data(as_text=True)).group(1)
    response = client.post_form("/locale", {"locale": "en", "next": value})
    assert _location(response) == "/"


def test_language_switch_returns_to_the_page_it_was_pressed_on(client):
    response = client.post_form("/locale", {"locale": "zh_CN", "next": "/auth/login?next=/me/"})
    assert _location(response) == "/auth/login?next=/me/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site_nor_fails(client, make_user, target):
    user = make_user("trainee")
    _stays_on_site(client.post_form("/auth/login", {"email": user.email, "password": PASSWORD},
                                    query_string={"next": target}))


def test_login_follows_a_local_next(client, make_user):
    user = make_user("trainee")
    response = client.post_form("/auth/login?next=/me/", {"email": user.email, "password": PASSWORD})
    assert _location(response) == "/me/"


# --- headers ------------------------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def _assert_security_headers(response):
    csp = _csp(response)
    assert csp["script-src"] == "script-src 'self'"
    assert "unsafe-inline" not in csp.get("default-src", "")
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_anonymous_pages_and_errors_carry_the_security_headers(client):
    for url, status in [("/auth/login", 200), ("/no-such-page", 404), ("/healthz", 200)]:
        response = client.get(url)
        assert response.status_code == status
        _assert_security_headers(response)


def test_pages_of_a_logged_in_person_are_not_cached(login_as):
    client, _ = login_as("trainee")
    response = client.get("/me/")
    assert response.status_code == 200
    _assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable_when_logged_in(login_as):
    client, _ = login_as("trainee")
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    _assert_security_headers(response)


def test_hsts_is_sent_when_configured(app):
    from lms import create_app

    hsts_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                      "HSTS_SECONDS": 31536000})
    response = hsts_app.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in app.test_client().get("/auth/login").headers


def test_no_template_has_inline_script_or_event_handler_attributes():
    """The CSP forbids them; a browser would silently drop the behaviour."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
        if re.search(r"href\s*=\s*[\"']javascript:", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_switching_language_on_a_page_rerendered_after_a_post_returns_to_its_form(login_as):
    """An enroll CSV with a bad row re-renders at /import (POST only): the switch went there (405)."""
    client, _ = login_as("admin")
    response = client.post_form("/auth/password", {"current": "x", "new": "y", "confirm": "z"},
                                headers={"Referer": "http://localhost/auth/password"})
    assert response.status_code == 400
    value = re.search(r'name="next" type="hidden" value="([^"]*)"', response.get_data(as_text=True)).group(1)
    assert value == "/auth/password"
    foreign = client.post_form("/auth/password", {"current": "x"}, headers={"Referer": "https://evil.example/x"})
    assert 'name="next" type="hidden" value=""' in foreign.get_data(as_text=True)

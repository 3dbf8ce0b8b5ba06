"""Accessibility basics on every page: skip link, required fields, help texts, contrast."""

import re
from pathlib import Path

from tests.conftest import login

CSS = Path(__file__).resolve().parent.parent / "lms" / "static" / "app.css"


def _tag(html, pattern):
    match = re.search(pattern, html)
    assert match, pattern
    return match.group(0)


def test_skip_link_is_the_first_focusable_element_and_targets_main(client):
    html = client.get("/auth/login").get_data(as_text=True)
    body = html.split("<body>", 1)[1]
    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
    assert 'href="#content"' in first and "visually-hidden-focusable" in first
    assert '<main id="content"' in html


def test_required_fields_are_marked_and_flagged(client):
    html = client.get("/auth/login").get_data(as_text=True)
    email = _tag(html, r'<input[^>]*id="email"[^>]*>')
    assert " required" in email and 'aria-required="true"' in email
    assert re.search(r'<label[^>]*for="email"[^>]*>[^<]*<span class="text-danger required-mark" aria-hidden="true">',
                     html)
    remember = _tag(html, r'<input[^>]*id="remember"[^>]*>')
    assert "required" not in remember


def test_help_texts_are_tied_to_their_inputs(catalog, make_user, client):
    login(client, make_user("admin"))
    html = client.get("/admin/cohorts/new").get_data(as_text=True)
    code = _tag(html, r'<input[^>]*id="code"[^>]*>')
    assert 'aria-describedby="code-help"' in code
    assert re.search(r'<div class="form-text" id="code-help">Short and unique', html)

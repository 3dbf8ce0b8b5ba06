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


# Bootstrap 5.3's own colours the app's rules sit on (not in app.css).
BOOTSTRAP_DARK = "#212529"  # .bg-dark, the navbar
BOOTSTRAP_MUTED = ("#212529", 0.75)  # .text-muted: rgba(33, 37, 41, .75)
WHITE = "#ffffff"
BOOTSTRAP_TABLE_DANGER = "#f8d7da"  # .table-danger, a row past its SLA


def _rule(selector: str) -> str:
    css = CSS.read_text()
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, selector
    return match.group(1)


def _hex(declarations: str, prop: str) -> str:
    return re.search(rf"(?:^|[;\s]){re.escape(prop)}\s*:\s*(#[0-9a-fA-F]{{6}})", declarations).group(1)


def _rgb(value: str) -> tuple[float, ...]:
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))


def _blend(colour: str, alpha: float, background: str) -> str:
    mixed = (round(alpha * c + (1 - alpha) * b) for c, b in zip(_rgb(colour), _rgb(background), strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def contrast(a: str, b: str) -> float:
    def luminance(colour):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b_ = (channel(c) for c in _rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_known_values():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#6c757d", "#212529"), 1) == 3.3  # Bootstrap's tagline colour on the navbar, before


def test_text_colours_in_app_css_reach_4_5_to_1():
    page = _hex(_rule("body"), "background")
    link = _hex(_rule(":root"), "--bs-link-color")
    locked = _hex(_rule('.card.opacity-75[id^="tier-"]'), "background")
    pairs = {
        "navbar tagline": (_hex(_rule(".navbar-dark .navbar-brand .text-secondary"), "color"), BOOTSTRAP_DARK),
        "locked badge": (WHITE, _hex(_rule(".badge.text-bg-secondary"), "background-color")),
        "locked-tier text": (_blend(*BOOTSTRAP_MUTED, locked), locked),
        "link on the grey page": (link, page),
        "link on a locked tier": (link, locked),
        "hovered link on grey": (_hex(_rule(":root"), "--bs-link-hover-color"), page),
        "outline primary button on grey": (_hex(_rule(".btn-outline-primary"), "--bs-btn-color"), page),
        "outline secondary button on grey": (_hex(_rule(".btn-outline-secondary"), "--bs-btn-color"), page),
        "outline secondary button on a locked tier": (_hex(_rule(".btn-outline-secondary"), "--bs-btn-color"),
                                                      locked),
        "outline danger button on grey": (_hex(_rule(".btn-outline-danger"), "--bs-btn-color"), page),
        "success text on grey": (_hex(_rule(".text-success"), "color"), page),
        "success text on a breached row": (_hex(_rule(".text-success"), "color"), BOOTSTRAP_TABLE_DANGER),
        "danger text on a breached row": (_hex(_rule(".text-danger"), "color"), BOOTSTRAP_TABLE_DANGER),
    }
    low = {name: round(contrast(*pair), 2) for name, pair in pairs.items() if contrast(*pair) < 4.5}
    assert not low
    assert "opacity: 1" in _rule('.card.opacity-75[id^="tier-"]')  # locked text is not faded


def test_the_enroll_picker_marks_its_required_select(app, make_cohort, make_user, client):
    cohort_id, _ = make_cohort(trainees=0)
    make_user("trainee", name="Picked Person")
    login(client, make_user("admin"))
    html = client.get(f"/admin/cohorts/{cohort_id}?q=Picked").get_data(as_text=True)
    select = _tag(html, r'<select[^>]*id="trainee_id"[^>]*>')
    assert " required" in select and 'aria-required="true"' in select
    assert re.search(r'for="trainee_id">[^<]*<span class="text-danger required-mark"', html)

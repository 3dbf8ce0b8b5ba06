"""Both catalogs complete and compiled; the language choice is remembered."""

import sqlalchemy as sa
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from lms.cli_i18n import CATALOGS, extract, po_path
from lms.extensions import db
from lms.models import User
from tests.conftest import login


def _catalog(locale):
    with open(po_path(locale), "rb") as f:
        return read_po(f)


def _code_msgids(tmp_path) -> set[str]:
    pot = tmp_path / "code.pot"
    extract(pot)
    with open(pot, "rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def _ids(catalog) -> dict:
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


def test_every_msgid_in_the_code_has_a_zh_cn_translation(tmp_path):
    code = _code_msgids(tmp_path)
    zh = _ids(_catalog("zh_CN"))
    missing = sorted(i for i in code if i not in zh or not _text(zh[i]) or zh[i].fuzzy)
    assert not missing, "run `flask --app wsgi lms i18n update` and translate:\n" + "\n".join(missing)


def test_en_catalog_holds_every_msgid(tmp_path):
    assert _code_msgids(tmp_path) <= set(_ids(_catalog("en")))


def test_compiled_catalogs_match_the_po_files():
    for locale, folder in CATALOGS.items():
        with open(po_path(locale).with_suffix(".mo"), "rb") as f:
            compiled = {_key(m): _key(m, "string") for m in read_mo(f) if m.id}
        source = {_key(m): _key(m, "string") for m in _catalog(locale) if m.id and _text(m)}
        stale = {k for k, v in source.items() if compiled.get(k) != v}
        assert not stale, f"{folder}: run `flask --app wsgi lms i18n compile`"


def _key(message, attr="id"):
    value = getattr(message, attr)
    return value if isinstance(value, str) else tuple(value)


def _text(message) -> str:
    return message.string if isinstance(message.string, str) else "".join(message.string)


def test_default_language_is_simplified_chinese(app):
    client = app.test_client()
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "登录" in html


def test_anonymous_choice_is_kept_in_the_session(client):
    client.post_form("/locale", {"locale": "zh_CN", "next": "/auth/login"})
    assert "登录 Reskill" in client.get("/auth/login").get_data(as_text=True)
    client.post_form("/locale", {"locale": "en"})
    assert "Log in to Reskill" in client.get("/auth/login").get_data(as_text=True)


def test_logged_in_choice_is_saved_on_the_user(app, client, make_user):
    user = make_user("trainee", locale="en")
    login(client, user)
    response = client.post_form("/locale", {"locale": "zh_CN", "next": "/me/"})
    assert response.headers["Location"].endswith("/me/")
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale).where(User.id == user.id)) == "zh_CN"
    # A new browser (fresh session) still gets the saved choice.
    fresh = app.test_client()
    login(fresh, user)
    assert "欢迎" in fresh.get("/me/").get_data(as_text=True)


def test_locale_switch_refuses_off_site_redirects(client):
    response = client.post_form("/locale", {"locale": "en", "next": "//evil.example.com"})
    assert response.headers["Location"] in ("/", "http://localhost/")

"""Jinja filters shared by all templates."""

from flask_babel import get_locale

from lms.services.markdown import render_markdown


def localized(text: dict | None) -> str:
    """Pick the current language from a {"zh_CN": ..., "en": ...} text."""
    if not text:
        return ""
    locale = str(get_locale() or "zh_CN")
    key = "en" if locale.startswith("en") else "zh_CN"
    return text.get(key) or text.get("zh_CN") or text.get("en") or ""


def init_templating(app) -> None:
    app.jinja_env.filters["t"] = localized
    app.jinja_env.filters["markdown"] = lambda text: render_markdown(
        localized(text) if isinstance(text, dict) else text
    )

"""Jinja filters shared by all templates."""

from datetime import datetime

from babel.dates import get_timezone, get_timezone_name
from flask import current_app
from flask_babel import format_datetime, get_locale
from markupsafe import Markup

from lms.services.grading import attained
from lms.services.markdown import render_markdown
from lms.vocabulary import column_label


def localized(text: dict | None) -> str:
    """Pick the current language from a {"zh_CN": ..., "en": ...} text."""
    if not text:
        return ""
    locale = str(get_locale() or "zh_CN")
    key = "en" if locale.startswith("en") else "zh_CN"
    return text.get(key) or text.get("zh_CN") or text.get("en") or ""


def localtime(moment: datetime | None) -> Markup:
    """A stored (naive UTC) time in the program's time zone, labelled with the zone.

    `<time datetime>` keeps the exact instant for machines; people read local time.
    """
    if moment is None:
        return Markup("")
    zone = get_timezone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    label = get_timezone_name(zone, locale=str(get_locale() or "zh_CN"))
    html = Markup('<time datetime="{iso}Z" title="{label}">{text} <small class="text-muted">{label}</small></time>')
    return html.format(iso=moment.replace(microsecond=0).isoformat(), label=label,
                       text=format_datetime(moment, "yyyy-MM-dd HH:mm"))


def init_templating(app) -> None:
    app.jinja_env.filters["t"] = localized
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["column"] = column_label  # an import file's column, named for people
    app.jinja_env.tests["attained"] = attained  # the rule stays in grading.attained
    app.jinja_env.filters["markdown"] = lambda text: render_markdown(
        localized(text) if isinstance(text, dict) else text
    )

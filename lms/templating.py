"""Jinja filters shared by all templates."""

import functools
from datetime import UTC, datetime

from babel.dates import get_timezone, get_timezone_name
from flask import current_app
from markupsafe import Markup

from lms.i18n import colon, join_names, request_language
from lms.services.grading import attained
from lms.services.markdown import render_markdown
from lms.vocabulary import column_label


def localized(text: dict | None) -> str:
    """Pick the current language from a {"zh_CN": ..., "en": ...} text."""
    if not text:
        return ""
    key = request_language()
    return text.get(key) or text.get("zh_CN") or text.get("en") or ""


@functools.lru_cache(maxsize=4)
def _zone(zone: str):
    return get_timezone(zone)


@functools.lru_cache(maxsize=16)
def _zone_label(zone: str, language: str) -> str:
    """The zone's display name ("中国时间", "China Time"); Babel builds it slowly, and it never changes."""
    return get_timezone_name(get_timezone(zone), locale=language)


def localtime(moment: datetime | None) -> Markup:
    """A stored (naive UTC) time in the program's time zone, labelled with the zone.

    `<time datetime>` keeps the exact instant for machines; people read local time.
    """
    if moment is None:
        return Markup("")
    label = _zone_label(current_app.config["BABEL_DEFAULT_TIMEZONE"], request_language())
    html = Markup('<time datetime="{iso}Z" title="{label}">{text} <small class="text-muted">{label}</small></time>')
    # A fixed numeric pattern needs no locale: convert and format directly (Babel's
    # format_datetime per row was a sixth of a 50-row roster's time).
    local = moment.replace(tzinfo=UTC).astimezone(_zone(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return html.format(iso=moment.replace(microsecond=0).isoformat(), label=label,
                       text=local.strftime("%Y-%m-%d %H:%M"))


def init_templating(app) -> None:
    app.jinja_env.filters["t"] = localized
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["join_names"] = join_names  # "甲、乙" / "A, B"
    app.jinja_env.filters["colon"] = colon  # "问题：" / "Problem: "
    app.jinja_env.filters["column"] = column_label  # an import file's column, named for people
    app.jinja_env.tests["attained"] = attained  # the rule stays in grading.attained
    app.jinja_env.filters["markdown"] = lambda text: render_markdown(
        localized(text) if isinstance(text, dict) else text
    )

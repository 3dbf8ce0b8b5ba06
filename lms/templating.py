"""Jinja filters shared by all templates."""

import functools
from datetime import UTC, datetime

from babel.dates import get_timezone, get_timezone_name
from flask import current_app, url_for
from markupsafe import Markup, escape

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


def zone_label(zone: str | None = None) -> str:
    """The program's time zone as a reader names it ("中国时间", "China Time"): for a column of
    times in an export, or a page that says once which zone its times are in."""
    return _zone_label(zone or current_app.config["BABEL_DEFAULT_TIMEZONE"], request_language())


@functools.lru_cache(maxsize=16)
def _time_html(zone: str, language: str) -> tuple[str, str, str]:
    """The escaped pieces around a `<time>`'s ISO instant and local text, for `localtime`."""
    label = escape(_zone_label(zone, language))
    return '<time datetime="', f'Z" title="{label}">', f' <small class="text-muted">{label}</small></time>'


def localtime(moment: datetime | None) -> Markup:
    """A stored (naive UTC) time in the program's time zone, labelled with the zone.

    `<time datetime>` keeps the exact instant for machines; people read local time.
    """
    if moment is None:
        return Markup("")
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return _time(moment, _zone(zone), _time_html(zone, request_language()))


def local_times():
    """`localtime` with the zone and language looked up once, for a table that shows a time per
    row: `{% set at = local_times() %}` before the loop, then `{{ at(row.time) }}` (the filter
    looks both up on every call, a third of its time)."""
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    tz, pieces = _zone(zone), _time_html(zone, request_language())

    def at(moment: datetime | None) -> Markup:
        return _time(moment, tz, pieces) if moment is not None else Markup("")

    return at


def _time(moment: datetime, tz, pieces: tuple[str, str, str]) -> Markup:
    # A fixed numeric pattern needs no locale: convert and format directly (Babel's
    # format_datetime per row was a sixth of a 50-row roster's time). The pieces around
    # the two digit-only texts are escaped once per zone and language (`Markup.format`
    # per row was a third of the grading queue's rendering).
    start, middle, end = pieces
    local = moment.replace(tzinfo=UTC).astimezone(tz)
    text = local.strftime("%Y-%m-%d %H:%M")
    iso = moment.replace(microsecond=0).isoformat()
    return Markup(start + iso + middle + text + end)  # nosec B704  # pieces escaped in _time_html; digits


_ID_PLACEHOLDER = 2147483647  # the largest id a route accepts: never a real row's


def id_url(endpoint: str, arg: str, **values) -> str:
    """`url_for(endpoint, **values)` with `{}` where `arg`, an id, goes: for a table that links
    every row, `{% set url = id_url(...) %}` once, then `{{ url.format(row.id) }}` per row.

    `url_for` builds through the whole routing map each time: one call per row was a
    tenth of a 130-row page's time.
    """
    url = url_for(endpoint, **values, **{arg: _ID_PLACEHOLDER})
    if url.count(str(_ID_PLACEHOLDER)) != 1 or "{" in url or "}" in url:
        raise ValueError(f"cannot make a URL pattern of {url}")
    return url.replace(str(_ID_PLACEHOLDER), "{}")


def init_templating(app) -> None:
    from lms.notification_texts import headline
    from lms.permissions import may_open_defect_file, may_read_report

    app.jinja_env.globals["id_url"] = id_url
    # a scheduled job's notification in the reader's language (lms/notification_texts.py)
    app.jinja_env.globals["notification_text"] = lambda note: headline(note.kind.value, note.params or {})
    app.jinja_env.globals["local_times"] = local_times
    app.jinja_env.globals["zone_label"] = zone_label
    # Object policies a shared template asks per row (a defect's reports and screenshots).
    app.jinja_env.globals["may_read_report"] = may_read_report
    app.jinja_env.globals["may_open_defect_file"] = may_open_defect_file
    app.jinja_env.filters["t"] = localized
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["join_names"] = join_names  # "甲、乙" / "A, B"
    app.jinja_env.filters["colon"] = colon  # "问题：" / "Problem: "
    app.jinja_env.filters["column"] = column_label  # an import file's column, named for people
    app.jinja_env.tests["attained"] = attained  # the rule stays in grading.attained
    app.jinja_env.filters["markdown"] = lambda text: render_markdown(
        localized(text) if isinstance(text, dict) else text
    )

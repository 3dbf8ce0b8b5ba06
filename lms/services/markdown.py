"""Markdown → sanitised HTML for lessons and briefs."""

import functools

import markdown as md
import nh3
from markupsafe import Markup

# Content authors write tables and code; nothing executable survives nh3.
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "del", "code", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th",
    "td", "a", "img", "sup", "sub", "span", "div", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                      "td": {"align"}, "code": {"class"}}


@functools.lru_cache(maxsize=512)
def render_markdown(text: str) -> Markup:
    """Pure in its text, so each worker renders a lesson or brief once (a quarter of a lesson
    page's time); a changed text after a sync is a new key."""
    html = md.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)  # nosec B704  # nh3 above kept only allow-listed tags, attributes and URL schemes

"""Display names for codes in messages built in Python (templates use macros/labels.html)."""

from flask_babel import lazy_gettext as _l

MENTOR_KINDS = {"ai": _l("AI mentor"), "business": _l("Business mentor")}


def mentor_kind(value) -> str:
    """'ai' or MentorKind.AI → "AI mentor" in the user's language."""
    code = getattr(value, "value", value)
    return str(MENTOR_KINDS.get(code, code))

ROLES = {"admin": _l("Admin"), "mentor": _l("Mentor"), "trainee": _l("Trainee")}


def role(value) -> str:
    """'mentor' or Role.MENTOR → "Mentor" in the user's language."""
    code = getattr(value, "value", value)
    return str(ROLES.get(code, code))

SOURCE_ROLES = {
    "basic_cs": _l("Basic customer service"),
    "order_clerk": _l("Order clerk"),
    "logistics_entry": _l("Logistics data entry"),
    "other": _l("Other"),
}
# Language names are written in their own language, whatever the page's language.
LOCALE_NAMES = {"zh_CN": "简体中文", "en": "English"}

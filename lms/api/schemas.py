"""Fields and schemas the API's resources share: they validate requests and, through
flask-smorest and apispec, are the OpenAPI document (one definition for both).

Every field says what is wrong in the reader's language (`lazy_gettext`, resolved when an
error is shown); texts refuse control characters, which PostgreSQL would not store.
"""

import base64
import binascii
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from lms.services.handoffs import parse_time
from lms.services.text import CONTROL_CHARS, has_control_chars

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

_COMMON = {
    "required": _l("is required"),
    "null": _l("may not be null"),
    "validator_failed": _l("is not valid"),
}


class ApiSchema(ma.Schema):
    """Unknown fields are refused (a typo should not pass as an omission)."""

    error_messages = {"type": _l("must be a JSON object"), "unknown": _l("is not a field of this request")}


class Translated:
    """Field messages are lazy strings, put into words (and their {placeholders} filled) when an
    error is raised, in the request's language; marshmallow formats only plain str messages."""

    def make_error(self, key: str, **kwargs) -> ma.ValidationError:
        return ma.ValidationError(str(self.error_messages[key]).format(**kwargs))


# `_no_control_chars` in the document's terms, each character written \\uXXXX (ECMA-262 and Python
# read it alike): clients and test generators learn the rule before a 422 tells them.
NO_CONTROL_CHARS = "^[^" + "".join(c if c == "-" else f"\\u{ord(c):04x}" for c in CONTROL_CHARS.pattern[1:-1]) + "]*$"


def _no_control_chars(value: str) -> None:
    if has_control_chars(value):
        raise ma.ValidationError(str(_l("contains a control character")))


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError(str(_COMMON["required"]))


class Text(Translated, fields.String):
    """A string of at most `max_length` characters; `blank=False`: not empty or only spaces."""

    default_error_messages = {**_COMMON, "invalid": _l("must be a string")}

    def __init__(self, max_length: int = 200, blank: bool = True, **kwargs):
        validators = [validate.Length(max=max_length, error=_l("is longer than {max} characters")),
                      _no_control_chars]
        documented = {"pattern": NO_CONTROL_CHARS}
        if not blank:
            validators.append(_not_blank)
            documented["minLength"] = 1
        super().__init__(validate=validators, metadata={**documented, **kwargs.pop("metadata", {})}, **kwargs)


class Int(Translated, fields.Integer):
    default_error_messages = {**_COMMON, "invalid": _l("must be a whole number"),
                              "too_large": _l("is too large")}


def record_id(**kwargs) -> "Int":
    """An id in a query or a body: a positive INTEGER (a larger number never reaches a query)."""
    return Int(validate=validate.Range(min=1, max=2**31 - 1, error=_l("must be between {min} and {max}")), **kwargs)


class Bool(Translated, fields.Boolean):
    default_error_messages = {**_COMMON, "invalid": _l("must be true or false")}


class Day(Translated, fields.Date):
    default_error_messages = {**_COMMON, "invalid": _l("must be a date like 2026-03-02")}


class Choice(Translated, fields.Enum):
    """An enum by its code (the value), as stored."""

    default_error_messages = {**_COMMON, "unknown": _l("must be one of: {choices}")}

    def __init__(self, enum, **kwargs):
        super().__init__(enum, by_value=True, **kwargs)


class Items(Translated, fields.List):
    default_error_messages = {**_COMMON, "invalid": _l("must be a list")}


class Obj(Translated, fields.Nested):
    default_error_messages = {**_COMMON, "type": _l("must be a JSON object")}


class Moment(Translated, fields.DateTime):
    """A time as stored (naive UTC) ⇄ ISO 8601. Written with an offset or Z, or without one for
    the program's time zone (LMS_TIMEZONE), like the hand-off files; always answered in UTC."""

    default_error_messages = {**_COMMON, "invalid": _l("must be a date and time like 2026-03-02T09:30:00+08:00")}

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if not isinstance(value, str) or len(value) > 40:
            raise self.make_error("invalid")
        moment = parse_time(value, ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        if moment is None:
            raise self.make_error("invalid")
        return moment


def encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{after_id}".encode()).decode().rstrip("=")


class Cursor(Translated, fields.String):
    """The opaque `next_cursor` of a page ⇄ the id the next page starts after."""

    default_error_messages = {**_COMMON, "invalid": _l("is not a cursor this API gave")}

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise self.make_error("invalid") from None
        version, _, number = decoded.partition(":")
        if version != "v1" or not number.isascii() or not number.isdigit() or len(number) > 10:
            raise self.make_error("invalid")
        after = int(number)
        if after > 2**31 - 1:
            raise self.make_error("invalid")
        return after


class PageArgs(ApiSchema):
    class Meta:
        unknown = ma.EXCLUDE  # other query parameters belong to the resource's own filters

    cursor = Cursor(load_default=None, metadata={"description": _l(
        "Where to go on: the next_cursor of the page before. Leave out for the first page.")})
    limit = Int(load_default=DEFAULT_LIMIT, validate=validate.Range(
        min=1, max=MAX_LIMIT, error=_l("must be between {min} and {max}")),
        metadata={"description": _l("Items per page (at most 200).")})


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope of one page of `item`s: `items`, and `next_cursor` (null on the last page)."""
    return type(name, (ApiSchema,), {
        "items": Items(Obj(item), required=True),
        "next_cursor": fields.String(required=True, allow_none=True, metadata={"description": _l(
            "Pass it as ?cursor= for the next page; null on the last page.")}),
    })


class ProblemSchema(ApiSchema):
    """RFC 9457 problem details: every error of the API, as application/problem+json."""

    type = fields.String(required=True, metadata={"description": _l(
        "What kind of problem: about:blank (the HTTP status says it) or a link to its description.")})
    title = fields.String(required=True, metadata={"description": _l("A short summary of the kind of problem.")})
    status = fields.Integer(required=True, metadata={"description": _l("The HTTP status code.")})
    detail = fields.String(required=True, metadata={"description": _l("What went wrong this time, and what to do.")})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={"description": _l(
        "Per field (items of a list as list.index.field), what is wrong with it.")})


class TraineeRef(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)


class CountsSchema(ApiSchema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)

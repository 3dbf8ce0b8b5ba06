"""Every error under /api/ as application/problem+json (RFC 9457): type, title, status,
detail and, for bad input, `errors` per field. Unknown routes, wrong methods, oversized or
non-JSON bodies and validation failures answer the same way; never an HTML page."""

import json
from collections.abc import Mapping
from typing import Optional

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from webargs.flaskparser import FlaskParser, abort
from werkzeug.exceptions import HTTPException

from lms.services import Conflict, DomainError
from lms.services.import_files import RowError

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"
# Problem types with their own description on the docs page (/api/v1/docs#problem-…).
TYPES = ("invalid-token", "insufficient-scope", "validation", "rows", "rule", "conflict")

TITLES = {
    400: _l("Bad request"),
    401: _l("Token required"),
    403: _l("Not allowed"),
    404: _l("No such resource"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid input"),
    429: _l("Too many requests"),
    500: _l("Server error"),
}
DETAILS = {
    400: _l("The request could not be understood."),
    401: _l("Send a valid token: Authorization: Bearer <token>."),
    403: _l("This token may not do this."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not accept that method; the Allow header lists those it does."),
    409: _l("Someone else changed this at the same moment. Read it again and retry."),
    413: _l("The request body is larger than the allowed %(mb)d MB."),
    415: _l("Send the body as JSON with Content-Type: application/json."),
    422: _l("Some fields are not valid: see errors."),
    429: _l("Slow down and try again in a few minutes."),
    500: _l("The error is logged. Try again; if it persists, tell your program admin."),
}


class ApiParser(FlaskParser):
    """webargs' parser, answering 400 in the reader's language for a body that is not JSON,
    nested too deep for Python's decoder included (a RecursionError would be a 500)."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except (RecursionError, ValueError) as error:  # too deep, or a number past int()'s 4,300 digits
            return self._handle_invalid_json_error(error, req)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, exc=error, messages={"json": [str(_l("The body is not valid JSON."))]})


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def type_uri(kind: Optional[str]) -> str:
    return f"/api/v1/docs#problem-{kind}" if kind in TYPES else "about:blank"


def problem(status: int, detail=None, errors: Optional[Mapping[str, list]] = None, kind: Optional[str] = None,
            headers: Optional[Mapping[str, str]] = None):
    """The problem+json response; `detail` defaults to the status's own message."""
    mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    body = {
        "type": type_uri(kind),
        "title": str(TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])),
        "status": status,
        "detail": str(detail) if detail is not None else str(DETAILS.get(status, DETAILS[400])) % {"mb": mb},
    }
    if errors:
        body["errors"] = {key: [str(m) for m in messages] for key, messages in errors.items()}
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def flatten(messages, prefix: str = "") -> dict[str, list]:
    """webargs/marshmallow messages ({"json": {"rows": {0: {"email": [...]}}}}) as one level:
    {"rows.0.email": [...]}; the location (json, query) is dropped unless the message is about
    the whole body."""
    out: dict[str, list] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten(value, name))
    else:
        items = messages if isinstance(messages, list) else [messages]
        out.setdefault(prefix or "_body", []).extend(items)
    return out


def from_http_exception(error: HTTPException):
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    errors, kind, detail = None, None, None
    if "messages" in data:  # webargs: the arguments or the body did not validate
        errors = {}
        for location, messages in data["messages"].items():
            flat = flatten(messages)
            if list(flat) == ["_body"]:
                flat = {location: flat["_body"]}
            errors.update(flat)
        if code == 400:  # webargs answers 400 only for a body that is not JSON (ApiParser)
            detail = _l("The body is not valid JSON.")
        else:
            kind = "validation"
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return problem(code, detail, errors, kind, headers)


def rows_problem(errors: list[RowError], field: str, first_line: int):
    """An import's row errors (nothing was written) as 422, keyed `field.index.column`, where
    index counts the request's list from 0 (row `first_line` is index 0)."""
    by_key: dict[str, list] = {}
    for e in errors:
        index = e.row - first_line
        if e.field == "file":  # about the list as a whole (no rows, too many)
            key = field
        else:
            key = f"{field}.{index}.{e.field}" if index >= 0 else str(e.field)
        by_key.setdefault(key, []).append(e.message)
    return problem(422, _l("Nothing was written: fix the rows listed in errors and send them all again."),
                   by_key, "rows")


def domain_problem(error: DomainError):
    """A broken program rule (422, or 409 for a lost race), on its field when it names one."""
    if isinstance(error, Conflict):
        return problem(409, error.message, {error.field: [error.message]} if error.field else None, "conflict")
    return problem(422, error.message, {error.field: [error.message]} if error.field else None, "rule")

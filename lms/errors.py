"""Localized, styled error pages (problem+json under /api/, JSON for the health check)."""

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.api import errors as api_errors
from lms.extensions import db

CSRF_MESSAGE = _l(
    "The form expired or was sent without its security token. Reload the page and try again."
)
MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account may not open this page.")),
    404: (_l("Not found"), _l("There is no page at this address.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Changed at the same moment"),
          _l("Someone else changed this at the same moment. Reload the page and try again.")),
    413: (_l("File too large"), _l("The upload is larger than the allowed size of %(mb)d MB.")),
    429: (_l("Too many requests"), _l("Slow down and try again in a few minutes.")),
    500: (
        _l("Something went wrong"),
        _l("The error is logged. Try again; if it persists, tell your program admin."),
    ),
}


def _render(code: int, detail: str | None = None):
    from flask import current_app

    if api_errors.is_api_request():
        return api_errors.problem(code, detail)
    title, text = MESSAGES.get(code, MESSAGES[500])
    mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    text = detail or str(text) % {"mb": mb}
    if request.path == "/healthz":
        return {"error": str(title), "detail": text}, code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _render(400, str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if api_errors.is_api_request():  # with the fields webargs found wrong, the methods a 405 allows
            return api_errors.from_http_exception(error)
        return _render(error.code or 500)

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        # A unique index caught a race no view expected: nothing was written, so say
        # "try again" (409) rather than 500. Logged, in case it is a bug instead.
        db.session.rollback()
        app.logger.warning("IntegrityError answered with 409: %s", error.orig)
        return _render(409)

    @app.errorhandler(InternalServerError)
    def _internal(error):
        db.session.rollback()
        return _render(500)

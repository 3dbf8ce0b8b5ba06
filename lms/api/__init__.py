"""The HR API, /api/v1: JSON for HR systems and agent consoles, authenticated by bearer tokens
(lms/api/auth.py; never the session cookie, so no CSRF token either), errors as
application/problem+json (errors.py), documented by the OpenAPI document generated from the
schemas that validate the requests (openapi.py, schemas.py). One module per resource.

flask-smorest rather than APIFlask: it adds an API to the Flask app we have (a blueprint and
an extension object), where APIFlask replaces the app class and with it the error handling
and the JSON of every page; its marshmallow schemas validate through webargs and become the
document through apispec, which writes OpenAPI 3.1.
"""

from flask import Blueprint as FlaskBlueprint
from flask import request
from flask_smorest import Blueprint

from lms.api.errors import ApiParser

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.ARGUMENTS_PARSER = ApiParser()  # before the resource modules declare their arguments
# The document and its reference page: public, not part of what they document.
docs_bp = FlaskBlueprint("api_docs", __name__, url_prefix="/api/v1")

BODY_METHODS = ("POST", "PUT", "PATCH")


@bp.before_request
def _json_bodies_only():
    """415 for a body that is not JSON (after the token check: `permissions.enforce` runs first)."""
    if request.method in BODY_METHODS and not request.is_json:
        from lms.api.errors import problem

        return problem(415)
    return None


def init_api(app) -> None:
    from lms.api import awards, cohorts, defects, handoffs, openapi, placements, trainees  # noqa: F401
    from lms.api.reference import codeify
    from lms.extensions import csrf

    openapi.HrApi(app).register_blueprint(bp)
    app.jinja_env.filters["codeify"] = codeify
    app.register_blueprint(docs_bp)
    csrf.exempt(bp)  # bearer tokens only: a browser's cookies never authenticate these routes

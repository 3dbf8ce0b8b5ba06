"""The OpenAPI 3.1 document, built by flask-smorest / apispec from the same marshmallow schemas
that validate the requests, served at /api/v1/openapi.json and rendered as a reference page
at /api/v1/docs (our own template: no script, no CDN, readable offline and printable).

Each operation's security and token scope come from the rule its view declares
(`permissions.require_token`), so the document cannot drift from what is enforced.
"""

import copy
import http
import json
import re

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_smorest import Api

from lms.api import bp, docs_bp
from lms.api.errors import PROBLEM_JSON, TITLES, TYPES
from lms.api.schemas import ProblemSchema
from lms.converters import BoundedIntConverter
from lms.permissions import TokenRule, public

TITLE = "Reskill HR API"
VERSION = "1.0"
SECURITY_SCHEME = "bearerToken"


class HrApi(Api):
    """flask-smorest's Api with problem+json errors, documented as such, and without its own
    error handler (lms/errors.py answers every error under /api/ with problem+json)."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app):
        super().__init__(app, spec_kwargs={
            "title": TITLE, "version": VERSION, "openapi_version": "3.1.0",
            "info": {"description": "Bearer-token API for HR systems and agent consoles. "
                                    "Errors are application/problem+json (RFC 9457)."},
            "components": {"securitySchemes": {SECURITY_SCHEME: {
                "type": "http", "scheme": "bearer",
                "description": "A token from People → API tokens (admins) or My buffer period → API token."}}},
        })
        self.register_converter(BoundedIntConverter, _int_param)
        # flask-smorest's `flask openapi` would print the texts untranslated (they are lazy): the
        # document is served at /api/v1/openapi.json, in the language the client asks for.
        app.cli.commands.pop("openapi", None)

    def _register_error_handlers(self):
        pass  # lms/errors.py: one handler for the whole app, problem+json under /api/

    def _register_responses(self):
        """Error responses (and `default`) as problem+json, each registered when first referenced."""
        for status in http.HTTPStatus:
            if status >= 400:
                self.spec.components.response(status.name, _problem_response(TITLES.get(status, status.phrase)),
                                              lazy=True)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, _problem_response(_l("Any other error")),
                                      lazy=True)


def _problem_response(description, ref: bool = False) -> dict:
    """An error response; `ref`: already in the document's terms (a $ref, not the schema class)."""
    schema = {"$ref": "#/components/schemas/Problem"} if ref else ProblemSchema
    return {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}


def _int_param(converter) -> dict:
    return {"type": "integer", "minimum": converter.min, "maximum": converter.max}


def _path(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def document() -> dict:
    """The OpenAPI document of this app (texts still lazy: `to_json` renders them in the request's
    language). Security, the scope each operation needs and its 401 / 403 come from the rules."""
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    spec = copy.deepcopy(api.spec.to_dict())
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith(f"{bp.name}."):
            continue
        required = getattr(current_app.view_functions[rule.endpoint], "required_action", None)
        operations = spec["paths"].get(_path(rule), {})
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = operations.get(method.lower())
            if operation is None or not isinstance(required, TokenRule):
                continue
            operation["security"] = [{SECURITY_SCHEME: []}]
            operation["x-token-scope"] = required.scope.value
            operation["x-actions"] = sorted(a.value for a in required.actions)
            responses = operation.setdefault("responses", {})
            for status in (http.HTTPStatus.UNAUTHORIZED, http.HTTPStatus.FORBIDDEN):
                responses.setdefault(str(status.value), {"$ref": f"#/components/responses/{status.name}"})
                spec["components"]["responses"].setdefault(status.name, _problem_response(TITLES[status], ref=True))
    spec["components"]["schemas"].pop("PaginationMetadata", None)  # flask-smorest's page numbers: not used
    spec["tags"] = [{"name": name} for name in sorted({t for item in spec["paths"].values()
                                                        for op in item.values() if isinstance(op, dict)
                                                        for t in op.get("tags", ())})]
    return spec


def to_json(spec: dict) -> str:
    return json.dumps(spec, ensure_ascii=False, default=str, indent=1)


@docs_bp.route("/openapi.json")
@public
def openapi_json():
    return current_app.response_class(to_json(document()), mimetype="application/json")


@docs_bp.route("/docs")
@public
def docs():
    from lms.api.reference import reference

    spec = json.loads(to_json(document()))  # lazy texts rendered in the reader's language
    return render_template("api/docs.html", ref=reference(spec), problem_types=TYPES)

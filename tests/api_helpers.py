"""The HR API in tests: tokens made through the service, and a client whose every response is
checked against the OpenAPI document the app serves (status documented for the operation,
content type, body valid against the schema under JSON Schema 2020-12)."""

import json
import re
from datetime import datetime
from typing import Optional

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lms.extensions import db
from lms.models import User
from lms.services import api_tokens

DOC_URI = "urn:reskill:openapi"


def make_token(app, user, scope: str = "read", expires_at: Optional[datetime] = None) -> str:
    with app.app_context():
        owner = db.session.get(User, user.id)
        _, token = api_tokens.issue(db.session, None, owner, "test", scope, expires_at)
        db.session.commit()
        return token


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class OpenApiDocument:
    """The served document, with a validator for each response schema it names."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.registry = Registry().with_resource(DOC_URI, Resource.from_contents(doc, DRAFT202012))
        self.templates = [(re.compile("^" + re.sub(r"\{[^}]+\}", r"[^/]+", path) + "$"), path)
                          for path in doc["paths"]]

    def _resolve(self, node: dict, pointer: str) -> tuple[dict, str]:
        while "$ref" in node:
            pointer = node["$ref"].lstrip("#")
            node = self.doc
            for part in pointer.strip("/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, pointer

    def operation(self, method: str, path: str) -> tuple[Optional[dict], str]:
        for regex, template in self.templates:
            if regex.match(path):
                op = self.doc["paths"][template].get(method.lower())
                return op, f"/paths/{_escape(template)}/{method.lower()}"
        return None, ""

    def check(self, response) -> None:
        request = response.request
        op, pointer = self.operation(request.method, request.path)
        status = str(response.status_code)
        if op is None:  # not a documented route: must still be a problem
            assert response.mimetype == "application/problem+json", (request.path, response.mimetype)
            schema_pointer = "/components/schemas/Problem"
        else:
            documented = op["responses"].get(status) or op["responses"].get("default")
            assert documented is not None, f"{request.method} {request.path}: {status} is not documented"
            key = status if status in op["responses"] else "default"
            documented, at = self._resolve(documented, f"{pointer}/responses/{key}")
            content = documented.get("content", {})
            if not content:
                assert not response.data, f"{request.method} {request.path}: a body the document does not describe"
                return
            assert response.mimetype in content, (request.method, request.path, status, response.mimetype)
            schema_pointer = f"{at}/content/{_escape(response.mimetype)}/schema"
        body = json.loads(response.data)
        validator = Draft202012Validator({"$ref": f"{DOC_URI}#{schema_pointer}"}, registry=self.registry,
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        assert not errors, f"{request.method} {request.path} {status}: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in errors[:5])


class ApiClient:
    """client.get/post with a bearer token (or none), every response checked against the document."""

    def __init__(self, client, document: OpenApiDocument):
        self.client = client
        self.document = document
        self.checked = 0

    def request(self, method: str, path: str, token: Optional[str] = None, json_body=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        headers.setdefault("Accept-Language", "en")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            kwargs["json"] = json_body
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        self.document.check(response)
        self.checked += 1
        return response

    def get(self, path: str, token: Optional[str] = None, **kwargs):
        return self.request("GET", path, token, **kwargs)

    def post(self, path: str, token: Optional[str] = None, json_body=None, **kwargs):
        return self.request("POST", path, token, json_body, **kwargs)


@pytest.fixture(scope="session")
def openapi_document(app) -> OpenApiDocument:
    response = app.test_client().get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return OpenApiDocument(json.loads(response.data))


@pytest.fixture
def api(app, openapi_document) -> ApiClient:
    return ApiClient(app.test_client(), openapi_document)

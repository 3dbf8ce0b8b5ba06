"""The OpenAPI document as the reference page reads it: operations in path order, each with its
parameters, request body and responses, schemas flattened to rows (`items[].trainee.email`)."""

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from markupsafe import Markup, escape

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
IDENTIFIER = re.compile(r"(\?\w+=|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b)")


def codeify(text) -> Markup:
    """Prose with the API's identifiers (next_cursor, ?cohort_id=) set as code (a Jinja filter)."""
    if isinstance(text, Markup):  # translated in a template: already escaped; mark up its plain parts only
        text = text.unescape()
    parts = IDENTIFIER.split(str(text))  # odd items are the identifiers
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


MAX_DEPTH = 5


@dataclass
class FieldRow:
    name: str
    type: str
    required: bool
    description: str = ""


@dataclass
class Response:
    status: str
    description: str
    content_type: str = ""
    rows: list[FieldRow] = field(default_factory=list)


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    tag: str
    scope: Optional[str]
    anchor: str
    parameters: list[FieldRow] = field(default_factory=list)
    body: list[FieldRow] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)


@dataclass
class Reference:
    title: str
    version: str
    description: str
    operations: list[Operation]
    problem: list[FieldRow]


def _resolve(spec: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _type(spec: dict, schema: dict) -> str:
    schema = _resolve(spec, schema)
    kind = schema.get("type", "object" if "properties" in schema else "")
    kinds = [k for k in (kind if isinstance(kind, list) else [kind]) if k != "null"]
    if "enum" in schema:  # the values are the type
        values = schema["enum"]
        text = " | ".join(str(v) for v in values if v is not None) + (" | null" if None in values else "")
        return text
    text = " | ".join(kinds) or "any"
    if schema.get("format"):
        text += f" ({schema['format']})"
    if isinstance(kind, list) and "null" in kind:
        text += " | null"
    return text


def rows(spec: dict, schema: dict, prefix: str = "", depth: int = 0) -> list[FieldRow]:
    """Each property of an object schema, nested objects and lists of objects flattened."""
    schema = _resolve(spec, schema)
    out = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(spec, prop)
        path = f"{prefix}{name}"
        out.append(FieldRow(path, _type(spec, prop), name in required, str(prop.get("description", ""))))
        if depth >= MAX_DEPTH:
            continue
        if "properties" in prop:
            out.extend(rows(spec, prop, f"{path}.", depth + 1))
        items = _resolve(spec, prop.get("items", {}))
        if "properties" in items:
            out.extend(rows(spec, items, f"{path}[].", depth + 1))
    return out


def _content(spec: dict, holder: dict) -> tuple[str, list[FieldRow]]:
    content = _resolve(spec, holder).get("content", {})
    for content_type, media in content.items():
        return content_type, rows(spec, media.get("schema", {}))
    return "", []


def reference(spec: dict) -> Reference:
    operations = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHOD_ORDER:
            op = item.get(method)
            if op is None:
                continue
            declared = [_resolve(spec, p) for p in [*item.get("parameters", []), *op.get("parameters", [])]]
            params = [FieldRow(f"{p['name']} ({p['in']})", _type(spec, p.get("schema", {})), p.get("required", False),
                               str(p.get("description", ""))) for p in declared]
            body = _content(spec, op["requestBody"])[1] if "requestBody" in op else []
            responses = []
            for status, response in sorted(op.get("responses", {}).items()):
                response = _resolve(spec, response)
                content_type, fields = _content(spec, response)
                responses.append(Response(status, str(response.get("description", "")), content_type,
                                          [] if content_type.startswith("application/problem") else fields))
            operations.append(Operation(
                method=method.upper(), path=path, summary=str(op.get("summary", "")),
                description=str(op.get("description", "")), tag=(op.get("tags") or [""])[0],
                scope=op.get("x-token-scope"), anchor=f"{method}-{path.strip('/').replace('/', '-')}"
                .replace("{", "").replace("}", ""), parameters=params, body=body, responses=responses))
    problem = rows(spec, spec.get("components", {}).get("schemas", {}).get("Problem", {}))
    info = spec.get("info", {})
    return Reference(str(info.get("title", "")), str(info.get("version", "")), str(info.get("description", "")),
                     operations, problem)

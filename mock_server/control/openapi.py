"""The OpenAPI document, generated from Flask's URL map and the schemas marked on each view.

Each operation lists every status it answers and nothing else (no `default`): its success
answers from its marks, and its errors derived from what it takes (a body can be malformed,
a path id unknown, a key missing) plus the ones its marks add. A fault rule answers the status
it names, documented or not: faults exist to break the contract on purpose.
"""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from .. import __version__
from ..schemas.common import ErrorEnvelope

_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_AUTH = {"key": [{"apiKey": []}], "chat": [{"apiKey": [], "trackingToken": []}], "admin": [{"adminToken": []}],
         "chat-optional": [{"apiKey": [], "trackingToken": []}, {"apiKey": []}]}   # the token may be absent
ERRORS = {
    400: "The body, query or a field is invalid (the pointer or parameter names it)",
    401: "No API key, no started chat, or no admin token (with --admin-token)",
    403: "The key may not use this surface, chat is disabled, the origin or admin token is refused",
    404: "An id of the path is unknown",
    405: "Another method of this path",
    409: "The resource's state refuses the call",
    413: "The request body is over the limit",
    415: "The body is not application/json",
    429: "The org's REST v1 budget is spent (Retry-After says when)",
    431: "The request headers are over the limit",
    503: "The mock cannot serve this call now",
}
OPEN_ADMIN = {"health", "dashboardPage", "dashboardAsset"}   # /__admin calls that never ask for the admin token


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: <name> and <path:name> become {name}."""
    return _PARAM.sub(r"{\1}", rule)


def error_statuses(marks: dict, rule, method: str) -> set[int]:
    """The error statuses an operation answers: derived from what it takes, plus its marked ones."""
    found = {431, *marks.get("errors", ())}
    if rule.arguments:
        found.add(404)
    if marks.get("query") or rule.arguments:
        found.add(400)
    if marks.get("body") and method in ("post", "put", "patch"):
        found |= {400, 413, 415}
    if marks.get("auth") in ("chat", "chat-optional", "key"):
        found |= {401, 403}
    if marks.get("auth") == "key" and rule.rule.startswith("/v1/"):
        found.add(429)
        if method in ("post", "put", "patch"):
            found |= {404, 409}   # REST v1 writes: an id the body names, a unique email or externalId taken
    if rule.rule.startswith("/__admin") and rule.endpoint.split(".")[-1] not in OPEN_ADMIN:
        found |= {401, 403}
    return found


def _content(schema, media: str | None) -> dict:
    if media:
        return {media: {}}   # a script, a page or an event stream: no JSON Schema describes it
    return {"application/json": {"schema": schema}} if schema else {}


def _responses(marks: dict, rule, method: str) -> dict:
    answers = {str(marks.get("status", 200)): (marks.get("response"), marks.get("media"))}
    answers.update({str(code): (schema, None) for code, schema in marks.get("responses", {}).items()})
    responses = {code: {"description": "OK", **({"content": c} if (c := _content(*answer)) else {})}
                 for code, answer in answers.items()}
    for code in sorted(error_statuses(marks, rule, method)):
        responses[str(code)] = {"description": ERRORS.get(code, "Error"),
                                "content": {"application/json": {"schema": ErrorEnvelope}}}
    return responses


def _required(schema) -> bool:
    if isinstance(schema, dict):   # a plain JSON schema: a bare array (tags, bulk items) is the whole body
        return True
    instance = schema() if isinstance(schema, type) else schema
    return any(field.required for field in instance.fields.values())


def _operation(endpoint: str, method: str, view, rule) -> dict:
    marks = getattr(view, "openapi", {})
    op_id = endpoint.split(".")[-1]
    doc = (view.__doc__ or op_id).strip().splitlines()[0]
    operation = {"operationId": op_id, "summary": doc, "tags": [endpoint.split(".")[-2]],
                 "responses": _responses(marks, rule, method)}
    parameters = [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                  for name in rule.arguments]
    if marks.get("query"):
        parameters.append({"in": "query", "schema": marks["query"]})
    if parameters:
        operation["parameters"] = parameters
    content = {}
    if marks.get("form"):
        content["multipart/form-data"] = {"schema": marks["form"]}
    if marks.get("body"):
        content["application/json"] = {"schema": marks["body"]}
    if content and method in ("post", "put", "patch"):
        operation["requestBody"] = {"content": content}
        if marks.get("body"):
            operation["requestBody"]["required"] = _required(marks["body"])
    if marks.get("auth") in _AUTH:
        operation["security"] = _AUTH[marks["auth"]]
    return operation


def build_spec(app: Flask) -> dict:
    """Every route of every surface, with its operationId, as an OpenAPI 3.0 document."""
    spec = APISpec(title="kustomer-mock", version=__version__, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("apiKey", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("trackingToken", {"type": "apiKey", "in": "header",
                                                      "name": "x-kustomer-tracking-token"})
    spec.components.security_scheme("adminToken", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule.rule), {})[method.lower()] = _operation(
                rule.endpoint, method.lower(), view, rule)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()

"""The OpenAPI document, generated from Flask's URL map and the schemas marked on each view."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from .. import __version__
from ..schemas.common import ErrorEnvelope

_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_AUTH = {"key": [{"apiKey": []}], "chat": [{"apiKey": [], "trackingToken": []}], "admin": [{"adminToken": []}]}


def _path(rule: str) -> str:
    return _PARAM.sub(r"{\1}", rule)


def _operation(spec: APISpec, endpoint: str, method: str, view, rule) -> dict:
    marks = getattr(view, "openapi", {})
    op_id = endpoint.split(".")[-1]
    doc = (view.__doc__ or op_id).strip().splitlines()[0]
    status = str(marks.get("status", 200))
    response = {"description": "OK"}
    if marks.get("response"):
        response["content"] = {"application/json": {"schema": marks["response"]}}
    operation = {"operationId": op_id, "summary": doc, "tags": [endpoint.split(".")[-2]],
                 "responses": {status: response, "default": {
                     "description": "Error", "content": {"application/json": {"schema": ErrorEnvelope}}}}}
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
            paths.setdefault(_path(rule.rule), {})[method.lower()] = _operation(
                spec, rule.endpoint, method.lower(), view, rule)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()

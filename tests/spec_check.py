"""The spec is the wire: every answer an app gives in the suite, checked against that app's OpenAPI document.

conftest.py connects `record` to Flask's request_finished signal, so each test's own calls (test
client or real server) are checked as they happen and the test fails on the first mismatch: a
status the operation does not document, or a JSON body its schema for that status refuses.
"""
from __future__ import annotations

import json

import jsonschema_rs
from flask import request

from mock_server.caller import caller_if_any
from mock_server.control.openapi import build_spec, openapi_path

_SPECS: dict = {}   # by the app's routes: every create_app() of the suite shares one document
mismatches: list[str] = []


def _plain(schema):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes an explicit null."""
    if isinstance(schema, list):
        return [_plain(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    plain = {k: _plain(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        return {"anyOf": [plain, {"type": "null"}]}
    return plain


class Spec:
    """One app's document, with a validator per (path, method, status), made on first use."""

    def __init__(self, app):
        self.document = build_spec(app)
        self._components = _plain(self.document.get("components", {}))
        self._validators: dict = {}

    def responses(self, path: str, method: str) -> dict:
        """The documented answers of one operation."""
        return self.document["paths"][path][method]["responses"]

    def validator(self, path: str, method: str, status: str):
        """The JSON Schema validator of one answer (None when it is not JSON)."""
        key = (path, method, status)
        if key not in self._validators:
            content = self.responses(path, method)[status].get("content", {})
            schema = content.get("application/json", {}).get("schema")
            self._validators[key] = None if schema is None else jsonschema_rs.validator_for(
                {**_plain(schema), "components": self._components})
        return self._validators[key]


def _spec(app) -> Spec:
    routes = tuple(sorted((r.rule, r.endpoint, *sorted(r.methods)) for r in app.url_map.iter_rules()))
    if routes not in _SPECS:
        _SPECS[routes] = Spec(app)
    return _SPECS[routes]


def mismatch(app, response) -> str | None:
    """Why `response` (to the current request) is not what the document says, or None."""
    rule, method = request.url_rule, request.method.lower()
    caller = caller_if_any()
    faulted = caller is not None and caller.fault is not None
    if rule is None or method in ("head", "options") or faulted or "x-kustomer-mock-stub" in response.headers:
        return None   # no operation (404/405 of routing), or a fault or stub that answers on purpose
    spec, path, status = _spec(app), openapi_path(rule.rule), str(response.status_code)
    documented = spec.responses(path, method)
    if status not in documented:
        return f"{request.method} {rule.rule}: {status} is not documented ({', '.join(documented)})"
    if response.is_streamed or not response.is_json:
        has_json = "application/json" in documented[status].get("content", {})
        return f"{request.method} {rule.rule}: {status} answered {response.mimetype}" if has_json \
            and not response.is_streamed else None
    validator = spec.validator(path, method, status)
    if validator is None:
        return f"{request.method} {rule.rule}: {status} answers JSON the document does not describe"
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(json.loads(response.get_data()))]
    return f"{request.method} {rule.rule} {status}: {'; '.join(errors[:3])}" if errors else None


def record(sender, response, **extra) -> None:
    """request_finished receiver: note a mismatch for the running test."""
    found = mismatch(sender, response)
    if found:
        mismatches.append(found)

"""The OpenAPI document lists every route of Flask's URL map, each with its operationId."""
from __future__ import annotations

import re

import pytest


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            yield re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower(), rule.endpoint


def test_every_route_is_in_the_document(app, client):
    spec = client.get("/__admin/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method): op["operationId"] for path, ops in spec["paths"].items()
                  for method, op in ops.items()}
    routes = {(path, method): endpoint.split(".")[-1] for path, method, endpoint in _routes(app)}
    assert documented == routes


def test_operation_ids_are_unique_and_name_the_sdk_methods(client):
    spec = client.get("/__admin/openapi.json").json
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert {"start", "createConversation", "sendMessage", "getConversations", "getMessages", "markRead",
            "getUnreadCount", "endConversation", "describeConversation", "describeCustomer",
            "isChatAvailable", "getOpenConversations", "openConversationById", "openKbArticle",
            "openKbCategory"} <= set(ids)


def test_request_bodies_come_from_the_schemas(client):
    spec = client.get("/__admin/openapi.json").json
    body = spec["paths"]["/c/v1/chat/sessions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].split("/")[-1]
    properties = spec["components"]["schemas"][name]["properties"]
    assert {"message", "assistantId", "customAttributes"} <= set(properties)


def _operations(client):
    spec = client.get("/__admin/openapi.json").json
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_status_is_listed_and_none_is_a_blanket_default(client):
    for path, method, op in _operations(client):
        assert "default" not in op["responses"], (method, path)
        assert all(re.fullmatch(r"[1-5][0-9][0-9]", code) for code in op["responses"]), (method, path)


def test_every_answer_says_its_content(client):
    for path, method, op in _operations(client):
        for code, answer in op["responses"].items():
            if code not in ("204", "304"):   # HTTP gives these no body
                assert answer.get("content"), (method, path, code)   # JSON with its schema, or its media type
            if code.startswith(("4", "5")):
                assert list(answer["content"]) == ["application/json"], (method, path, code)


@pytest.mark.parametrize(("path", "method", "required"), [
    ("/c/v1/chat/sessions/{conversation_id}/typing", "post", True),     # typing is required
    ("/v1/customers", "post", False),                                    # every field is optional
])
def test_a_body_with_a_required_field_is_required(client, path, method, required):
    spec = client.get("/__admin/openapi.json").json
    assert spec["paths"][path][method]["requestBody"]["required"] is required

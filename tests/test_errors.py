"""Every error path answers the one JSON envelope with a stable code; never a 500 or HTML."""
from __future__ import annotations

import re

import pytest

from mock_server import create_app

from .helpers import Chat

BAD_BODIES = [
    ("malformed_json", b'{"message": ', "application/json", 400, "invalid_json"),
    ("array_body", b"[1, 2]", "application/json", 400, "invalid_body"),
    ("string_body", b'"hello"', "application/json", 400, "invalid_body"),
    ("wrong_content_type", b"message=hi", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ("unknown_field", b'{"noSuchOption": 1}', "application/json", 400, "unknown_field"),
    ("nan", b'{"message": NaN}', "application/json", 400, "invalid_json"),
    ("infinity", b'{"customAttributes": {"orderTotalNum": -Infinity}}', "application/json", 400, "invalid_json"),
    ("overflowing_number", b'{"delayMs": 1e400}', "application/json", 400, "invalid_json"),
    ("deeply_nested", b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "application/json", 400, "invalid_json"),
    ("oversized", b'{"message": "' + b"x" * (1024 * 1024 + 10) + b'"}', "application/json", 413,
     "payload_too_large"),
]

BODY_LEVEL = {"invalid_json", "invalid_body", "unsupported_media_type", "payload_too_large"}


def _write_routes():
    app = create_app()
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            yield method, rule


@pytest.fixture
def ids(app, chat):
    """Real ids to put in path parameters, so the body is what fails."""
    cid = chat.new_conversation()
    org = app.extensions["kustomer_mock"].store.org(chat.key)
    return {"conversation_id": cid, "customer_id": chat.customer_id, "key": chat.key,
            "id": cid, "fault_id": "f1", "name": "conversation", "org_key": chat.key, "message_id": cid,
            "user_id": org.users[0]["id"], "assistant_id": org.assistants[0]["id"]}


def _fill(path: str, ids: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: ids.get(m.group(1), ids["id"]), path)


@pytest.mark.parametrize(("case", "body", "content_type", "status", "code"), BAD_BODIES,
                         ids=[c[0] for c in BAD_BODIES])
@pytest.mark.parametrize(("method", "rule"), list(_write_routes()), ids=lambda v: str(v))
def test_every_write_route_rejects_bad_bodies(client, chat, ids, method, rule, case, body, content_type,
                                               status, code):
    rv = client.open(_fill(rule.rule, ids), method=method, data=body, content_type=content_type,
                     headers=chat.headers())
    assert rv.status_code == status, (rv.status_code, rv.get_data(as_text=True)[:300])
    assert rv.is_json
    # a body may be wrong in more than one way (an unknown field and a missing one): each is listed
    assert code in [error["code"] for error in rv.json["errors"]]
    if code in BODY_LEVEL:   # the whole body is wrong: no field to point at, so no source at all
        assert [error.get("source") for error in rv.json["errors"]] == [None]


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/no/such/route", 404, "route_not_found"),
    ("GET", "/c/v1/no/such/route", 404, "route_not_found"),
    ("DELETE", "/c/v1/chat/sessions", 405, "method_not_allowed"),
    ("PUT", "/__admin/health", 405, "method_not_allowed"),
])
def test_unknown_routes_and_methods(client, method, path, status, code):
    rv = client.open(path, method=method)
    assert rv.status_code == status and rv.is_json
    assert rv.json["errors"][0]["code"] == code
    assert path in rv.json["errors"][0]["detail"]


@pytest.mark.parametrize(("options", "pointer", "code"), [
    ({"message": 12}, "/message", "invalid_field"),
    ({"message": "x" * 10_001}, "/message", "invalid_field"),
    ({"customAttributes": "nope"}, "/customAttributes", "invalid_field"),
    ({"title": "t" * 257}, "/title", "invalid_field"),
])
def test_create_conversation_field_errors_point_at_the_field(chat, options, pointer, code):
    rv = chat.create_conversation(**options)
    assert rv.status_code == 400
    assert rv.json["errors"][0]["code"] == code
    assert rv.json["errors"][0]["source"]["pointer"] == pointer


def test_a_failed_create_leaves_nothing_behind(chat):
    before = chat.conversations().json["total"]
    rv = chat.create_conversation(message="hi", customAttributes={"orderNumberStr": "A-1", "noSuchStr": "x"})
    assert rv.status_code == 400
    assert chat.conversations().json["total"] == before


def test_the_error_carries_status_code_title_detail(client, key):
    chat = Chat(client, key)
    rv = chat.create_conversation(message="hi")
    assert set(rv.json["errors"][0]) >= {"status", "code", "title", "detail"}
    assert rv.json["errors"][0]["status"] == 401


QUERY_ERRORS = [
    ("GET", "/c/v1/chat/sessions?page=x", 400, "invalid_field", "page"),
    ("GET", "/c/v1/chat/sessions?pageSize=101", 400, "invalid_field", "pageSize"),
    ("GET", "/c/v1/chat/sessions?pages=2", 400, "unknown_field", "pages"),
    ("GET", "/c/v1/identity?email=", 400, "missing_field", "email"),
    ("GET", "/c/v1/identity?emial=a@b.c", 400, "unknown_field", "emial"),
    ("GET", "/c/v1/kb/search?term=", 400, "invalid_field", "term"),
    ("GET", "/c/v1/kb/categories?lang=en&x=1", 400, "unknown_field", "x"),
    ("GET", "/v1/conversations?page=0", 400, "invalid_field", "page"),
    ("GET", "/v1/conversations?sort=up", 400, "invalid_field", "sort"),
    ("GET", "/v1/users?pageSize=501", 400, "invalid_field", "pageSize"),
    ("GET", "/v2.1/chat/sessions?active=maybe", 400, "invalid_field", "active"),
    ("GET", "/__admin/requests?status=600", 400, "invalid_field", "status"),
    ("GET", "/__admin/requests?since=soon", 400, "invalid_field", "since"),
    ("POST", "/__admin/reset?org=", 400, "invalid_field", "org"),
    ("POST", "/__admin/reset?everything=1", 400, "unknown_field", "everything"),
]


@pytest.mark.parametrize(("method", "path", "status", "code", "parameter"), QUERY_ERRORS,
                         ids=[f"{c[0]} {c[1]}" for c in QUERY_ERRORS])
def test_query_errors_name_the_parameter(client, chat, method, path, status, code, parameter):
    rv = client.open(path, method=method, headers=chat.headers())
    assert rv.status_code == status and rv.is_json, rv.get_data(as_text=True)[:300]
    assert [(e["code"], e.get("source")) for e in rv.json["errors"]] == [(code, {"parameter": parameter})]
    assert parameter in rv.json["errors"][0]["detail"]

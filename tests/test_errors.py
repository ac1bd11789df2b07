"""Every error path answers the one JSON envelope with a stable code; never a 500 or HTML."""
from __future__ import annotations

import re

import pytest
from marshmallow import fields

from mock_server import create_app
from mock_server.schemas.common import STRICT
from mock_server.testing.appcalls import Chat, org_of

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


def _takes_array(rule) -> bool:
    """A route whose body is a bare JSON array (Kustomer's tag routes), not an object."""
    marks = getattr(create_app().view_functions[rule.endpoint], "openapi", {})
    return isinstance(marks.get("body"), dict) and marks["body"].get("type") == "array"


# on an array route, [1, 2] is the right shape with wrong items, and an object is the wrong shape
ARRAY_ROUTE_CODES = {"array_body": "invalid_field", "unknown_field": "invalid_body"}


@pytest.fixture
def ids(app, chat):
    """Real ids to put in path parameters, so the body is what fails."""
    cid = chat.new_conversation()
    org = org_of(app, chat.key)
    return {"conversation_id": cid, "customer_id": chat.customer_id, "key": chat.key,
            "id": cid, "fault_id": "f1", "name": "order", "org_key": chat.key, "message_id": cid,
            "user_id": org.users[0]["id"], "assistant_id": org.assistants[0]["id"]}


def _fill(path: str, ids: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: ids.get(m.group(1), ids["id"]), path)


@pytest.mark.parametrize(("case", "body", "content_type", "status", "code"), BAD_BODIES,
                         ids=[c[0] for c in BAD_BODIES])
@pytest.mark.parametrize(("method", "rule"), list(_write_routes()), ids=lambda v: str(v))
def test_every_write_route_rejects_bad_bodies(client, chat, ids, method, rule, case, body, content_type,
                                               status, code):
    if _takes_array(rule):
        code = ARRAY_ROUTE_CODES.get(case, code)
    # the state import takes exports up to its own limit (docs/reliability.md): held to 1 MiB here
    client.application.config["MAX_IMPORT_BYTES"] = client.application.config["MAX_CONTENT_LENGTH"]
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
    ("GET", "/v1/conversations?page=1000001", 400, "invalid_field", "page"),
    ("GET", "/v1/conversations?page=99999999999999999999999", 400, "invalid_field", "page"),
    ("GET", "/c/v1/chat/sessions?page=99999999999999999999999", 400, "invalid_field", "page"),
    ("GET", "/v2.1/chat/sessions?customerId=x&page=1000001", 400, "invalid_field", "page"),
    ("GET", "/v1/conversations?sort=up", 400, "invalid_field", "sort"),
    ("GET", "/v1/users?pageSize=lots", 400, "invalid_field", "pageSize"),
    ("GET", "/v2.1/chat/sessions?active=maybe", 400, "invalid_field", "active"),
    ("GET", "/__admin/requests?status=600", 400, "invalid_field", "status"),
    ("GET", "/__admin/requests?since=soon", 400, "invalid_field", "since"),
    ("POST", "/__admin/reset?org=", 400, "invalid_field", "org"),
    ("POST", "/__admin/reset?everything=1", 400, "unknown_field", "everything"),
    ("GET", "/__admin/orgs/some-key/events?since=1", 400, "unknown_field", "since"),
]


@pytest.mark.parametrize(("method", "path", "status", "code", "parameter"), QUERY_ERRORS,
                         ids=[f"{c[0]} {c[1]}" for c in QUERY_ERRORS])
def test_query_errors_name_the_parameter(client, chat, method, path, status, code, parameter):
    rv = client.open(path, method=method, headers=chat.headers())
    assert rv.status_code == status and rv.is_json, rv.get_data(as_text=True)[:300]
    assert [(e["code"], e.get("source")) for e in rv.json["errors"]] == [(code, {"parameter": parameter})]
    assert parameter in rv.json["errors"][0]["detail"]


# Wrong JSON types are refused, never converted: "503" is not 503, 1.5 is not 1, "yes" and 1 are not true.
WRONG_TYPES = [
    ("POST", "/__admin/faults", {"respond": {"status": "503"}}, "/respond/status"),
    ("POST", "/__admin/faults", {"respond": {"status": 503.7}}, "/respond/status"),
    ("POST", "/__admin/faults", {"respond": {"status": True}}, "/respond/status"),
    ("POST", "/__admin/faults", {"drop": "reset", "times": 1.5}, "/times"),
    ("POST", "/__admin/faults", {"drop": "reset", "times": "2"}, "/times"),
    ("POST", "/__admin/faults", {"drop": "reset", "after": "1"}, "/after"),
    ("POST", "/__admin/faults", {"drop": "reset", "probability": "0.5"}, "/probability"),
    ("POST", "/__admin/faults", {"drop": "cut", "cutAfter": "2"}, "/cutAfter"),
    ("POST", "/__admin/faults", {"delayMs": {"min": "1", "max": 5}}, "/delayMs/min"),
    ("PATCH", "/__admin/orgs/<key>/settings", {"allowEndConversation": "yes"}, "/allowEndConversation"),
    ("PATCH", "/__admin/orgs/<key>/settings", {"allowEndConversation": 1}, "/allowEndConversation"),
    ("PATCH", "/__admin/orgs/<key>/settings", {"allowEndConversation": "false"}, "/allowEndConversation"),
    ("PATCH", "/__admin/orgs/<key>/settings", {"startDelayMs": "12.5"}, "/startDelayMs"),
    ("PATCH", "/__admin/orgs/<key>/settings", {"startDelayMs": False}, "/startDelayMs"),
    ("POST", "/__admin/clock", {"advanceSeconds": "90"}, "/advanceSeconds"),
    ("POST", "/__admin/clock", {"resume": "true"}, "/resume"),
    ("POST", "/__admin/clock", {"resume": 1}, "/resume"),
    ("PATCH", "/v1/conversations/<conversation_id>", {"ended": "yes"}, "/ended"),
    ("PATCH", "/v1/conversations/<conversation_id>", {"priority": "3"}, "/priority"),
    ("PATCH", "/v1/conversations/<conversation_id>", {"priority": 2.5}, "/priority"),
    ("POST", "/c/v1/tracking/tokens", {"hideChatIcon": "true"}, "/hideChatIcon"),
    ("POST", "/c/v1/chat/sessions/<conversation_id>/typing", {"typing": 1}, "/typing"),
    ("POST", "/c/v1/chat/sessions/<conversation_id>/messages", {"body": "hi", "isInAssistantMode": "no"},
     "/isInAssistantMode"),
    ("POST", "/v2.1/chat/outbound/typing", {"customerId": "<customer_id>", "session": "<conversation_id>",
                                            "from": "<user_id>", "typing": "true"}, "/typing"),
]


def _fill_body(value, ids: dict):
    if isinstance(value, dict):
        return {k: _fill_body(v, ids) for k, v in value.items()}
    return _fill(value, ids) if isinstance(value, str) and value.startswith("<") else value


@pytest.mark.parametrize(("method", "path", "body", "pointer"), WRONG_TYPES,
                         ids=[f"{c[0]} {c[1]} {c[3]} {c[2]}" for c in WRONG_TYPES])
def test_wrong_json_types_are_refused_not_converted(client, chat, ids, method, path, body, pointer):
    before = (client.get("/__admin/clock").json["frozen"], client.get(f"/__admin/orgs/{chat.key}").json["settings"],
              client.get("/__admin/faults").json)
    rv = client.open(_fill(path, ids), method=method, json=_fill_body(body, ids), headers=chat.headers())
    assert rv.status_code == 400, rv.get_data(as_text=True)[:300]
    assert [(e["code"], e["source"]) for e in rv.json["errors"]] == [("invalid_field", {"pointer": pointer})]
    assert before == (client.get("/__admin/clock").json["frozen"],
                      client.get(f"/__admin/orgs/{chat.key}").json["settings"], client.get("/__admin/faults").json)


def _scalar_fields(schema, seen=None):
    """Every (name, field) a body schema loads, through Nested, List and Dict values."""
    seen = seen if seen is not None else set()
    if type(schema) in seen:
        return
    seen.add(type(schema))
    for name, field in schema.fields.items():
        yield from _field_and_inner(f"{type(schema).__name__}.{name}", field, seen)


def _field_and_inner(name, field, seen):
    if isinstance(field, fields.Nested):
        yield from _scalar_fields(field.schema, seen)
    elif isinstance(field, fields.List):
        yield from _field_and_inner(name + "[]", field.inner, seen)
    elif isinstance(field, fields.Dict) and field.value_field is not None:
        yield from _field_and_inner(name + "{}", field.value_field, seen)
    else:
        yield name, field


def test_every_body_schema_uses_the_strict_json_fields():
    app = create_app()
    lenient = set()
    for endpoint, view in app.view_functions.items():
        body = getattr(view, "openapi", {}).get("body")
        if body is None or isinstance(body, dict):   # a dict is a plain JSON schema (a bare array of tags)
            continue
        for name, field in _scalar_fields(body()):
            if isinstance(field, (fields.Number, fields.Boolean)) and not isinstance(field, STRICT):
                lenient.add(f"{endpoint}: {name} ({type(field).__name__})")
    assert not lenient, "use schemas.common's strict fields in request bodies:\n" + "\n".join(sorted(lenient))


# One attachment schema for every route that takes attachments: metadata only, the mock stores no files.
ATTACHMENT_ROUTES = [
    ("/c/v1/chat/sessions/<conversation_id>/messages", {}),
    ("/v2.1/chat/messages", {"customerId": "<customer_id>", "session": "<conversation_id>"}),
    ("/v2.1/chat/outbound/messages", {"customerId": "<customer_id>", "session": "<conversation_id>",
                                      "from": "<user_id>"}),
    ("/v1/conversations/<conversation_id>/messages", {"channel": "chat", "app": "chat", "direction": "in"}),
]
GOOD_ATTACHMENT = {"name": "receipt.pdf", "contentType": "application/pdf", "contentLength": 2048,
                   "url": "https://files.example/receipt.pdf"}
BAD_ATTACHMENTS = [
    ([{}], "/attachments/0/name", "missing_field"),
    ([{"name": 1, "contentType": "image/png"}], "/attachments/0/name", "invalid_field"),
    ([{"name": "", "contentType": "image/png"}], "/attachments/0/name", "invalid_field"),
    ([{"name": "a.png"}], "/attachments/0/contentType", "missing_field"),
    ([{"name": "a.png", "contentType": "png"}], "/attachments/0/contentType", "invalid_field"),
    ([{"name": "a.png", "contentType": "image/png", "contentLength": -1}], "/attachments/0/contentLength",
     "invalid_field"),
    ([{"name": "a.png", "contentType": "image/png", "contentLength": "5"}], "/attachments/0/contentLength",
     "invalid_field"),
    ([{"name": "a.png", "contentType": "image/png", "url": "files/a.png"}], "/attachments/0/url",
     "invalid_field"),
    ([{"name": "a.png", "contentType": "image/png", "file": {}}], "/attachments/0/file", "unknown_field"),
    (["a.png"], "/attachments/0", "invalid_field"),
    ([GOOD_ATTACHMENT] * 11, "/attachments", "invalid_field"),
]


@pytest.mark.parametrize(("attachments", "pointer", "code"), BAD_ATTACHMENTS, ids=[c[1] + " " + c[2] + " "
                                                                                  + str(c[0])[:40]
                                                                                  for c in BAD_ATTACHMENTS])
@pytest.mark.parametrize(("path", "body"), ATTACHMENT_ROUTES, ids=[r[0] for r in ATTACHMENT_ROUTES])
def test_every_attachment_is_checked(client, chat, ids, path, body, attachments, pointer, code):
    filled = _fill_body({**body, "body": "see attached", "attachments": attachments}, ids)
    rv = client.post(_fill(path, ids), json=filled, headers=chat.headers())
    assert rv.status_code == 400, rv.get_data(as_text=True)[:300]
    assert (code, {"pointer": pointer}) in [(e["code"], e.get("source")) for e in rv.json["errors"]]


@pytest.mark.parametrize(("path", "body"), ATTACHMENT_ROUTES, ids=[r[0] for r in ATTACHMENT_ROUTES])
def test_a_good_attachment_is_stored_as_sent(client, chat, ids, path, body):
    filled = _fill_body({**body, "attachments": [GOOD_ATTACHMENT, {"name": "a.png", "contentType": "image/png"}]}, ids)
    rv = client.post(_fill(path, ids), json=filled, headers=chat.headers())
    assert rv.status_code == 201, rv.get_data(as_text=True)[:300]
    stored = rv.json["data"]["attributes"]["attachments"] if "data" in rv.json else rv.json["attachments"]
    assert stored == [GOOD_ATTACHMENT, {"name": "a.png", "contentType": "image/png"}]


# Lists in bodies are bounded, each with a 400 pointing at the list.
def _many(item, count: int = 101) -> list:
    return [item(i) for i in range(count)]


LIST_LIMITS = [
    ("POST", "/v1/customers", {"emails": _many(lambda i: {"email": f"a{i}@example.com"})}, "/emails"),
    ("POST", "/v1/customers", {"phones": _many(lambda i: {"phone": f"+1555{i:07d}"})}, "/phones"),
    ("PUT", "/v1/customers/<customer_id>", {"emails": _many(lambda i: {"email": f"a{i}@example.com"})}, "/emails"),
    ("PATCH", "/c/v1/customers/current", {"attributes": {"sharedEmails": _many(lambda i: f"a{i}@example.com")}},
     "/attributes/sharedEmails"),
    ("PATCH", "/c/v1/customers/current", {"attributes": {"sharedPhones": _many(lambda i: f"+1555{i:07d}")}},
     "/attributes/sharedPhones"),
    ("PATCH", "/c/v1/customers/current",
     {"attributes": {"sharedSocials": _many(lambda i: {"username": f"u{i}", "type": "twitter"})}},
     "/attributes/sharedSocials"),
    ("PATCH", "/c/v1/customers/current", {"attributes": {"emails": _many(lambda i: f"a{i}@example.com")}},
     "/attributes/emails"),
    ("POST", "/c/v1/chat/sessions/<conversation_id>/read", {"messageIds": _many(lambda i: f"{i:024x}")},
     "/messageIds"),
    ("PATCH", "/v1/conversations/<conversation_id>", {"tags": _many(lambda i: f"{i:024x}")}, "/tags"),
    ("PATCH", "/v1/conversations/<conversation_id>", {"assignedUsers": _many(lambda i: f"{i:024x}")},
     "/assignedUsers"),
    ("PATCH", "/v1/conversations/<conversation_id>", {"assignedTeams": _many(lambda i: f"{i:024x}")},
     "/assignedTeams"),
]


# REST v1 lists carry the bounds of Kustomer's schema; the mock's own lists stop at 100
KUSTOMER_BOUNDS = {"/emails": 10, "/phones": 10, "/tags": 20, "/assignedUsers": 10, "/assignedTeams": 10}


@pytest.mark.parametrize(("method", "path", "body", "pointer"), LIST_LIMITS,
                         ids=[f"{c[0]} {c[1]} {c[3]}" for c in LIST_LIMITS])
def test_lists_in_bodies_are_bounded(client, chat, ids, method, path, body, pointer):
    rv = client.open(_fill(path, ids), method=method, json=body, headers=chat.headers())
    assert rv.status_code == 400, rv.get_data(as_text=True)[:300]
    assert [(e["code"], e["source"]) for e in rv.json["errors"]] == [("invalid_field", {"pointer": pointer})]
    bound = KUSTOMER_BOUNDS.get(pointer, 100) if path.startswith("/v1/") else 100
    assert f"at most {bound} " in rv.json["errors"][0]["detail"]


def test_options_allow_lists_the_methods_of_that_path_only(client):
    # /c/v1/chat/sessions/<id> would match "open" too: its PATCH is not a method of this path
    assert client.options("/c/v1/chat/sessions/open").headers["Allow"] == "GET, HEAD, OPTIONS"


def test_a_body_of_a_non_json_whitespace_is_malformed_json(client):
    rv = client.post("/v1/customers", data="\x0b", content_type="application/json",
                     headers={"Authorization": "Bearer ws-key"})
    assert rv.status_code == 400 and rv.json["errors"][0]["code"] == "invalid_json"


def test_is_logged_in_without_a_key_is_401_whatever_its_query(client):
    rv = client.get("/c/v1/identity", query_string={"email": ""})
    assert rv.status_code == 401 and rv.json["errors"][0]["code"] == "missing_api_key"


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/c/v1/chat/sessions", "GET, HEAD, OPTIONS, POST"),
    ("PUT", "/c/v1/chat/sessions/open", "GET, HEAD, OPTIONS"),     # not the PATCH of .../<id>
    ("PUT", "/__admin/health", "GET, HEAD, OPTIONS"),
])
def test_a_405_allows_what_options_allows(client, method, path, allow):
    rv = client.open(path, method=method)
    assert rv.status_code == 405 and rv.headers["Allow"] == allow == client.options(path).headers["Allow"]

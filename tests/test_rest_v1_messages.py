"""REST v1 messages and notes: every documented message field, the org-wide routes, notes CRUD."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import AGENT, Api

UNKNOWN = "5f0c1a2b3c4d5e6f7a8b0000"
MESSAGE = {"channel": "email", "app": "postmark", "direction": "in"}


@pytest.fixture
def api(client, chat):
    """REST with the same key as the started chat customer."""
    return Api(client, chat.key)


FIELDS = [
    ("externalId", "pm-1", None),
    ("preview", "Where is my parcel?", None),
    ("subject", "Parcel", None),
    ("size", 2048, None),
    ("status", "error", None),
    ("error", {"status": 400, "code": "invalid-recipient", "title": "Bad address"}, None),
    ("errorAt", "2026-01-01T00:00:00.000Z", None),
    ("sentAt", "2026-01-01T00:00:00.000Z", None),
    ("auto", True, None),
    ("source", "bulk", None),
    ("shortcuts", [UNKNOWN], None),
    ("kbArticles", [UNKNOWN], None),
    ("attachments", [{"_id": UNKNOWN, "name": "a.png", "contentType": "image/png", "contentLength": 10}], None),
    ("attachments", [UNKNOWN], None),
    ("reference", {"message": UNKNOWN, "type": "reply"}, None),
    ("location", {"cityName": "Paris", "countryCode": "FR"}, None),
    ("meta", {"from": "ada@example.com", "to": [{"email": "help@acme.example"}]}, None),
    ("custom", {"intentStr": "where-is-my-order", "scoreNum": 3}, None),
    ("sentiment", {"polarity": 0, "confidence": 0.1}, None),
    ("lang", "en", None),
    ("importedAt", "2025-01-01T00:00:00.000Z", None),
    ("createdAt", "2025-01-01T00:00:00.000Z", None),
]


@pytest.mark.parametrize(("field", "value", "expected"), FIELDS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(FIELDS)])
def test_every_message_field_is_stored_and_returned(api, chat, field, value, expected):
    cid = chat.new_conversation()
    created = api.created(f"/v1/conversations/{cid}/messages", {**MESSAGE, field: value})
    name, wanted = expected or (field, value)
    assert created["attributes"][name] == wanted
    assert api.get(f"/v1/messages/{created['id']}").json["data"] == created
    assert created["relationships"]["customer"]["data"]["type"] == "customers"   # Kustomer's plural, here only


INVALID = [
    ({"channel": "pigeon"}, "invalid_field", "/channel"),
    ({"app": None}, "invalid_field", "/app"),
    ({"preview": "x" * 10_241}, "invalid_field", "/preview"),
    ({"status": "lost"}, "invalid_field", "/status"),
    ({"source": "api"}, "invalid_field", "/source"),
    ({"reference": {"message": UNKNOWN, "type": "quote"}}, "invalid_field", "/reference/type"),
    ({"attachments": [{"name": "a.png"}]}, "missing_field", "/attachments/0/contentType"),
    ({"attachments": ["nope"]}, "invalid_field", "/attachments/0"),
    ({"meta": {str(i): i for i in range(101)}}, "invalid_field", "/meta"),
    ({"custom": {"intent": "x"}}, "unknown_attribute", "/custom/intent"),
    ({"custom": {"scoreNum": "high"}}, "invalid_attribute", "/custom/scoreNum"),
    ({"lang": "x" * 101}, "invalid_field", "/lang"),
    ({"queue": {"id": "nope"}}, "invalid_field", "/queue/id"),
    ({"customer": UNKNOWN}, "not_found", "/customer"),
    ({"bodyText": "hi"}, "unknown_field", "/bodyText"),
]


@pytest.mark.parametrize(("body", "code", "pointer"), INVALID, ids=[p for _, _, p in INVALID])
def test_invalid_message_fields(api, chat, body, code, pointer):
    cid = chat.new_conversation()
    rv = api.post(f"/v1/conversations/{cid}/messages", {**MESSAGE, **body})
    assert rv.status_code == (404 if code == "not_found" else 400), rv.json
    assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (code, {"pointer": pointer})
    assert len(chat.messages(cid).json["messages"]) == 1


def test_direction_defaults_to_in_on_the_nested_routes_and_is_required_on_v1_messages(api, chat):
    cid = chat.new_conversation()
    assert api.created(f"/v1/conversations/{cid}/messages", {"channel": "sms", "app": "twilio"})[
        "attributes"]["direction"] == "in"
    rv = api.post("/v1/messages", {"channel": "sms", "app": "twilio", "conversation": cid})
    assert rv.json["errors"][0]["source"] == {"pointer": "/direction"}
    created = api.created("/v1/messages", {**MESSAGE, "conversation": cid, "externalId": "sms-1"})
    assert created["relationships"]["conversation"]["data"]["id"] == cid
    assert api.post("/v1/messages", {**MESSAGE, "conversation": UNKNOWN}).json["errors"][0]["source"] == \
        {"pointer": "/conversation"}
    assert api.get("/v1/messages/externalid=sms-1").json["data"]["id"] == created["id"]
    assert api.get("/v1/messages/externalId=sms-1").json["data"]["id"] == created["id"]
    assert api.get("/v1/messages/externalid=none").status_code == 404


def test_org_and_customer_message_lists(api, chat):
    cid = chat.new_conversation()
    made = api.created(f"/v1/customers/{chat.customer_id}/messages", {**MESSAGE, "conversation": cid})
    mine = api.get(f"/v1/customers/{chat.customer_id}/messages").json
    assert [m["id"] for m in mine["data"]][0] == made["id"] and mine["meta"]["total"] == 2
    assert made["id"] in [m["id"] for m in api.walk("/v1/messages", pageSize=50)]
    rv = api.post(f"/v1/customers/{chat.customer_id}/messages", {**MESSAGE, "customer": chat.customer_id})
    assert rv.json["errors"][0]["code"] == "unknown_field"   # the path names the customer


def test_updating_a_message(api, chat):
    cid = chat.new_conversation()
    mid = api.created(f"/v1/conversations/{cid}/messages", {**MESSAGE, "custom": {"scoreNum": 1}})["id"]
    rv = api.call("PATCH", f"/v1/messages/{mid}", json={"status": "received", "custom": {"intentStr": "refund"}})
    attributes = rv.json["data"]["attributes"]
    assert attributes["status"] == "received" and attributes["custom"] == {"scoreNum": 1, "intentStr": "refund"}
    assert api.call("PUT", f"/v1/messages/{mid}", json={"preview": "Edited"}).json["data"]["attributes"][
        "preview"] == "Edited"
    assert api.call("PATCH", f"/v1/messages/{UNKNOWN}", json={}).status_code == 404


def test_stamps_need_org_admin(client):
    rest = Api(client, "acme-rest-key")   # org.admin in the fixtures
    customer = rest.created("/v1/customers", {"name": "A"})["id"]
    cid = rest.created("/v1/conversations", {"customer": customer})["id"]
    made = rest.created(f"/v1/conversations/{cid}/messages", {**MESSAGE, "createdAt": "2020-01-01T00:00:00Z"})
    assert made["attributes"]["createdAt"] == "2020-01-01T00:00:00.000Z"


def test_notes_on_a_conversation(api, chat):
    cid = chat.new_conversation()
    note = api.created(f"/v1/conversations/{cid}/notes", {"body": "Customer is __Alex Rivera__'s VIP",
                                                          "userMentions": [{"user": AGENT}], "createdBy": AGENT})
    assert (note["type"], note["links"]["self"]) == ("note", f"/v1/notes/{note['id']}")
    assert note["relationships"]["createdBy"]["data"]["id"] == AGENT
    other = api.created("/v1/notes", {"conversation": cid, "body": "Second", "externalId": "n-2"})
    listed = api.get(f"/v1/conversations/{cid}/notes").json
    assert {n["id"] for n in listed["data"]} == {other["id"], note["id"]} and listed["meta"]["total"] == 2
    rv = api.call("PUT", f"/v1/notes/{note['id']}", json={"conversation": cid, "body": "Edited"})
    assert rv.json["data"]["attributes"]["body"] == "Edited" and rv.json["data"]["attributes"]["rev"] == 2
    assert api.call("DELETE", f"/v1/notes/{note['id']}").status_code == 204
    assert api.get(f"/v1/notes/{note['id']}").status_code == 404
    assert [n["id"] for n in api.get("/v1/notes").json["data"]] == [other["id"]]


@pytest.mark.parametrize(("path", "body", "status", "code", "pointer"), [
    ("/v1/conversations/CID/notes", {}, 400, "missing_field", "/body"),
    ("/v1/conversations/CID/notes", {"body": ""}, 400, "invalid_field", "/body"),
    ("/v1/conversations/CID/notes", {"body": "x" * 10_241}, 400, "invalid_field", "/body"),
    ("/v1/conversations/CID/notes", {"body": "x", "userMentions": [{"user": UNKNOWN}]}, 404, "not_found",
     "/userMentions/0/user"),
    ("/v1/conversations/CID/notes", {"body": "x", "userMentions": [{"user": AGENT}] * 21}, 400, "invalid_field",
     "/userMentions"),
    ("/v1/notes", {"body": "x"}, 400, "missing_field", "/conversation"),
    ("/v1/notes", {"body": "x", "conversation": UNKNOWN}, 404, "not_found", None),
])
def test_invalid_notes(api, chat, path, body, status, code, pointer):
    cid = chat.new_conversation()
    rv = api.post(path.replace("CID", cid), body)
    assert rv.status_code == status, rv.json
    assert rv.json["errors"][0]["code"] == code
    if pointer:
        assert rv.json["errors"][0]["source"] == {"pointer": pointer}
    assert api.get("/v1/notes").json["data"] == []

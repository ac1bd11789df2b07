"""REST v1 conversations: every documented create and update field, references checked, tags, deletes."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import AGENT, Api

TAG, TEAM, QUEUE = "5f0c1a2b3c4d5e6f7a8ba001", "5f0c1a2b3c4d5e6f7a8b9f01", "5f0c1a2b3c4d5e6f7a8ba102"
UNKNOWN = "5f0c1a2b3c4d5e6f7a8b0000"


@pytest.fixture
def api(client, chat):
    """REST with the same key as the started chat customer."""
    return Api(client, chat.key)


# field -> value -> (attribute, expected) or None for the same name and value
CREATE_FIELDS = [
    ("name", "Late parcel", None),
    ("externalId", "zendesk-1", None),
    ("status", "done", None),
    ("priority", 5, None),
    ("direction", "out", None),
    ("replyChannel", "email", None),
    ("tags", [TAG], None),
    ("tags", ["vip"], ("tags", [TAG])),
    ("assignedUsers", [AGENT], None),
    ("assignedTeams", [TEAM], None),
    ("custom", {"orderNumberStr": "A-1", "giftBool": True}, None),
    ("defaultLang", "en_us", None),
    ("queue", {"id": QUEUE}, ("queue", QUEUE)),
    ("queue", {"external": "amazon-connect"}, ("queue", None)),
    ("importedAt", "2025-01-01T00:00:00.000Z", None),
    ("createdAt", "2025-01-01T00:00:00.000Z", None),
    ("id", "5f0c1a2b3c4d5e6f7a8bf00d", ("id", "5f0c1a2b3c4d5e6f7a8bf00d")),
]


def _read(resource: dict, name: str):
    if name == "queue":
        return (resource["relationships"].get("queue") or {}).get("data", {}).get("id") \
            if resource["relationships"].get("queue") else None
    return resource["id"] if name == "id" else resource["attributes"][name]


@pytest.mark.parametrize(("field", "value", "expected"), CREATE_FIELDS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(CREATE_FIELDS)])
def test_every_create_field_is_stored_and_returned(api, chat, field, value, expected):
    created = api.created("/v1/conversations", {"customer": chat.customer_id, field: value})
    name, wanted = expected or (field, value)
    assert _read(created, name) == wanted
    assert api.get(f"/v1/conversations/{created['id']}").json["data"] == created


UPDATE_FIELDS = [
    ("status", "snoozed", None),
    ("snooze", {"time": "2027-01-01T00:00:00.000Z", "status": "scheduled"}, None),
    ("subStatus", UNKNOWN, ("subStatus", None)),
    ("suggestedTags", [{"tag": "refund", "confidence": 0.8}], None),
    ("suggestedShortcuts", [{"shortcutId": UNKNOWN, "confidence": 0.5}], None),
    ("sentiment", {"polarity": -1, "confidence": 0.9}, None),
    ("satisfaction", 0.5, None),
    ("satisfactionLevel", {"createdAt": "2026-01-01T00:00:00.000Z", "status": "rated", "rating": 9, "score": 1},
     None),
    ("endedReason", "resolved", None),
    ("endedByType", "user", None),
    ("locked", True, None),
    ("priority", 1, None),
    ("name", None, ("name", "")),
    ("defaultLang", None, None),
]


@pytest.mark.parametrize(("field", "value", "expected"), UPDATE_FIELDS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(UPDATE_FIELDS)])
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_every_update_field_is_stored_and_returned(api, chat, method, field, value, expected):
    cid = chat.new_conversation()
    rv = api.call(method, f"/v1/conversations/{cid}", json={field: value})
    assert rv.status_code == 200, rv.json
    name, wanted = expected or (field, value)
    if name == "subStatus":
        assert rv.json["data"]["relationships"]["subStatus"]["data"]["id"] == value
    else:
        assert rv.json["data"]["attributes"][name] == wanted
    assert rv.json["data"]["attributes"]["rev"] == 2


INVALID = [
    ("POST", {"status": "snoozed"}, 400, "invalid_field", "/status"),
    ("POST", {"priority": 0}, 400, "invalid_field", "/priority"),
    ("POST", {"priority": "5"}, 400, "invalid_field", "/priority"),
    ("POST", {"direction": "up"}, 400, "invalid_field", "/direction"),
    ("POST", {"replyChannel": "x" * 257}, 400, "invalid_field", "/replyChannel"),
    ("POST", {"queue": {}}, 400, "invalid_field", "/queue/id"),
    ("POST", {"queue": {"external": "genesys"}}, 400, "invalid_field", "/queue/external"),
    ("POST", {"queue": {"id": UNKNOWN}}, 404, "not_found", "/queue/id"),
    ("POST", {"assignedUsers": [UNKNOWN]}, 404, "not_found", "/assignedUsers/0"),
    ("POST", {"assignedUsers": [AGENT] * 11}, 400, "invalid_field", "/assignedUsers"),
    ("POST", {"assignedTeams": [UNKNOWN]}, 404, "not_found", "/assignedTeams/0"),
    ("POST", {"tags": [UNKNOWN]}, 404, "not_found", "/tags/0"),
    ("POST", {"defaultLang": "x" * 101}, 400, "invalid_field", "/defaultLang"),
    ("POST", {"snooze": {"status": "scheduled"}}, 400, "unknown_field", "/snooze"),
    ("POST", {"campaign": "nope"}, 400, "invalid_field", "/campaign"),
    ("PATCH", {"snooze": {"time": "2027-01-01T00:00:00Z"}}, 400, "missing_field", "/snooze/status"),
    ("PATCH", {"satisfaction": 2}, 400, "invalid_field", "/satisfaction"),
    ("PATCH", {"satisfactionLevel": {"status": "rated"}}, 400, "missing_field", "/satisfactionLevel/createdAt"),
    ("PATCH", {"endedByType": "bot"}, 400, "invalid_field", "/endedByType"),
    ("PATCH", {"endedBy": UNKNOWN}, 404, "not_found", "/endedBy"),
    ("PATCH", {"endedReason": "x" * 129}, 400, "invalid_field", "/endedReason"),
    ("PATCH", {"suggestedTags": [{"tag": "vip"}]}, 400, "missing_field", "/suggestedTags/0/confidence"),
    ("PATCH", {"customer": UNKNOWN}, 404, "not_found", "/customer"),
    ("PATCH", {"customer": "CUSTOMER", "name": "x"}, 400, "invalid_field", "/customer"),
    ("PATCH", {"queue": {"id": UNKNOWN}}, 404, "not_found", "/queue/id"),
]


@pytest.mark.parametrize(("method", "body", "status", "code", "pointer"), INVALID,
                         ids=[f"{m} {p}" for m, _, _, _, p in INVALID])
def test_invalid_values_answer_the_exact_code_and_change_nothing(api, chat, method, body, status, code, pointer):
    cid = chat.new_conversation()
    body = {k: (chat.customer_id if v == "CUSTOMER" else v) for k, v in body.items()}
    before, count = api.get(f"/v1/conversations/{cid}").json["data"], api.get("/v1/conversations").json["meta"]
    if method == "POST":
        rv = api.post("/v1/conversations", {"customer": chat.customer_id, **body})
    else:
        rv = api.call(method, f"/v1/conversations/{cid}", json=body)
    assert rv.status_code == status, rv.json
    assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (code, {"pointer": pointer})
    assert api.get(f"/v1/conversations/{cid}").json["data"] == before
    assert api.get("/v1/conversations").json["meta"] == count


def test_a_client_chosen_id_is_kept_and_cannot_be_taken_twice(api, chat):
    body = {"customer": chat.customer_id, "id": "5f0c1a2b3c4d5e6f7a8bf00d"}
    assert api.created("/v1/conversations", body)["id"] == body["id"]
    rv = api.post("/v1/conversations", body)
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (409, "conflict")


def test_put_replace_resets_what_is_not_sent(api, chat):
    cid = chat.new_conversation()
    api.call("PATCH", f"/v1/conversations/{cid}", json={"priority": 1, "tags": ["vip"], "custom": {"giftBool": True}})
    attributes = api.call("PUT", f"/v1/conversations/{cid}?replace=true", json={"name": "Fresh"}).json["data"][
        "attributes"]
    assert (attributes["name"], attributes["priority"], attributes["tags"], attributes["custom"]) == \
        ("Fresh", 3, [], {})


def test_patch_takes_kustomers_json_patch_content_type(api, chat):
    cid = chat.new_conversation()
    rv = api.client.open(f"/v1/conversations/{cid}", method="PATCH", data='{"priority": 4}',
                         content_type="application/json-patch+json", headers={"Authorization": f"Bearer {api.key}"})
    assert rv.status_code == 200 and rv.json["data"]["attributes"]["priority"] == 4


def test_moving_a_conversation_to_another_customer(api, chat):
    cid = chat.new_conversation()
    other = api.created("/v1/customers", {"name": "Other"})["id"]
    rv = api.call("PATCH", f"/v1/conversations/{cid}", json={"customer": other})
    assert rv.json["data"]["relationships"]["customer"]["data"]["id"] == other
    assert cid in [c["id"] for c in api.get(f"/v1/customers/{other}/conversations").json["data"]]


def test_tag_routes_add_by_name_or_id_and_remove(api, chat):
    cid = chat.new_conversation()
    rv = api.post(f"/v1/conversations/{cid}/tags", ["vip", "Escalated"])
    assert rv.status_code == 200
    tags = {t["attributes"]["name"]: t["id"] for t in api.get("/v1/tags").json["data"]}
    assert rv.json["data"]["attributes"]["tags"] == [TAG, tags["Escalated"]]
    rv = api.call("DELETE", f"/v1/conversations/{cid}/tags", json=["escalated"])
    assert rv.json["data"]["attributes"]["tags"] == [TAG]
    rv = api.post(f"/v1/conversations/{cid}/tags", {"tags": ["vip"]})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (400, "invalid_body")


def test_delete_and_lookup_by_external_id(api, chat):
    cid = chat.new_conversation()
    api.call("PATCH", f"/v1/conversations/{cid}", json={"externalId": "ticket-9"})
    assert api.get("/v1/conversations/externalId=ticket-9").json["data"]["id"] == cid
    rv = api.call("DELETE", f"/v1/conversations/{cid}")
    assert rv.status_code == 204
    rv = api.get(f"/v1/conversations/{cid}")
    assert rv.status_code == 404 and rv.json["errors"][0]["status"] == 404
    assert api.get("/v1/conversations/externalId=ticket-9").status_code == 404

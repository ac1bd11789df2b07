"""Whole-state export and import, versions, and the --state-file."""
from __future__ import annotations

import copy
import json
import re

import pytest

from mock_server import create_app
from mock_server.control import snapshot
from mock_server.testing.appcalls import Chat

pytestmark = pytest.mark.private_app   # exports, imports and resets every org and moves the clock
FROZEN = "2030-01-02T03:04:05.000Z"


def _busy(client, key="state-key"):
    """An org with a customer, a conversation, messages and changed settings."""
    client.post("/__admin/clock", json={"freeze": FROZEN})
    chat = Chat(client, key)
    chat.start()
    cid = chat.new_conversation(customAttributes={"orderNumberStr": "A-1"})
    chat.send_message(cid, body="second message")
    client.patch(f"/__admin/orgs/{key}/settings", json={"availability": "offline", "startDelayMs": 5})
    return chat, cid


def _without_time(document):
    return {k: v for k, v in document.items() if k != "exportedAt"}


def test_export_is_versioned_and_holds_the_records(client):
    chat, cid = _busy(client)
    document = client.get("/__admin/state").json
    assert document["version"] == snapshot.VERSION == 1 and document["keys"] == ["state-key"]
    assert document["clock"] == {"now": FROZEN, "frozen": True, "offsetSeconds": 0.0}
    org = document["orgs"][0]
    assert org["name"] == "state-key" and org["settings"]["availability"] == "offline"
    assert cid in {c["id"] for c in org["conversations"]} and len(org["messages"][cid]) >= 2
    assert chat.token in org["tokens"]


def test_export_reset_import_gives_identical_state(client):
    chat, cid = _busy(client)
    Chat(client, "second-org").start()
    before = client.get("/__admin/state").json
    client.post("/__admin/reset")
    assert client.get("/__admin/state").json["orgs"] == []
    rv = client.put("/__admin/state", json=before)
    assert rv.status_code == 200 and rv.json == {"imported": 2, "version": 1, "keys": 2}
    assert _without_time(client.get("/__admin/state").json) == _without_time(before)
    # and it lives: the old token still works, the next id is the one the exporting mock would have made
    assert chat.messages(cid).status_code == 200
    assert chat.call("GET", "/c/v1/chat/availability").json == {"availability": "offline"}


def test_the_next_ids_continue_as_if_nothing_happened():
    def run(round_trip: bool) -> str:
        client = create_app({"TESTING": True}).test_client()
        chat, _ = _busy(client)
        if round_trip:
            document = client.get("/__admin/state").json
            client.post("/__admin/reset")
            client.put("/__admin/state", json=document)
        return chat.new_conversation()
    assert run(True) == run(False)


def test_import_replaces_every_org(client):
    _busy(client, "kept")
    document = client.get("/__admin/state").json
    Chat(client, "dropped-by-import").start()
    client.put("/__admin/state", json=document)
    assert [o["name"] for o in client.get("/__admin/state").json["orgs"]] == ["kept"]


@pytest.mark.parametrize(("change", "status", "code", "pointer"), [
    ({"version": 0}, 400, "unsupported_state_version", "/version"),
    ({"version": 99}, 400, "unsupported_state_version", "/version"),
    ({"version": "1"}, 400, "invalid_field", "/version"),
    ({"orgs": "none"}, 400, "invalid_field", "/orgs"),
    ({"orgs": [{"customers": []}]}, 400, "missing_field", "/orgs/0/name"),
    ({"orgs": [{"name": "x", "keys": ["x"], "customers": [{"nope": 1}]}]}, 400, "unknown_field",
     "/orgs/0/customers/0/nope"),
    ({"orgs": [{"name": "acme-split", "keys": ["some-key"]}]}, 400, "invalid_state", "/orgs/0/name"),
    ({"extra": 1}, 400, "unknown_field", "/extra"),
])
def test_a_bad_document_changes_nothing(client, change, status, code, pointer):
    _busy(client)
    before = client.get("/__admin/state").json
    rv = client.put("/__admin/state", json={**before, **change})
    assert rv.status_code == status
    assert (pointer, code) in [(e["source"]["pointer"], e["code"]) for e in rv.json["errors"]]
    assert _without_time(client.get("/__admin/state").json) == _without_time(before)


def _org(path: str, value):
    """A change to the first org of the exported document: `path` is a JSON pointer inside the org."""
    def change(document):
        *parents, last = path.strip("/").split("/")
        target = document["orgs"][0]
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return change


def _top(name: str, value):
    return lambda document: document.__setitem__(name, value)


BAD_DOCUMENTS = [
    (_org("/settings", "bad"), "invalid_field", "/orgs/0/settings"),
    (_org("/settings/availability", "nonsense"), "invalid_field", "/orgs/0/settings/availability"),
    (_org("/settings/allowEndConversation", "yes"), "invalid_field", "/orgs/0/settings/allowEndConversation"),
    (_org("/settings/startDelayMs", -1), "invalid_field", "/orgs/0/settings/startDelayMs"),
    (_org("/settings/activeAssistant", "5f0c1a2b3c4d5e6f7a8bb999"), "invalid_state", "/orgs/0/settings/activeAssistant"),
    (_org("/name", 7), "invalid_field", "/orgs/0/name"),
    (_org("/keys", "state-key"), "invalid_field", "/orgs/0/keys"),
    (_org("/brands", {"id": "x"}), "invalid_field", "/orgs/0/brands"),
    (_org("/customers/0/created_at", "yesterday"), "invalid_field", "/orgs/0/customers/0/created_at"),
    (_org("/customers/0/anonymous", "no"), "invalid_field", "/orgs/0/customers/0/anonymous"),
    (_org("/customers/0/id", None), "invalid_field", "/orgs/0/customers/0/id"),
    (_org("/conversations/0/message_count", "2"), "invalid_field", "/orgs/0/conversations/0/message_count"),
    (_org("/conversations/0/customer_id", "5f0c1a2b3c4d5e6f7a8b0000"), "invalid_state",
     "/orgs/0/conversations/0/customer_id"),
    (_org("/messages", {"5f0c1a2b3c4d5e6f7a8b0000": []}), "invalid_state", "/orgs/0/messages/5f0c1a2b3c4d5e6f7a8b0000"),
    (_org("/messages", []), "invalid_field", "/orgs/0/messages"),
    (_org("/tokens", {"t1": {"customerId": "5f0c1a2b3c4d5e6f7a8b0000"}}), "invalid_state", "/orgs/0/tokens/t1"),
    (_org("/rng", "x"), "invalid_field", "/orgs/0/rng"),
    (_org("/rng", [3, [1, 2], None]), "invalid_state", "/orgs/0/rng"),
    (_org("/assistants", [{"id": "nope"}]), "invalid_state", "/orgs/0/assistants"),
    (_top("clock", "bad"), "invalid_field", "/clock"),
    (_top("clock", {"now": "soon", "frozen": True, "offsetSeconds": 0}), "invalid_field", "/clock/now"),
    (_top("clock", {"now": "0001-01-01T00:00:00Z", "frozen": True, "offsetSeconds": 0}), "invalid_field",
     "/clock/now"),
    (_top("clock", {"now": FROZEN, "frozen": "yes", "offsetSeconds": 0}), "invalid_field", "/clock/frozen"),
    (_top("keys", "kx"), "invalid_field", "/keys"),
    (_top("keys", [1]), "invalid_field", "/keys/0"),
    (_top("seed", "1"), "invalid_field", "/seed"),
]


@pytest.mark.parametrize(("change", "code", "pointer"), BAD_DOCUMENTS, ids=[c[2] for c in BAD_DOCUMENTS])
def test_the_whole_document_is_checked_before_anything_changes(client, change, code, pointer):
    chat, cid = _busy(client)
    before = client.get("/__admin/state").json
    document = copy.deepcopy(before)
    change(document)
    rv = client.put("/__admin/state", json=document)
    assert rv.status_code == 400, rv.json
    assert (code, pointer) in [(e["code"], e["source"]["pointer"]) for e in rv.json["errors"]], rv.json
    for error in rv.json["errors"]:   # plain words, no Python internals
        assert not re.search(r"__\w+__|Error\b|<class|unexpected keyword|object has no", error["detail"]), error
    assert _without_time(client.get("/__admin/state").json) == _without_time(before)
    assert client.get(f"/__admin/orgs/{chat.key}").status_code == 200
    assert chat.messages(cid).status_code == 200


def test_a_bad_state_file_stops_the_boot_with_the_pointer(tmp_path):
    client = create_app({"TESTING": True}).test_client()
    _busy(client)
    document = client.get("/__admin/state").json
    document["orgs"][0]["settings"]["availability"] = "nonsense"
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    with pytest.raises(snapshot.InvalidState, match="/orgs/0/settings/availability"):
        create_app({"STATE_FILE": str(path)})


def test_an_unknown_version_says_which_it_reads(client):
    rv = client.put("/__admin/state", json={"version": 2, "orgs": []})
    assert "reads version 1" in rv.json["errors"][0]["detail"]


def test_save_needs_a_state_file(client):
    rv = client.post("/__admin/state/save")
    assert rv.status_code == 409 and rv.json["errors"][0]["code"] == "no_state_file"


def test_save_writes_atomically_and_a_new_app_loads_it(tmp_path):
    path = tmp_path / "sub" / "state.json"
    client = create_app({"TESTING": True, "STATE_FILE": str(path)}).test_client()
    _busy(client)
    rv = client.post("/__admin/state/save")
    assert rv.json == {"path": str(path), "orgs": 1}
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json"]   # no temporary file left
    saved = json.loads(path.read_text())
    again = create_app({"TESTING": True, "STATE_FILE": str(path)}).test_client()
    assert _without_time(again.get("/__admin/state").json) == _without_time(saved)


def test_a_missing_state_file_is_a_first_run(tmp_path):
    client = create_app({"TESTING": True, "STATE_FILE": str(tmp_path / "new.json")}).test_client()
    assert client.get("/__admin/state").json["orgs"] == []


def test_a_corrupt_state_file_fails_at_boot_with_its_name(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("{not json")
    with pytest.raises(snapshot.InvalidState, match="state.json"):
        create_app({"STATE_FILE": str(path)})

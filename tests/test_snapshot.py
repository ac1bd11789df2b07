"""Whole-state export and import, versions, and the --state-file."""
from __future__ import annotations

import json

import pytest

from mock_server import create_app, snapshot

from .helpers import Chat

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
    ({"orgs": [{"customers": []}]}, 400, "invalid_state", "/orgs/0/name"),
    ({"orgs": [{"name": "x", "keys": ["x"], "customers": [{"nope": 1}]}]}, 400, "invalid_state", "/orgs/0"),
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

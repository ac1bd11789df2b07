"""Big states: the export streams without holding an org's lock, an export of any size imports back,
a save killed mid-way leaves nothing behind for good, and --save-every saves while serving."""
from __future__ import annotations

import json
import signal
import threading
import time

import pytest
import requests

from mock_server import create_app
from mock_server.control.snapshot import CHUNK, export_chunks, import_state
from mock_server.state import get_state
from mock_server.testing.appcalls import clock_of, org_of
from mock_server.testing.serve import spawn_serve, wait_listening

pytestmark = [pytest.mark.private_app,   # exports and imports every org of the app
              pytest.mark.slow]   # big states, and serve in child processes


def _fill(org, conversations: int, messages: int = 2) -> None:
    customer = org.new_customer(name="Big")
    for n in range(conversations):
        conversation = org.new_conversation(customer, title=f"n{n}")
        for m in range(messages):
            org.record_message(conversation, body=f"m{m}", direction="in", sent_by={"type": "customer"})


def _other_thread_gets(lock) -> bool:
    got = []

    def take():
        got.append(lock.acquire(blocking=False))
        if got[0]:
            lock.release()
    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    return got[0]


def test_the_export_holds_no_lock_between_chunks_and_a_write_meanwhile_keeps_it_consistent(app):
    org = org_of(app, "big-export")
    _fill(org, 3 * CHUNK)
    state = get_state(app)
    pieces = export_chunks(state.store, state.clock)
    text = [next(pieces) for _ in range(6)]               # well into the org's records
    assert _other_thread_gets(org.lock)                  # calls on the org go on between chunks
    late = org.new_conversation(org.new_customer(name="Late"))   # made during the export
    org.record_message(next(iter(org.conversations.values())), body="late", direction="in", sent_by={})
    document = json.loads("".join(text + list(pieces)))
    exported = next(o for o in document["orgs"] if o["name"] == "big-export")
    assert len(exported["conversations"]) == len(org.conversations) - 1 and late.id not in exported["messages"]
    other = create_app()
    assert import_state(get_state(other).store, clock_of(other),
                        document)["imported"] == 1


def test_an_export_over_the_body_limit_imports_back(app, client):
    org = org_of(app, "big-import")
    _fill(org, 1500, messages=4)
    exported = client.get("/__admin/state").get_data()
    assert len(exported) > app.config["MAX_CONTENT_LENGTH"]
    fresh = create_app({"TESTING": True}).test_client()
    rv = fresh.put("/__admin/state", data=exported, content_type="application/json")
    assert rv.status_code == 200 and rv.json["imported"] == 1
    assert fresh.get("/__admin/orgs/big-import/conversations").json["total"] == len(org.conversations)


def test_an_import_over_its_own_limit_is_413(client):
    client.application.config["MAX_IMPORT_BYTES"] = 1000
    rv = client.put("/__admin/state", data=json.dumps({"version": 1, "orgs": [], "keys": ["k" * 2000]}),
                    content_type="application/json")
    assert rv.status_code == 413 and rv.json["errors"][0]["code"] == "payload_too_large"


def test_temporary_files_of_a_killed_save_are_removed_at_boot(tmp_path):
    state = tmp_path / "state.json"
    stale = [tmp_path / ".state.json.k1ll3d.tmp", tmp_path / ".state.json.x.tmp"]
    kept = [tmp_path / ".other.json.x.tmp", tmp_path / "notes.tmp"]
    for path in stale + kept:
        path.write_text("{")
    create_app({"STATE_FILE": str(state)})
    assert [p.exists() for p in stale + kept] == [False, False, True, True]


def test_save_every_saves_while_serving_so_a_kill_9_loses_at_most_that(tmp_path):
    state = tmp_path / "state.json"
    process = spawn_serve("--port", "0", "--state-file", str(state), "--save-every", "0.2")
    try:
        url = wait_listening(process)

        chat = requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": "Bearer saved-key"}).json()
        headers = {"Authorization": "Bearer saved-key", "x-kustomer-tracking-token": chat["trackingToken"]}
        cid = requests.post(f"{url}/c/v1/chat/sessions", json={"message": "keep me"}, headers=headers).json()
        for _ in range(200):   # the next periodic save writes it
            if state.exists() and cid["conversationId"] in state.read_text():
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert cid["conversationId"] in state.read_text()
        booted = create_app({"STATE_FILE": str(state)})
        assert cid["conversationId"] in org_of(booted, "saved-key").conversations
        assert not list(tmp_path.glob(".state.json.*.tmp"))
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()

"""Big states: the export streams without holding an org's lock, an export of any size imports back (read as
it arrives, all or nothing), a save killed mid-way leaves nothing behind for good, and --save-every saves."""
from __future__ import annotations

import gc
import json
import signal
import threading
import time

import pytest
import requests

from mock_server import create_app
from mock_server.control import heap
from mock_server.control.snapshot import CHUNK, export_chunks, import_state, import_stream
from mock_server.serving import ServerThread
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


def _other_thread_reads(org) -> bool:
    """Whether another thread can read the org now (it waits if this thread holds the org's lock)."""
    def read():
        with org.reading():
            pass
    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(timeout=30)   # a guard against a hang, not a timing: a held lock blocks it for good
    return not thread.is_alive()


def test_the_export_holds_no_lock_between_chunks_and_a_write_meanwhile_keeps_it_consistent(app):
    org = org_of(app, "big-export")
    _fill(org, 3 * CHUNK)
    state = get_state(app)
    pieces = export_chunks(state.store, state.clock)
    text = [next(pieces) for _ in range(6)]               # well into the org's records
    assert _other_thread_reads(org)                  # calls on the org go on between chunks
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


def _export(url: str) -> bytes:
    with requests.get(f"{url}/__admin/state", stream=True, timeout=120) as answer:
        return b"".join(answer.iter_content(1 << 16))


def _without_time(text: bytes) -> dict:
    document = json.loads(text)
    document.pop("exportedAt")
    return document


def _in_pieces(data: bytes, size: int = 4096):
    """The body sent as it is read (chunked), so the import reads it as it arrives."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_export_import_export_over_http_gives_the_same_document(app):
    clock_of(app).freeze()   # the import freezes the second mock's clock at the same time
    org = org_of(app, "round-trip")
    _fill(org, 3000, messages=3)
    with ServerThread(app, kind="waitress") as first, ServerThread(create_app(), kind="waitress") as second:
        exported = _export(first.url)
        answer = requests.put(f"{second.url}/__admin/state", data=_in_pieces(exported),
                              headers={"Content-Type": "application/json"}, timeout=120)
        assert answer.status_code == 200 and answer.json() == {"imported": 1, "version": 1, "keys": 1}
        again = _export(second.url)
    assert _without_time(again) == _without_time(exported)
    assert len(_without_time(again)["orgs"][0]["conversations"]) == len(org.conversations)


def _cut(text: str) -> str:
    return text[:-40]


def _bad_last_message(text: str) -> str:
    at = text.rindex('"created_at":"')
    return text[:at] + '"created_at":"yesterday"' + text[text.index('"', at + 14) + 1:]


def _trailing(text: str) -> str:
    return text + "{}"


@pytest.mark.parametrize(("spoil", "code", "pointer"), [
    (_cut, "invalid_json", None),
    (_trailing, "invalid_json", None),
    (_bad_last_message, "invalid_field", "created_at"),
])
def test_a_document_spoiled_at_its_end_leaves_the_old_state(app, client, spoil, code, pointer):
    clock_of(app).freeze()
    _fill(org_of(app, "spoiled"), 1200)
    before = client.get("/__admin/state").get_data(as_text=True)
    rv = client.put("/__admin/state", data=spoil(before), content_type="application/json")
    assert rv.status_code == 400 and rv.json["errors"][0]["code"] == code, rv.json
    where = rv.json["errors"][0].get("source", {}).get("pointer")
    assert where == pointer if pointer is None else where.startswith("/orgs/0/messages/") and where.endswith(pointer)
    assert _without_time(client.get("/__admin/state").get_data()) == _without_time(before.encode())


class _Trickle:
    """A stream that answers at most `size` bytes a read, as a slow socket does."""

    def __init__(self, data: bytes, size: int):
        self._data, self._at, self._size = data, 0, size

    def read(self, wanted: int) -> bytes:
        piece = self._data[self._at:self._at + min(wanted, self._size)]
        self._at += len(piece)
        return piece


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_the_import_reads_a_document_however_it_arrives(app, size):
    clock_of(app).freeze()
    _fill(org_of(app, "trickled"), 20)
    state = get_state(app)
    exported = "".join(export_chunks(state.store, state.clock)).encode()
    other = get_state(create_app())
    assert import_stream(other.store, other.clock, _Trickle(exported, size))["imported"] == 1
    assert _without_time("".join(export_chunks(other.store, other.clock)).encode()) == _without_time(exported)


def test_the_collector_makes_no_full_pass_while_exports_stream_and_as_usual_after(app):
    _fill(org_of(app, "collected"), 10)
    state, usual = get_state(app), gc.get_threshold()
    first, second = export_chunks(state.store, state.clock), export_chunks(state.store, state.clock)
    next(first), next(second)
    assert gc.get_threshold() == (*usual[:2], heap.NEVER)   # young passes go on
    list(first)
    assert gc.get_threshold()[2] == heap.NEVER              # the other export still streams
    list(second)
    assert gc.get_threshold() == usual

"""The event stream and typing over the real server: auth, resume with Last-Event-ID, slots; typing."""
from __future__ import annotations

import threading

import pytest
import requests

from mock_server import create_app
from mock_server import events as sse
from mock_server.api.live import stream_slots
from mock_server.serving import ServerThread
from mock_server.testing.appcalls import org_of
from mock_server.testing.serve import read_events


def _start(url, key):
    rv = requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    return rv.json()["trackingToken"]


def _headers(key, token):
    return {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token}


def _read(url, key, token, count, last_event_id=None, opened=None):
    """Open a stream and read `count` listener events (markers skipped); answers [(id, name, payload)]."""
    return read_events(url, key, token, count, last_event_id=last_event_id, opened=opened, timeout=10)


def test_the_stream_needs_a_started_customer(live_server):
    rv = requests.get(f"{live_server.url}/c/v1/events", params={"key": "live-k0", "token": "nope"}, timeout=10)
    assert rv.status_code == 401 and rv.json()["errors"][0]["code"] == "not_started"


def test_events_arrive_in_order_with_whole_messages(live_server):
    url, key = live_server.url, "live-k1"
    token = _start(url, key)
    results: list = []
    opened = threading.Event()
    reader = threading.Thread(target=lambda: results.extend(_read(url, key, token, 2, opened=opened)))
    reader.start()
    assert opened.wait(10)
    rv = requests.post(f"{url}/c/v1/chat/sessions", json={"message": "hi"}, headers=_headers(key, token), timeout=10)
    reader.join(10)
    names = [name for _, name, _ in results]
    assert sorted(names) == ["onConversationCreate", "onMessageSent"]
    sent = next(p for _, n, p in results if n == "onMessageSent")
    assert sent["body"] == "hi" and sent["conversationId"] == rv.json()["conversationId"]
    assert [i for i, _, _ in results] == sorted(i for i, _, _ in results)


def test_resuming_with_last_event_id_loses_nothing_and_doubles_nothing(live_server):
    url, key = live_server.url, "live-k2"
    token = _start(url, key)
    headers = _headers(key, token)
    for n in range(3):
        requests.post(f"{url}/c/v1/chat/sessions", json={"message": f"m{n}"}, headers=headers, timeout=10)
    everything = _read(url, key, token, 6, last_event_id=0)
    first = _read(url, key, token, 2, last_event_id=0)       # a stream dropped after two events
    rest = _read(url, key, token, 4, last_event_id=first[-1][0])
    assert first + rest == everything
    assert len({i for i, _, _ in everything}) == 6


def test_streams_past_the_slots_are_told_to_retry_and_api_calls_still_answer():
    app = create_app({"THREADS": 4, "STREAM_SLOTS": 2, "STREAM_SECONDS": 5})
    with ServerThread(app, kind="waitress") as server:
        key = "live-k3"
        token = _start(server.url, key)
        params = {"key": key, "token": token}
        held = [requests.get(f"{server.url}/c/v1/events", params=params, stream=True, timeout=10) for _ in range(2)]
        try:
            assert stream_slots(app).open == 2
            refused = requests.get(f"{server.url}/c/v1/events", params=params, timeout=10)
            assert refused.status_code == 200 and refused.text.startswith("retry: 3000")
            assert requests.get(f"{server.url}/c/v1/chat/unread", headers=_headers(key, token), timeout=5).status_code == 200
        finally:
            for rv in held:
                rv.close()


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"typing": True}, 200, None),
    ({"typing": False}, 200, None),
    ({}, 400, "missing_field"),
    ({"typing": "yes please"}, 400, "invalid_field"),
])
def test_send_typing_activity(chat, app, body, status, code):
    cid = chat.new_conversation()
    rv = chat.call("POST", f"/c/v1/chat/sessions/{cid}/typing", json=body)
    assert rv.status_code == status
    if code:
        assert rv.json["errors"][0]["code"] == code
    else:
        assert rv.json == {"conversationId": cid, "typing": body["typing"]}
        org = org_of(app, chat.key)
        assert org.events.since(0, chat.customer_id)[-1].name == "onCustomerTypingActivity"


def test_typing_in_another_customers_conversation_is_not_found(client, chat, key):
    cid = chat.new_conversation()
    from mock_server.testing.appcalls import Chat
    other = Chat(client, key)
    other.start()
    rv = other.call("POST", f"/c/v1/chat/sessions/{cid}/typing", json={"typing": True})
    assert rv.status_code == 404 and rv.json["errors"][0]["code"] == "not_found"


def test_a_cut_fault_ends_the_stream_after_its_events(live_server):
    url, key = live_server.url, "live-k4"
    token = _start(url, key)
    for n in range(3):
        requests.post(f"{url}/c/v1/chat/sessions", json={"message": f"m{n}"}, headers=_headers(key, token), timeout=10)
    rule = requests.post(f"{url}/__admin/faults", timeout=10, json={
        "match": {"operation": "eventStream", "org": key}, "drop": "cut", "cutAfter": 3, "times": 1}).json()
    try:
        assert rule["cutAfter"] == 3
        cut = _read(url, key, token, 99, last_event_id=0)  # ends by itself: the cut
        assert len(cut) == 3
        rest = _read(url, key, token, 3, last_event_id=cut[-1][0])
        assert len({i for i, _, _ in cut + rest}) == 6
    finally:
        requests.delete(f"{url}/__admin/faults", timeout=10)


@pytest.mark.parametrize("kind", ["waitress", "werkzeug"])
def test_a_stream_whose_client_went_away_gives_its_slot_back(kind):
    app = create_app({"STREAM_SECONDS": 60})
    with ServerThread(app, kind=kind) as server:
        key = f"live-gone-{kind}"
        token = _start(server.url, key)
        stream = requests.get(f"{server.url}/c/v1/events", params={"key": key, "token": token}, stream=True,
                              timeout=10)
        assert stream.status_code == 200 and stream_slots(app).open == 1
        stream.close()
        for _ in range(100):   # noticed on the stream's next check, long before its 60 s window ends
            if stream_slots(app).open == 0:
                break
            threading.Event().wait(0.05)
        assert stream_slots(app).open == 0


@pytest.mark.parametrize("kind", ["waitress", "werkzeug"])
@pytest.mark.parametrize("path", ["/c/v1/events", "/__admin/orgs/{key}/events"])
def test_a_closed_tab_frees_its_stream_without_waiting_for_a_tick_or_heartbeat(kind, path, monkeypatch):
    # with no tick and no heartbeat for an hour, only the watch on the client's socket can end the stream
    monkeypatch.setattr(sse, "CHECK_SECONDS", 3600.0)
    monkeypatch.setattr(sse, "HEARTBEAT_SECONDS", 3600.0)
    app = create_app({"STREAM_SECONDS": 3600})
    with ServerThread(app, kind=kind) as server:
        key = f"live-closed-{kind}"
        token = _start(server.url, key)
        url = server.url + path.format(key=key)
        params = {"key": key, "token": token} if path.startswith("/c/") else {}
        stream, lines, first = _first_line(url, params)
        assert first == "retry: 1000" and stream_slots(app).open == 1
        stream.close()
        for _ in range(200):
            if stream_slots(app).open == 0:
                break
            threading.Event().wait(0.05)
        assert stream_slots(app).open == 0
        assert requests.get(f"{server.url}/c/v1/chat/unread", headers=_headers(key, token), timeout=5).status_code == 200


def _first_line(url, params):
    """Open a stream and answer its first line (`retry: 1000` for a stream, `retry: 3000` when refused)."""
    rv = requests.get(url, params=params, stream=True, timeout=10)
    lines = rv.iter_lines(decode_unicode=True)   # kept: dropping the iterator closes the response
    return rv, lines, next(lines)


@pytest.mark.parametrize("path", ["/c/v1/events", "/__admin/orgs/{key}/events"])
def test_heads_take_no_stream_slot_so_48_heads_then_48_gets_all_stream(path):
    app = create_app({"STREAM_SLOTS": 48})   # every slot: a HEAD that took one would leave a GET refused
    with ServerThread(app, kind="waitress") as server:
        key = "live-head"
        token = _start(server.url, key)
        url = server.url + path.format(key=key)
        params = {"key": key, "token": token} if path.startswith("/c/") else {}
        for _ in range(48):
            assert requests.head(url, params=params, timeout=10).status_code == 200
        assert stream_slots(app).open == 0
        opened = [_first_line(url, params) for _ in range(48)]
        try:
            assert [line for _, _, line in opened] == ["retry: 1000"] * 48
            assert stream_slots(app).open == 48
        finally:
            for rv, _, _ in opened:
                rv.close()

"""The request journal: what is recorded, filters, the ring, what is left out."""
from __future__ import annotations

import json

import pytest

from mock_server import create_app
from mock_server.domain.clock import parse_iso
from mock_server.testing.appcalls import Chat, clock_of

pytestmark = pytest.mark.private_app   # reads, filters and clears the whole journal; freezes the clock


def journal(client, **query):
    rv = client.get("/__admin/requests", query_string=query)
    assert rv.status_code == 200, rv.json
    return rv.json


def test_an_entry_has_every_field(app, client, chat):
    clock_of(app).freeze(parse_iso("2030-01-02T03:04:05.000Z"))
    chat.create_conversation(message="hello", customAttributes={"orderNumberStr": "A-1"})
    entry = journal(client, operation="createConversation")["requests"][-1]
    assert entry["time"] == "2030-01-02T03:04:05.000Z"
    assert {k: entry[k] for k in ("org", "operation", "method", "path", "status", "fault")} == {
        "org": chat.key, "operation": "createConversation", "method": "POST", "path": "/c/v1/chat/sessions",
        "status": 201, "fault": None}
    assert entry["requestBody"] == {"message": "hello", "customAttributes": {"orderNumberStr": "A-1"}}
    assert set(entry["responseBody"]) == {"conversationId", "createdAt", "ended", "isInAssistantMode"}
    assert isinstance(entry["id"], int) and entry["durationMs"] >= 0 and entry["query"] == {}


def test_admin_calls_assets_and_the_root_are_not_journaled(client, chat):
    client.get("/__admin/health")
    client.get("/chat-web/widget.js")
    client.get("/")
    paths = {e["path"] for e in journal(client)["requests"]}
    assert paths == {"/c/v1/tracking/tokens"}


def test_unknown_routes_are_journaled_without_an_operation(client):
    client.get("/no/such/route")
    entry = journal(client)["requests"][-1]
    assert entry["operation"] is None and entry["status"] == 404


@pytest.fixture
def traffic(client):
    """Two orgs, a few calls each, one failing with 401 and one 404."""
    alice, bob = Chat(client, "journal-alice"), Chat(client, "journal-bob")
    alice.start(), bob.start()
    alice.new_conversation()
    alice.unread(), bob.unread()
    Chat(client, "journal-bob").create_conversation(message="no token")   # 401
    alice.messages("0" * 24)                                                # 404
    return alice, bob


@pytest.mark.parametrize(("query", "count"), [
    ({}, 7),
    ({"operation": "start"}, 2),
    ({"org": "journal-alice"}, 4),
    ({"org": "journal-bob", "operation": "getUnreadCount"}, 1),
    ({"status": "200"}, 4),
    ({"status": "4xx"}, 2),
    ({"status": "401"}, 1),
    ({"status": "2xx"}, 5),
    ({"status": "dropped"}, 0),
])
def test_filters(client, traffic, query, count):
    page = journal(client, **query)
    assert page["total"] == count == len(page["requests"])


def test_limit_keeps_the_newest_and_total_counts_all(client, traffic):
    page = journal(client, limit=2)
    assert page["total"] == 7 and [e["path"] for e in page["requests"]][-1].endswith("/messages")
    assert len(page["requests"]) == 2


def test_since_and_after(app, client):
    clock = clock_of(app)
    clock.freeze(parse_iso("2030-01-01T00:00:00.000Z"))
    Chat(client, "since-a").start()
    clock.advance(60)
    Chat(client, "since-b").start()
    page = journal(client, since="2030-01-01T00:00:30Z")
    assert [e["org"] for e in page["requests"]] == ["since-b"]
    first_id = journal(client)["requests"][0]["id"]
    assert [e["org"] for e in journal(client, after=first_id)["requests"]] == ["since-b"]


@pytest.mark.parametrize(("query", "parameter"), [
    ({"status": "teapot"}, "status"),
    ({"since": "yesterday"}, "since"),
    ({"limit": "0"}, "limit"),
    ({"after": "x"}, "after"),
])
def test_bad_filters_are_400(client, query, parameter):
    rv = client.get("/__admin/requests", query_string=query)
    assert rv.status_code == 400 and rv.json["errors"][0]["source"] == {"parameter": parameter}


def test_the_ring_keeps_the_last_journal_size_entries():
    client = create_app({"TESTING": True, "JOURNAL_SIZE": 3}).test_client()
    chat = Chat(client, "ring-key")
    chat.start()
    for _ in range(5):
        chat.unread()
    page = journal(client)
    assert page["total"] == 3 and [e["id"] for e in page["requests"]] == [4, 5, 6]


def test_clear(client, chat):
    assert client.delete("/__admin/requests").json == {"removed": 1}
    assert journal(client) == {"requests": [], "total": 0}
    chat.unread()
    assert journal(client)["requests"][0]["id"] == 2   # ids keep growing after a clear


def test_bodies_are_bounded(client, chat):
    chat.create_conversation(message="x" * 9000)
    entry = journal(client, operation="createConversation")["requests"][-1]
    assert isinstance(entry["requestBody"], str) and len(entry["requestBody"]) == 4097


@pytest.mark.parametrize(("method", "path", "raw"), [
    ("POST", "/c/v1/chat/sessions", b'{"message": "hi", "customAttributes": {"orderTotalNum": NaN}}'),
    ("POST", "/c/v1/chat/sessions", b'{"message": 1e400}'),
    ("GET", "/c/v1/chat/unread", b"[" * 2000 + b"]" * 2000),           # a GET carrying a body
    ("GET", "/c/v1/chat/unread", b"[" * 100 + b"]" * 100),             # valid JSON, deeper than the mock reads
])
def test_bodies_the_mock_refuses_are_kept_as_text_and_the_journal_still_reads(client, chat, method, path, raw):
    rv = chat.call(method, path, data=raw, content_type="application/json")
    assert rv.status_code in (200, 400), rv.get_data(as_text=True)[:200]
    listing = client.get("/__admin/requests")
    assert listing.status_code == 200
    # strict JSON: the whole journal parses without NaN or Infinity anywhere
    page = json.loads(listing.get_data(as_text=True), parse_constant=lambda name: pytest.fail(name))
    entry = page["requests"][-1]
    assert entry["path"] == path and entry["requestBody"] == raw.decode()


def test_an_entry_keeps_the_headers_but_not_a_cookie(client, key):
    client.set_cookie("kustomer_mock_admin_token", "secret")
    client.post("/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}", "X-Trace": "t-1"})
    entry = journal(client, operation="start")["requests"][-1]
    assert entry["requestHeaders"]["X-Trace"] == "t-1" and entry["requestHeaders"]["Cookie"] == "<redacted>"
    assert entry["responseHeaders"]["Content-Type"] == "application/json"


def test_a_long_poll_answers_the_next_entry_or_nothing(live_server):
    import threading

    import requests
    url = live_server.url
    last = requests.get(f"{url}/__admin/requests", params={"limit": 1}, timeout=5).json()["requests"]
    after = last[-1]["id"] if last else 0
    assert requests.get(f"{url}/__admin/requests", params={"after": after + 10**6, "wait": 0.2},
                        timeout=5).json() == {"requests": [], "total": 0}
    answered = {}
    poll = threading.Thread(target=lambda: answered.update(requests.get(
        f"{url}/__admin/requests", params={"after": after, "wait": 20, "org": "long-poll-key"}, timeout=30).json()))
    poll.start()
    requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": "Bearer other-key"}, timeout=5)
    requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": "Bearer long-poll-key"}, timeout=5)
    poll.join(timeout=30)
    assert [(e["org"], e["operation"]) for e in answered["requests"]] == [("long-poll-key", "start")]


@pytest.mark.parametrize("wait", [-1, 26, "x"])
def test_a_bad_wait_is_refused(client, wait):
    rv = client.get("/__admin/requests", query_string={"after": 0, "wait": wait})
    assert rv.status_code == 400 and rv.json["errors"][0]["source"] == {"parameter": "wait"}

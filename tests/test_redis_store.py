"""The redis store: two real `serve` processes on one real redis-server share every org."""
from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mock_server.domain.clock import Clock
from mock_server.domain.fixtures import Fixtures
from mock_server.client import MockClient
from mock_server.store import make_store
from mock_server.testing import WebhookReceiver
from mock_server.testing.redisserver import redis_server
from mock_server.testing.serve import read_events, spawn_serve, stop_serve, wait_listening

_keys = itertools.count(1)


@pytest.fixture
def key():
    """A key (an org) no other test of the module uses."""
    return f"redis-key-{next(_keys)}"


def _call(method: str, url: str, key: str, token: str | None = None, **kwargs):
    headers = {"Authorization": f"Bearer {key}", **({"x-kustomer-tracking-token": token} if token else {})}
    return requests.request(method, url, headers=headers, timeout=30, **kwargs)


def _start(url: str, key: str) -> str:
    rv = _call("POST", f"{url}/c/v1/tracking/tokens", key)
    assert rv.status_code == 200, rv.text
    return rv.json()["trackingToken"]


def _customer_ids(url: str, key: str) -> set[str]:
    """Every customer of the org, following links.next."""
    found, rv = set(), _call("GET", f"{url}/v1/customers", key, params={"pageSize": 100})
    while True:
        assert rv.status_code == 200, rv.text
        found |= {c["id"] for c in rv.json()["data"]}
        following = rv.json()["links"]["next"]
        if following is None:
            return found
        rv = _call("GET", url + following, key)


def test_a_customer_made_over_rest_on_a_is_read_on_b(two, key):
    a, b = two
    rv = _call("POST", f"{a}/v1/customers", key, json={"name": "Ada", "externalId": "crm-1"})
    assert rv.status_code == 201, rv.text
    customer = rv.json()["data"]
    read = _call("GET", f"{b}/v1/customers/{customer['id']}", key)
    assert read.status_code == 200 and read.json()["data"] == customer
    assert _call("GET", f"{b}/v1/customers/externalId=crm-1", key).json()["data"]["id"] == customer["id"]


def test_a_chat_started_on_a_goes_on_on_b_and_back(two, key):
    a, b = two
    token = _start(a, key)
    made = _call("POST", f"{a}/c/v1/chat/sessions", key, token, json={"message": "hello from A"})
    assert made.status_code == 201, made.text
    conversation_id = made.json()["conversationId"]
    sent = _call("POST", f"{b}/c/v1/chat/sessions/{conversation_id}/messages", key, token,
                 json={"body": "and from B"})
    assert sent.status_code == 201, sent.text
    for url in (a, b):
        listed = _call("GET", f"{url}/c/v1/chat/sessions", key, token).json()["conversations"]
        assert [c["conversationId"] for c in listed] == [conversation_id]
        messages = _call("GET", f"{url}/c/v1/chat/sessions/{conversation_id}/messages", key, token).json()
        assert [m["body"] for m in messages["messages"]][-2:] == ["hello from A", "and from B"]


def test_writes_on_both_processes_at_once_are_all_kept(two, key):
    a, b = two
    before = _customer_ids(a, key)

    def create(n: int) -> str:
        url = (a, b)[n % 2]
        rv = _call("POST", f"{url}/v1/customers", key, json={"name": f"parallel {n}"})
        assert rv.status_code == 201, rv.text
        return rv.json()["data"]["id"]

    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(create, range(40)))
    assert len(set(made)) == 40
    for url in (a, b):
        assert _customer_ids(url, key) == before | set(made)


@pytest.mark.parametrize("scope", ["org", "all"])
def test_a_reset_on_a_is_seen_by_b(two, key, scope):
    a, b = two
    token = _start(a, key)
    assert _call("POST", f"{a}/c/v1/chat/sessions", key, token, json={"message": "hi"}).status_code == 201
    assert _call("GET", f"{b}/c/v1/chat/sessions", key, token).status_code == 200
    query = {"org": key} if scope == "org" else {}
    assert requests.post(f"{a}/__admin/reset", params=query, timeout=30).json()["reset"] == scope
    gone = _call("GET", f"{b}/c/v1/chat/sessions", key, token)
    assert gone.status_code == 401 and gone.json()["errors"][0]["code"] == "not_started"
    assert _start(b, key)   # the org is made again from its fixtures, for both
    keys = [k["key"] for k in requests.get(f"{a}/__admin/orgs", timeout=30).json()["orgs"]]
    assert key in keys


def _read_events(url: str, key: str, token: str, count: int, opened: threading.Event | None = None,
                 last_event_id: int | None = None) -> list[tuple]:
    """Read `count` listener events of the customer's stream (markers skipped): [(id, name, payload)]."""
    return read_events(url, key, token, count, last_event_id=last_event_id, opened=opened)


def _stream_open(url: str, key: str, token: str, count: int) -> tuple[threading.Thread, list]:
    """A reader of `count` events of the customer's stream on `url`, in a thread, once the stream is open."""
    got: list = []
    opened = threading.Event()
    reader = threading.Thread(target=lambda: got.extend(_read_events(url, key, token, count, opened)))
    reader.start()
    assert opened.wait(20)
    return reader, got


def test_a_stream_on_a_gets_what_b_wrote_and_resumes_on_b(two, key):
    a, b = two
    token = _start(a, key)
    reader, got = _stream_open(a, key, token, 2)
    made = _call("POST", f"{b}/c/v1/chat/sessions", key, token, json={"message": "written on B"})
    assert made.status_code == 201, made.text
    reader.join(20)
    assert [name for _, name, _ in got] == ["onConversationCreate", "onMessageSent"]
    assert got[1][2]["body"] == "written on B"   # hydrated on A from the replica B's write updated
    more = _call("POST", f"{a}/c/v1/chat/sessions/{made.json()['conversationId']}/messages", key, token,
                 json={"body": "then on A"})
    assert more.status_code == 201, more.text
    resumed = _read_events(b, key, token, 2, last_event_id=got[0][0])
    assert [(name, payload.get("body")) for _, name, payload in resumed] == [
        ("onMessageSent", "written on B"), ("onMessageSent", "then on A")], (got, resumed)
    assert [event_id for event_id, _, _ in resumed] == [got[1][0], got[1][0] + 1]


@pytest.mark.parametrize("scope", ["org", "all"])
def test_a_reset_on_b_ends_a_stream_on_a_that_serves_nothing_meanwhile(two, key, scope):
    a, b = two
    reader, got = _stream_open(a, key, _start(a, key), 1)
    rv = requests.post(f"{b}/__admin/reset", params={"org": key} if scope == "org" else {}, json={}, timeout=30)
    assert rv.status_code == 200, rv.text
    reader.join(20)   # A's live reader sees the reset within a second and ends the stream, as A's own reset would
    assert not reader.is_alive() and got == []


def _org_state(url: str, key: str) -> dict:
    """The org's part of GET /__admin/state (what every process must agree on)."""
    document = requests.get(f"{url}/__admin/state", timeout=30).json()
    org = next(org for org in document["orgs"] if org["name"] == key)
    return {part: sorted(value, key=lambda record: record["id"]) if part in ("customers", "conversations") else value
            for part, value in org.items()}


def test_every_kind_of_write_leaves_every_replica_equal(two, redis_url, key):
    a, b = two
    token = _start(a, key)
    conversation = _call("POST", f"{a}/c/v1/chat/sessions", key, token, json={"message": "one"}).json()
    cid = conversation["conversationId"]
    steps = [
        (b, "POST", f"/c/v1/chat/sessions/{cid}/messages", {"body": "two"}, 201),
        (a, "POST", f"/c/v1/chat/sessions/{cid}/read", {}, 200),
        (b, "POST", "/v1/customers", {"name": "Grace", "emails": [{"email": "g@example.com"}]}, 201),
        (a, "POST", "/v1/customers", {"name": "Gone"}, 201),
        (b, "POST", f"/v1/conversations/{cid}/notes", {"body": "a note"}, 201),
        (a, "POST", f"/v1/conversations/{cid}/tags", ["vip"], 200),
        (b, "PATCH", f"/v1/conversations/{cid}", {"status": "done"}, 200),
    ]
    made = {}
    for url, method, path, body, status in steps:
        rv = _call(method, f"{url}{path}", key, token, json=body)
        assert rv.status_code == status, (path, rv.text)
        made[path, body.get("name") if isinstance(body, dict) else None] = rv.json()
    grace = made["/v1/customers", "Grace"]["data"]["id"]
    gone = made["/v1/customers", "Gone"]["data"]["id"]
    assert _call("PATCH", f"{b}/v1/customers/{grace}", key, json={"name": "Grace H."}).status_code == 200
    assert _call("DELETE", f"{a}/v1/customers/{gone}", key).status_code in (200, 202, 204)
    assert _call("POST", f"{b}/c/v1/chat/sessions/{cid}/end", key, token, json={}).status_code == 200
    upload = requests.post(f"{a}/c/v1/chat/attachments", timeout=30, files={"file": ("a.png", b"\x89PNG", "image/png")},
                           headers={"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token})
    assert upload.status_code == 201, upload.text
    download = requests.get(b + upload.json()["url"].split(a, 1)[-1], timeout=30)   # the bytes, from B
    assert download.status_code == 200 and download.content == b"\x89PNG"
    assert _start(b, key)   # a second chat session: one more tracking token
    on_a, on_b = _org_state(a, key), _org_state(b, key)
    later = spawn_serve("--port", "0", "--quiet", "--store", redis_url)   # loads the whole org from Redis
    try:
        on_c = _org_state(wait_listening(later), key)
    finally:
        stop_serve(later)
    assert on_a == on_b == on_c
    assert grace in [c["id"] for c in on_a["customers"]] and gone not in [c["id"] for c in on_a["customers"]]
    assert [m["body"] for m in on_a["messages"][cid]][:2] == ["one", "two"]


def test_a_webhook_registered_on_a_gets_a_writes_once(two, key):
    a, _ = two
    with WebhookReceiver() as receiver:
        MockClient(a).add_webhook(key, receiver.url, ["kustomer.customer.create"], token="t" * 16)
        receiver.token = "t" * 16
        ids = [_call("POST", f"{a}/v1/customers", key, json={"name": name}).json()["data"]["id"]
               for name in ("first", "second")]
        for customer_id in ids:
            receiver.wait_for("kustomer.customer.create", id=customer_id, timeout=20)
        assert [e.data["id"] for e in receiver.received("kustomer.customer.create")] == ids


def test_keys_export_and_import_span_both_processes(two, key):
    a, b = two
    token = _start(a, key)
    assert _call("POST", f"{a}/c/v1/chat/sessions", key, token, json={"message": "kept"}).status_code == 201
    document = requests.get(f"{b}/__admin/state", timeout=30).json()
    assert key in document["keys"] and key in [org["name"] for org in document["orgs"]]
    assert requests.post(f"{b}/__admin/reset", timeout=30).status_code == 200
    assert _call("GET", f"{a}/c/v1/chat/sessions", key, token).status_code == 401
    assert requests.put(f"{b}/__admin/state", json=document, timeout=30).status_code == 200
    listed = _call("GET", f"{a}/c/v1/chat/sessions", key, token).json()["conversations"]
    assert [c["preview"] for c in listed] == ["kept"]


def test_a_redis_that_goes_away_answers_503_and_comes_back(tmp_path, key):
    with redis_server(tmp_path) as server:
        process = spawn_serve("--port", "0", "--quiet", "--store", server.url)
        url = wait_listening(process)
        try:
            assert _start(url, key)
            server.stop()
            down = _call("POST", f"{url}/c/v1/tracking/tokens", key)
            assert down.status_code == 503
            error = down.json()["errors"][0]
            assert error["code"] == "store_unavailable" and server.url in error["detail"]
            server.start()   # a Redis without the data: the org is made again from its fixtures
            assert _start(url, key)
        finally:
            assert "kustomer-mock stopped" in stop_serve(process)


@pytest.mark.parametrize(("store", "message"), [
    ("postgres://x", "is neither memory nor a Redis URL"),
    ("redis://127.0.0.1:1/0", "Redis at redis://127.0.0.1:1/0 did not answer"),
])
def test_a_store_that_cannot_be_used_stops_serve_with_one_line(store, message):
    process = spawn_serve("--port", "0", "--store", store)
    out = process.communicate(timeout=30)[0]
    assert process.returncode != 0 and message in out and "Traceback" not in out


def test_a_write_that_fails_half_way_is_not_shared_and_its_replica_goes_back(redis_url, key):
    fixtures = Fixtures.load(None)
    one, other = (make_store(redis_url, fixtures, 1, Clock()) for _ in range(2))
    try:
        org = one.org(key)
        customer = org.new_customer(name="Before")
        with pytest.raises(RuntimeError), org.change("customer", customer):
            customer.name = "Half-made"
            org.events.emit("onNothing", {}, customer.id)   # held with the write, so never published
            raise RuntimeError("the write fails after changing the record")
        assert other.org(key).customers[customer.id].name == "Before"
        assert one.org(key).customers[customer.id].name == "Before"   # the replica reloaded what Redis holds
        assert "onNothing" not in other.org(key).events.names()
    finally:
        one.close(), other.close()

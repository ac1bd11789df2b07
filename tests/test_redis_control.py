"""The control plane on the redis store: four real `serve` processes share fault rules, stubs and the journal."""
from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mock_server import create_app
from mock_server.client import MockClient
from mock_server.control.rules import draw
from mock_server.testing import MockOrg, WebhookReceiver
from mock_server.testing.redisserver import replicas

_keys = itertools.count(1)
CALLS = 12


@pytest.fixture(scope="module")
def four(redis_url):
    """Four `serve --store REDIS` processes sharing one Redis: their URLs (A, B, C, D)."""
    with replicas(redis_url, 4) as urls:
        yield urls


@pytest.fixture
def key(four):
    """A key (an org) no other test uses; the shared rules are cleared afterwards."""
    yield f"control-key-{next(_keys)}"
    admin = MockClient(four[0])
    admin.clear_faults()
    admin.clear_stubs()


def _start(url: str, key: str) -> str:
    rv = requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert rv.status_code == 200, rv.text
    return rv.json()["trackingToken"]


def _unread(url: str, key: str, token: str) -> int:
    """getUnreadCount on `url`: its status."""
    headers = {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token}
    return requests.get(f"{url}/c/v1/chat/unread", headers=headers, timeout=30).status_code


def _rule(key: str, **fields) -> dict:
    return {"match": {"operation": "getUnreadCount", "org": key}, "respond": {"status": 503}, **fields}


def _draws(seed: str, probability: float, calls: int) -> int:
    return sum(draw(seed, n) < probability for n in range(1, calls + 1))


@pytest.mark.parametrize(("fields", "faulted", "seen"), [
    ({"times": 2}, 2, 2),                          # an expired rule stops counting, as in one process
    ({"after": 3}, CALLS - 3, CALLS),
    ({"after": 3, "times": 4}, 4, 7),
    ({"probability": 0.5, "seed": "shared"}, _draws("rule:shared", 0.5, CALLS), CALLS),
    ({"after": 2, "probability": 0.3, "seed": "late"},
     sum(draw("rule:late", n) < 0.3 for n in range(3, CALLS + 1)), CALLS),
])
def test_a_rule_added_on_a_is_counted_once_across_four_processes(four, key, fields, faulted, seen):
    token = _start(four[0], key)
    added = MockClient(four[0]).add_fault(_rule(key, **fields))
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda n: _unread(four[n % 4], key, token), range(CALLS)))
    assert statuses.count(503) == faulted and statuses.count(200) == CALLS - faulted
    for url in four:
        [rule] = MockClient(url).faults()
        assert (rule["id"], rule["hits"], rule["seen"]) == (added["id"], faulted, seen)


def test_a_seeded_probability_hits_the_same_calls_over_processes_as_on_one(four, key):
    rule = _rule(key, probability=0.4, seed="pattern")
    alone = create_app({"TESTING": True}).test_client()
    one_token = alone.post("/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"}).json["trackingToken"]
    assert alone.post("/__admin/faults", json=rule).status_code == 201
    headers = {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": one_token}
    on_one = [alone.get("/c/v1/chat/unread", headers=headers).status_code for _ in range(20)]
    token = _start(four[1], key)
    MockClient(four[1]).add_fault(rule)
    over_four = [_unread(four[n % 4], key, token) for n in range(20)]
    assert over_four == on_one and 0 < on_one.count(503) < 20


def test_a_stub_added_on_b_answers_on_a(four, key):
    a, b = four[:2]
    token = _start(a, key)
    stub = MockClient(b).add_stub(match={"operation": "getUnreadCount", "org": key},
                                  respond={"status": 200, "body": {"unread": 42}}, times=1)
    headers = {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token}
    rv = requests.get(f"{a}/c/v1/chat/unread", headers=headers, timeout=30)
    assert rv.json() == {"unread": 42} and rv.headers["x-kustomer-mock-stub"] == stub["id"]
    assert _unread(four[2], key, token) == 200
    assert [(s["hits"], s["expired"]) for s in MockClient(four[3]).stubs()] == [(1, True)]


@pytest.mark.parametrize("kind", ["faults", "stubs"])
def test_a_clear_on_a_empties_b_and_ids_start_again(four, key, kind):
    a, b = (MockClient(url) for url in four[:2])
    add, listed, clear = ((a.add_fault, b.faults, a.clear_faults) if kind == "faults"
                          else (a.add_stub, b.stubs, a.clear_stubs))
    rule = _rule(key, respond={"status": 503 if kind == "faults" else 200})
    first = add(rule)
    add(rule)
    assert len(listed()) == 2
    assert clear() == 2 and listed() == []
    token = _start(four[1], key)
    assert _unread(four[1], key, token) == 200
    again = (b.add_fault if kind == "faults" else b.add_stub)(rule)
    assert again["id"] == first["id"][0] + "1"


def test_a_rule_removed_on_a_no_longer_acts_on_b(four, key):
    token = _start(four[1], key)
    rule = MockClient(four[0]).add_fault(_rule(key))
    assert _unread(four[1], key, token) == 503
    assert MockClient(four[0]).remove_fault(rule["id"])["hits"] == 1
    assert _unread(four[1], key, token) == 200


def test_a_scenario_loaded_on_a_acts_on_b(four, key):
    token = _start(four[1], key)
    loaded = MockClient(four[0]).load_scenario("chat-outage")
    assert loaded and all(rule["scenario"] == "chat-outage" for rule in loaded)
    assert _unread(four[1], key, token) == 503
    assert MockClient(four[1]).clear_faults() == len(loaded)
    assert _unread(four[1], key, token) == 200


def test_a_boot_scenario_given_to_every_process_is_added_once(redis_url, four):
    MockClient(four[0]).clear_faults()
    with replicas(redis_url, 2, "--faults", "chat-outage") as booted:
        rules = MockClient(booted[0]).faults()
        assert rules and MockClient(booted[1]).faults() == rules == MockClient(four[0]).faults()
        assert len({rule["id"] for rule in rules}) == len(rules)
    MockClient(four[0]).clear_faults()


def test_the_journal_on_b_lists_the_calls_made_on_a(four, key):
    token = _start(four[0], key)
    for url in four:
        assert _unread(url, key, token) == 200
    for url in four:
        entries = MockClient(url).requests(org=key)["requests"]
        assert [e["operation"] for e in entries] == ["start"] + ["getUnreadCount"] * 4
        assert entries == sorted(entries, key=lambda e: e["id"])
    on_b = MockOrg(four[1], key)
    on_b.assert_called("getUnreadCount", times=4, status=200)
    assert on_b.requests()[-1]["responseBody"] == MockOrg(four[0], key).requests()[-1]["responseBody"]


@pytest.mark.parametrize(("query", "operations"), [
    ({}, ["start", "getUnreadCount", "getUnreadCount", "getUnreadCount"]),
    ({"operation": "getUnreadCount"}, ["getUnreadCount"] * 3),
    ({"status": "5xx"}, ["getUnreadCount"]),
    ({"status": "200", "limit": 1}, ["getUnreadCount"]),
    ({"operation": "start", "status": "4xx"}, []),
])
def test_the_journal_filters_on_d_read_the_calls_of_a_b_and_c(four, key, query, operations):
    token = _start(four[0], key)
    MockClient(four[0]).add_fault(_rule(key, after=2))
    assert [_unread(url, key, token) for url in four[:3]] == [200, 200, 503]
    page = requests.get(f"{four[3]}/__admin/requests", params={"org": key, **query}, timeout=30).json()
    assert [e["operation"] for e in page["requests"]] == operations
    assert page["total"] == (3 if query.get("limit") else len(operations))   # start answers 200 too


def test_a_journal_cleared_on_b_is_empty_on_a(four, key):
    token = _start(four[0], key)
    assert _unread(four[0], key, token) == 200
    assert MockClient(four[1]).clear_requests() >= 2
    assert MockClient(four[0]).requests(org=key)["requests"] == []
    assert _unread(four[2], key, token) == 200
    assert [e["operation"] for e in MockClient(four[3]).requests(org=key)["requests"]] == ["getUnreadCount"]


def test_a_long_poll_on_b_wakes_for_a_call_on_a(four, key):
    token = _start(four[0], key)
    after = MockClient(four[1]).requests(org=key)["requests"][-1]["id"]
    answers: list = []
    polling = threading.Thread(target=lambda: answers.append(requests.get(
        f"{four[1]}/__admin/requests", params={"org": key, "after": after, "wait": 20}, timeout=60).json()))
    polling.start()
    assert _unread(four[0], key, token) == 200
    polling.join(timeout=60)
    assert [e["operation"] for e in answers[0]["requests"]] == ["getUnreadCount"]
    assert answers[0]["requests"][0]["id"] > after


def test_a_webhook_rule_with_times_1_fires_once_across_processes(four, key):
    a, b = four[:2]
    with WebhookReceiver() as receiver:
        MockClient(a).add_webhook(key, receiver.url, ["kustomer.customer.create"], token="t" * 16)
        MockClient(b).add_webhook(key, receiver.url, ["kustomer.customer.update"], token="t" * 16)
        receiver.token = "t" * 16
        rule = MockClient(b).add_fault(target="webhook", match={"org": key, "event": "kustomer.customer.*"},
                                       action="drop", times=1)
        headers = {"Authorization": f"Bearer {key}"}
        made = [requests.post(f"{a}/v1/customers", headers=headers, json={"name": f"n{n}"}, timeout=30).json()
                for n in range(3)]
        for customer in made:
            rv = requests.put(f"{b}/v1/customers/{customer['data']['id']}", headers=headers,
                              json={"name": "renamed"}, timeout=30)
            assert rv.status_code == 200, rv.text
        deadline = time.monotonic() + 30
        while len(receiver.received()) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r["hits"] for r in MockClient(a).faults() if r["id"] == rule["id"]] == [1]
        assert len(receiver.received()) == 5


def test_the_shared_journal_keeps_journal_size_entries_for_every_process(redis_url):
    apps = [create_app({"TESTING": True, "STORE": redis_url, "JOURNAL_SIZE": 3}).test_client() for _ in range(2)]
    key = f"control-key-{next(_keys)}"
    for n in range(5):
        apps[n % 2].post("/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"})
    for app in apps:
        entries = app.get("/__admin/requests").json["requests"]
        assert [e["operation"] for e in entries] == ["start"] * 3
        assert [e["id"] for e in entries] == list(range(entries[0]["id"], entries[0]["id"] + 3))


@pytest.mark.parametrize("headers", [{"Authorization": "Bearer {key}"}, {}], ids=["with a key", "without a key"])
def test_a_fault_added_on_a_acts_on_the_next_call_on_b(four, key, headers):
    # with a key the rules' version rides in the org's read; without one it is read on its own
    rule = MockClient(four[0]).add_fault(match={"path": "/c/v1/tracking/tokens"}, respond={"status": 418}, times=1)
    sent = {name: value.format(key=key) for name, value in headers.items()}
    rv = requests.post(f"{four[1]}/c/v1/tracking/tokens", headers=sent, timeout=30)
    assert rv.status_code == 418 and rv.headers["x-kustomer-mock-fault"] == rule["id"]
    rv = requests.post(f"{four[2]}/c/v1/tracking/tokens", headers=sent, timeout=30)
    assert rv.status_code == (200 if headers else 401)

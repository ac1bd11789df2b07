"""Outbound webhooks on the redis store: two real `serve` processes share registrations and deliver each event once."""
from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mock_server.domain.clock import Clock
from mock_server.domain.fixtures import Fixtures
from mock_server.store import make_store, redis_webhooks
from mock_server.testing import WebhookReceiver
from mock_server.webhooks.capture import queue
from mock_server.testing.redisserver import redis_server
from mock_server.testing.serve import spawn_serve, stop_serve, wait_listening

FROZEN = "2031-05-06T07:08:09.000Z"
CREATE = "kustomer.customer.create"
_keys = itertools.count(1)


@pytest.fixture
def key():
    """A key (an org) no other test of the module uses."""
    return f"redis-webhooks-{next(_keys)}"


@pytest.fixture
def receiver():
    """A real local receiver."""
    with WebhookReceiver() as found:
        yield found


def _call(method: str, url: str, key: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, url + path, headers={"Authorization": f"Bearer {key}"}, timeout=30, **kwargs)


def _register(url: str, key: str, receiver: WebhookReceiver, events=(CREATE,)) -> str:
    """A webhook of `key`'s org for `receiver`, made over REST on `url`: its id (the receiver learns the token)."""
    rv = _call("POST", url, key, "/v1/outbound-webhooks", json={"name": "backend", "url": receiver.url,
                                                                 "events": list(events)})
    assert rv.status_code == 201, rv.text
    receiver.token = rv.json()["data"]["attributes"]["token"]
    return rv.json()["data"]["id"]


def _customer(url: str, key: str, name: str = "Ada") -> str:
    rv = _call("POST", url, key, "/v1/customers", json={"name": name})
    assert rv.status_code == 201, rv.text
    return rv.json()["data"]["id"]


def _freeze(urls, key: str, at: str) -> None:
    """The org's clock at `at` (shared by every process; each is asked, which changes nothing more)."""
    for url in urls:
        rv = requests.post(f"{url}/__admin/clock", params={"org": key}, json={"freeze": at}, timeout=30)
        assert rv.status_code == 200, rv.text


def _attempts(url: str, key: str, count: int, **filters) -> list[dict]:
    """The org's delivery log read on `url`, once it holds `count` attempts."""
    deadline = time.monotonic() + 20
    while True:
        found = requests.get(f"{url}/__admin/webhooks/deliveries", params={"org": key, **filters},
                             timeout=30).json()["deliveries"]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_registered_on_a_a_write_on_b_is_delivered_once_signed(two, key, receiver):
    a, b = two
    webhook_id = _register(a, key, receiver)
    assert [w["id"] for w in _call("GET", b, key, "/v1/outbound-webhooks").json()["data"]] == [webhook_id]
    customer_id = _customer(b, key)
    got = receiver.wait_for(CREATE, id=customer_id, timeout=20)   # the signature is checked
    assert got.signature_valid
    _customer(a, key, "marker")   # delivered after the first on this endpoint: no repeat came before it
    receiver.wait_for(CREATE, timeout=20)
    assert [e.data["id"] for e in receiver.received()][0] == customer_id
    assert len(receiver.received()) == 2


def test_twenty_writes_over_a_and_b_are_twenty_deliveries(two, key, receiver):
    a, b = two
    _register(b, key, receiver)
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda i: _customer((a, b)[i % 2], key, f"customer {i}"), range(20)))
    for customer_id in made:
        receiver.wait_for(CREATE, id=customer_id, timeout=30)
    attempts = _attempts(a, key, 20)
    got = receiver.received()
    assert sorted(e.data["id"] for e in got) == sorted(made)
    assert len({e.id for e in got}) == 20   # twenty distinct event ids, none repeated across processes
    assert [a["outcome"] for a in attempts] == ["delivered"] * 20


def test_a_failing_receiver_is_retried_once_per_step_on_the_org_clock(two, key, receiver):
    a, b = two
    _freeze(two, key, FROZEN)
    _register(a, key, receiver)
    receiver.answer(500, times=2)
    customer_id = _customer(a, key)
    first = receiver.wait_for(CREATE, answered=500, id=customer_id, timeout=20)
    steps = [("2031-05-06T07:09:09.000Z", 500), ("2031-05-06T07:10:09.000Z", 200)]   # +1 min, then +1 more
    for at, status in steps:
        assert len(_attempts(b, key, len(receiver.received()))) == len(receiver.received())
        _freeze((b, a), key, at)
        again = receiver.wait_for(CREATE, answered=status, timeout=20)
        assert (again.id, again.body) == (first.id, first.body)
    attempts = _attempts(b, key, 3)
    assert [(x["attempt"], x["status"], x["outcome"]) for x in attempts] == [
        (1, 500, "failed"), (2, 500, "failed"), (3, 200, "delivered")]
    assert [x["nextRetryAt"] for x in attempts] == ["2031-05-06T07:09:09.000Z", "2031-05-06T07:10:09.000Z", None]
    _freeze(two, key, "2031-05-06T09:00:00.000Z")   # long past every retry: nothing more goes
    _customer(b, key, "marker")
    receiver.wait_for(CREATE, answered=200, timeout=20)
    assert len(receiver.received()) == 4


def test_a_retry_pending_when_its_process_stops_is_delivered_by_the_other(redis_url, key, receiver):
    processes = [spawn_serve("--port", "0", "--quiet", "--store", redis_url) for _ in range(2)]
    a, b = [wait_listening(process) for process in processes]
    try:
        _freeze((a, b), key, FROZEN)
        _register(a, key, receiver)
        receiver.answer(500, times=1)
        failed = receiver.wait_for(CREATE, answered=500, id=_customer(a, key), timeout=20)
        assert _attempts(b, key, 1)[0]["outcome"] == "failed"
        assert "kustomer-mock stopped" in stop_serve(processes[0])
        _freeze((b,), key, "2031-05-06T07:09:09.000Z")
        retried = receiver.wait_for(CREATE, answered=200, timeout=20)
        assert (retried.id, retried.body) == (failed.id, failed.body)
        assert [x["attempt"] for x in _attempts(b, key, 2)] == [1, 2]
    finally:
        for process in processes:
            if process.poll() is None:
                stop_serve(process)


def test_an_attempt_cut_off_by_a_killed_process_is_made_again_by_the_other(redis_url, key, receiver):
    processes = [spawn_serve("--port", "0", "--quiet", "--store", redis_url)]
    a = wait_listening(processes[0])
    try:
        _freeze((a,), key, FROZEN)
        _register(a, key, receiver)
        receiver.hold()
        customer_id = _customer(a, key)
        receiver.wait_holding(1, timeout=20)   # A's attempt hangs at the receiver
        processes.append(spawn_serve("--port", "0", "--quiet", "--store", redis_url))   # B: A holds the claim
        b = wait_listening(processes[1])
        processes[0].kill()
        processes[0].wait(timeout=10)
        processes[0].stdout.close()
        receiver.wait_holding(2, timeout=30)   # A's claim ran out: B makes the attempt again
        receiver.release()
        got = [receiver.wait_for(CREATE, id=customer_id, timeout=20) for _ in range(2)]
        assert got[0].id == got[1].id
        assert [(x["attempt"], x["outcome"]) for x in _attempts(b, key, 1)] == [(1, "delivered")]
    finally:
        receiver.release()
        for process in processes:
            if process.poll() is None:
                stop_serve(process)


def test_an_export_on_a_carries_a_pending_retry_that_b_sends_after_an_import(two, key, receiver):
    a, b = two
    _freeze(two, key, FROZEN)
    _register(a, key, receiver)
    receiver.answer(500, times=1)
    failed = receiver.wait_for(CREATE, answered=500, id=_customer(a, key), timeout=20)
    _attempts(a, key, 1)
    document = requests.get(f"{a}/__admin/state", timeout=30).json()
    [exported] = [o for o in document["orgs"] if o["name"] == key]
    assert [(p["event_id"], p["attempts"]) for p in exported["webhook_outbox"]["pending"]] == [(failed.id, 1)]
    assert [w["token"] for w in exported["webhooks"]] == [receiver.token]
    assert requests.put(f"{b}/__admin/state", json=document, timeout=60).status_code == 200
    assert _call("GET", a, key, "/v1/outbound-webhooks").json()["data"][0]["attributes"]["token"] == receiver.token
    _freeze(two, key, "2031-05-06T07:09:09.000Z")
    retried = receiver.wait_for(CREATE, answered=200, timeout=20)
    assert (retried.id, retried.body) == (failed.id, failed.body)
    assert [x["attempt"] for x in _attempts(a, key, 2)] == [1, 2]


def test_the_transactions_and_the_log_on_b_show_a_s_attempts(two, key, receiver):
    a, b = two
    webhook_id = _register(a, key, receiver)
    customer_id = _customer(a, key)
    receiver.wait_for(CREATE, id=customer_id, timeout=20)
    _attempts(b, key, 1)
    rv = _call("GET", b, key, f"/v1/outbound-webhooks/{webhook_id}/transactions")
    assert rv.status_code == 200, rv.text
    assert [(t["webhookId"], t["outcome"], t["attempt"]) for t in rv.json()["data"]] == [(webhook_id, "delivered", 1)]
    assert rv.json()["data"] == _call("GET", a, key, f"/v1/outbound-webhooks/{webhook_id}/transactions").json()["data"]


def test_an_event_of_a_is_redelivered_from_b(two, key, receiver):
    a, b = two
    _register(a, key, receiver)
    first = receiver.wait_for(CREATE, id=_customer(a, key), timeout=20)
    rv = requests.post(f"{b}/__admin/orgs/{key}/webhooks/events/{first.id}/redeliver", json={}, timeout=30)
    assert (rv.status_code, rv.json()) == (202, {"eventId": first.id, "queued": 1})
    again = receiver.wait_for(CREATE, timeout=20)
    assert (again.id, again.body) == (first.id, first.body)
    assert [x["redelivery"] for x in _attempts(a, key, 2)] == [False, True]


def test_a_delete_on_b_stops_a_s_deliveries_and_retries(two, key, receiver):
    a, b = two
    _freeze(two, key, FROZEN)
    webhook_id = _register(a, key, receiver)
    receiver.answer(500)
    receiver.wait_for(CREATE, answered=500, id=_customer(a, key), timeout=20)
    _attempts(a, key, 1)
    assert _call("DELETE", b, key, f"/v1/outbound-webhooks/{webhook_id}").status_code == 204
    assert _call("GET", a, key, "/v1/outbound-webhooks").json()["data"] == []
    with WebhookReceiver() as other:
        _register(b, key, other)
        _freeze(two, key, "2031-05-06T09:00:00.000Z")   # every retry of the deleted one would be due
        marker = _customer(a, key, "marker")
        other.wait_for(CREATE, id=marker, timeout=20)
        time.sleep(1.5)   # two rounds of every dispatcher
    assert len(receiver.received()) == 1
    assert [x["webhookId"] for x in _attempts(b, key, 2)] == [webhook_id, other_id(b, key)]


def other_id(url: str, key: str) -> str:
    """The id of the org's only webhook."""
    [only] = _call("GET", url, key, "/v1/outbound-webhooks").json()["data"]
    return only["id"]


def test_changes_on_one_process_are_the_same_webhook_on_the_other(two, key, receiver):
    a, b = two
    rv = requests.post(f"{a}/__admin/orgs/{key}/webhooks", timeout=30, json={
        "name": "admin", "url": receiver.url, "events": [CREATE], "token": "s" * 20})
    assert rv.status_code == 201, rv.text
    webhook_id = rv.json()["id"]
    changed = _call("PATCH", b, key, f"/v1/outbound-webhooks/{webhook_id}", json={"name": "renamed", "enabled": False})
    assert changed.status_code == 200, changed.text
    seen = _call("GET", a, key, f"/v1/outbound-webhooks/{webhook_id}").json()["data"]["attributes"]
    assert (seen["name"], seen["enabled"], seen["token"]) == ("renamed", False, "s" * 20)
    listed = requests.get(f"{b}/__admin/webhooks", params={"org": key}, timeout=30).json()["webhooks"]
    assert [(w["id"], w["source"], w["pending"]) for w in listed] == [(webhook_id, "admin", 0)]


def test_five_webhooks_per_org_across_processes(two, key, receiver):
    a, b = two
    body = {"name": "n", "url": receiver.url, "events": [CREATE]}
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: _call("POST", (a, b)[i % 2], key, "/v1/outbound-webhooks", json=body),
                                range(8)))
    assert sorted(rv.status_code for rv in answers) == [201] * 5 + [409] * 3
    assert {rv.json()["errors"][0]["code"] for rv in answers if rv.status_code == 409} == {"webhook_limit_reached"}
    made = {rv.json()["data"]["id"] for rv in answers if rv.status_code == 201}
    for url in two:
        assert {w["id"] for w in _call("GET", url, key, "/v1/outbound-webhooks").json()["data"]} == made


def test_a_reset_on_b_drops_a_s_webhooks_pending_retries_and_log(two, key, receiver):
    a, b = two
    _freeze(two, key, FROZEN)
    _register(a, key, receiver)
    receiver.answer(500)
    receiver.wait_for(CREATE, answered=500, id=_customer(a, key), timeout=20)
    _attempts(a, key, 1)
    assert requests.post(f"{b}/__admin/reset", params={"org": key}, timeout=30).status_code in (200, 204)
    assert _call("GET", a, key, "/v1/outbound-webhooks").json()["data"] == []
    assert _attempts(a, key, 0) == []
    with WebhookReceiver() as other:
        _register(a, key, other)
        _freeze(two, key, "2031-05-06T09:00:00.000Z")   # the dropped retries would all be due
        other.wait_for(CREATE, id=_customer(b, key, "marker"), timeout=20)
        time.sleep(1.5)   # two rounds of every dispatcher
    assert len(receiver.received()) == 1


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own: no `serve` process of another test takes its deliveries."""
    with redis_server(tmp_path) as server:
        yield server.url


@pytest.fixture(params=["memory", "redis"])
def outbox_org(request, key):
    """An org of the memory store or of the redis store, with two webhooks (never sent to: the test drives)."""
    store = make_store(request.getfixturevalue("own_redis") if request.param == "redis" else "memory",
                       Fixtures.load(None), 1, Clock())
    org = store.org(key)
    org.clock.freeze()
    for name in ("one", "two"):
        org.webhooks.create({"name": name, "url": "http://127.0.0.1:9/hook", "events": [CREATE]})
    yield org
    store.close()


def _taken(org, now: float, busy: set = frozenset()) -> list[tuple[str, str]]:
    return [(d.event_id, d.webhook_id) for d in _take(org, now, busy)]


def _take(org, now: float, busy: set = frozenset()) -> list:
    """What the dispatcher takes at `now` (`busy`: the webhooks it has an attempt under way to), first webhook first."""
    return sorted(org.webhooks.outbox.take_due(now, set(busy)), key=lambda d: d.webhook_id != _ids(org)[0])


def _ids(org) -> list[str]:
    return [w.id for w in org.webhooks.list()]


def test_both_outboxes_order_hold_retry_and_cancel_alike(outbox_org):
    org, outbox = outbox_org, outbox_org.webhooks.outbox
    one, two = _ids(org)
    now = org.clock.timestamp()
    for event, targets in (("e1", [one, two]), ("e2", [one]), ("e3", [one])):
        queue(org, {"id": event, "name": CREATE, "body": "{}", "webhookIds": targets}, targets)
    assert outbox.count() == 4 and outbox.count(one) == 3
    first = _take(org, now)
    assert [(d.event_id, d.webhook_id) for d in first] == [("e1", one), ("e1", two)]
    assert _taken(org, now, busy={one, two}) == []   # an attempt is under way to each endpoint
    outbox.hold(first[0], {"outcome": "held"})   # a reorder fault: e1 goes after e2
    outbox.finish(first[1], {"outcome": "delivered"}, retry=False)
    [second] = _take(org, now)
    assert (second.event_id, outbox.count(one)) == ("e2", 2)
    outbox.finish(second, {"outcome": "delivered"}, retry=False)
    [third] = _take(org, now)
    assert third.event_id == "e3"   # held, e1 was queued again after e3
    outbox.finish(third, {"outcome": "delivered"}, retry=False)
    [held] = _take(org, now)
    held.attempts += 1
    outbox.finish(held, {"outcome": "failed"}, retry=True)
    assert _taken(org, now + 59) == [] and outbox.next_due() == now + 60
    [retried] = _take(org, now + 60)
    assert (retried.event_id, retried.attempts, retried.body) == ("e1", 1, "{}")
    outbox.finish(retried, {"outcome": "failed"}, retry=True)
    assert outbox.cancel(one) == 1 and outbox.count() == 0
    assert [(e["id"], e["outcome"]) for e in outbox.attempts()] == [
        (1, "held"), (2, "delivered"), (3, "delivered"), (4, "delivered"), (5, "failed"), (6, "failed")]
    assert list(outbox.events) == ["e1", "e2", "e3"]


def test_a_claim_keeps_other_processes_off_the_endpoint_until_it_ends_or_its_lease_lapses(own_redis, key, monkeypatch):
    fixtures = Fixtures.load(None)
    one, other = (make_store(own_redis, fixtures, 1, Clock()) for _ in range(2))
    try:
        org = one.org(key)
        org.clock.freeze()
        webhook = org.webhooks.create({"name": "one", "url": "http://127.0.0.1:9/hook", "events": [CREATE]}).id
        for event in ("e1", "e2", "e3"):
            queue(org, {"id": event, "name": CREATE, "body": "{}", "webhookIds": [webhook]}, [webhook])
        elsewhere = other.org(key)
        now = org.clock.timestamp()
        [first] = org.webhooks.outbox.take_due(now, set())
        assert elsewhere.webhooks.outbox.take_due(now, set()) == []   # claimed by the other process
        org.webhooks.outbox.finish(first, {"outcome": "delivered"}, retry=False)
        [second] = elsewhere.webhooks.outbox.take_due(now, set())
        assert second.event_id == "e2"
        monkeypatch.setattr(redis_webhooks, "LEASE_SECONDS", 0.05)
        elsewhere.webhooks.outbox.finish(second, {"outcome": "delivered"}, retry=False)
        [third] = elsewhere.webhooks.outbox.take_due(now, set())
        time.sleep(0.2)   # the process that claimed it neither renews nor finishes: its lease lapses
        [again] = org.webhooks.outbox.take_due(now, set())
        assert (third.event_id, again.event_id) == ("e3", "e3")
        elsewhere.webhooks.outbox.finish(third, {"outcome": "delivered"}, retry=False)   # too late: not ours now
        org.webhooks.outbox.finish(again, {"outcome": "delivered"}, retry=False)
        assert [e["id"] for e in org.webhooks.outbox.attempts()] == [1, 2, 3]
        assert org.webhooks.outbox.count() == 0
    finally:
        one.close(), other.close()

"""Outbound webhooks over real sockets: the session's waitress mock posts to a local receiver."""
from __future__ import annotations

import json
import time

import pytest
import yaml

from mock_server import create_app
from mock_server.client import MockClient
from mock_server.domain.fixtures import default_dir
from mock_server.serving import ServerThread
from mock_server.testing import MockOrg
from mock_server.testing import WebhookReceiver

FROZEN = "2031-05-06T07:08:09.000Z"


def _conversation(kustomer_mock, message="Where is my order?") -> tuple:
    customer = kustomer_mock.customer()
    return customer, customer.create_conversation(message)["conversationId"]


def test_a_widget_conversation_reaches_the_receiver_signed_as_get_returns_it(kustomer_mock, kustomer_webhooks):
    _, conversation_id = _conversation(kustomer_mock)
    got = kustomer_webhooks.wait_for("kustomer.conversation.create", id=conversation_id)
    assert got.headers.get("X-Kustomer-Webhook-Event") == "kustomer.conversation.create"
    assert got.headers.get("Content-Type") == "application/json"
    assert got.event["changes"] is None and got.event["dataId"] == conversation_id
    assert got.event["org"] == got.event["partition"]
    fetched = kustomer_mock.call("GET", f"/v1/conversations/{conversation_id}")["data"]
    assert got.data == fetched
    message = kustomer_webhooks.wait_for("kustomer.message.create")
    assert message.data["attributes"]["body"] == "Where is my order?"
    assert [e.name for e in kustomer_webhooks.received()] == [   # one endpoint: in the order they were made
        "kustomer.customer.create", "kustomer.conversation.create", "kustomer.message.create"]


def test_events_come_from_rest_and_the_server_chat_api_with_their_changes(kustomer_mock, kustomer_webhooks):
    created = kustomer_mock.call("POST", "/v1/customers", {"name": "Ada", "emails": [{"email": "ada@example.com"}]})
    customer_id = created["data"]["id"]
    kustomer_webhooks.wait_for("kustomer.customer.create", id=customer_id)
    kustomer_mock.call("PUT", f"/v1/customers/{customer_id}", {"name": "Ada Lovelace"})
    update = kustomer_webhooks.wait_for("kustomer.customer.update", id=customer_id)
    assert update.event["changes"]["attributes"]["name"] == {"op": "replace", "before": "Ada", "after": "Ada Lovelace"}
    _, conversation_id = _conversation(kustomer_mock)
    kustomer_mock.agent_reply(conversation_id, "Let me check.")
    replies = [kustomer_webhooks.wait_for("kustomer.message.create") for _ in range(2)]
    assert [r.data["attributes"]["direction"] for r in replies] == ["in", "out"]


def test_a_500_is_retried_when_the_clock_reaches_the_retry_with_the_same_event_id(kustomer_mock, kustomer_webhooks):
    kustomer_mock.clock.freeze(FROZEN)
    kustomer_webhooks.answer(500, times=1, event="kustomer.conversation.create")
    _, conversation_id = _conversation(kustomer_mock)
    failed = kustomer_webhooks.wait_for("kustomer.conversation.create", answered=500)
    first = _attempts(kustomer_mock, failed.id, count=1)[0]
    assert (first["status"], first["outcome"], first["nextRetryAt"]) == (500, "failed", "2031-05-06T07:09:09.000Z")
    kustomer_mock.clock.advance(60)
    retried = kustomer_webhooks.wait_for("kustomer.conversation.create", answered=200)
    assert retried.id == failed.id and retried.body == failed.body and retried.data["id"] == conversation_id
    second = _attempts(kustomer_mock, failed.id, count=2)[1]
    assert (second["attempt"], second["status"], second["outcome"]) == (2, 200, "delivered")


def test_nothing_is_retried_before_the_clock_gets_there(kustomer_mock, kustomer_webhooks):
    kustomer_mock.clock.freeze(FROZEN)
    kustomer_webhooks.answer(500, event="kustomer.conversation.create")
    _conversation(kustomer_mock)
    failed = kustomer_webhooks.wait_for("kustomer.conversation.create", answered=500)
    kustomer_mock.clock.advance(59)
    kustomer_mock.customer().create_conversation("a later event")   # goes out; the retry is not due yet
    kustomer_webhooks.wait_for("kustomer.conversation.create", answered=500)
    assert [e["attempt"] for e in _attempts(kustomer_mock, failed.id, count=1)] == [1]


def test_an_endpoint_that_keeps_failing_is_retried_on_the_schedule_then_disabled(kustomer_mock, kustomer_webhooks):
    kustomer_mock.clock.freeze(FROZEN)
    kustomer_webhooks.answer(503)
    kustomer_mock.call("POST", "/v1/customers", {"name": "Grace"})
    failed = kustomer_webhooks.wait_for("kustomer.customer.create", answered=503)
    kustomer_mock.clock.advance(65 * 60)
    attempts = _attempts(kustomer_mock, failed.id, count=8)
    assert [a["scheduledAt"][11:19] for a in attempts] == [
        "07:08:09", "07:09:09", "07:10:09", "07:12:09", "07:17:09", "07:27:09", "07:42:09", "08:12:09"]
    assert attempts[-1]["webhookDisabled"] is True and attempts[-1]["nextRetryAt"] is None
    webhook = kustomer_mock.call("GET", f"/v1/outbound-webhooks/{kustomer_webhooks.webhook_id}")["data"]
    assert (webhook["attributes"]["enabled"], webhook["attributes"]["disabledReason"]) == (False, "failures")
    assert len({e.id for e in kustomer_webhooks.received()}) == 1


def test_a_duplicate_fault_delivers_twice(kustomer_mock, kustomer_webhooks):
    kustomer_mock.faults.add(target="webhook", match={"event": "kustomer.conversation.create"}, action="duplicate",
                             times=1)
    _conversation(kustomer_mock)
    first = kustomer_webhooks.wait_for("kustomer.conversation.create")
    second = kustomer_webhooks.wait_for("kustomer.conversation.create")
    assert first.id == second.id and first.body == second.body
    assert [a["duplicate"] for a in _attempts(kustomer_mock, first.id, count=2)] == [False, True]


def test_a_reorder_fault_lets_the_next_event_overtake(kustomer_mock, kustomer_webhooks):
    kustomer_mock.faults.add(target="webhook", match={"event": "kustomer.conversation.create"}, action="reorder",
                             times=1)
    _conversation(kustomer_mock)
    kustomer_webhooks.wait_for("kustomer.conversation.create")
    names = [e.name for e in kustomer_webhooks.received() if e.name != "kustomer.customer.create"]
    assert names == ["kustomer.message.create", "kustomer.conversation.create"]


def test_a_drop_fault_loses_the_event_and_a_fail_fault_is_retried(kustomer_mock, kustomer_webhooks):
    kustomer_mock.clock.freeze(FROZEN)
    kustomer_mock.faults.add(target="webhook", match={"event": "kustomer.message.*"}, action="drop")
    kustomer_mock.faults.add(target="webhook", match={"event": "kustomer.conversation.create",
                                                      "endpoint": "http://127.0.0.1:*"}, respond={"status": 502}, times=1)
    _conversation(kustomer_mock)
    dropped = _wait_log(kustomer_mock, event="kustomer.message.create", outcome="dropped")
    failed = _wait_log(kustomer_mock, event="kustomer.conversation.create", outcome="failed")
    assert failed[0]["status"] == 502 and failed[0]["fault"] and dropped[0]["fault"]
    assert kustomer_webhooks.received("kustomer.conversation.create") == []   # a fail fault sends nothing
    kustomer_mock.clock.advance(60)
    assert kustomer_webhooks.wait_for("kustomer.conversation.create").id == failed[0]["eventId"]


def test_deleting_the_webhook_stops_its_deliveries_and_retries(kustomer_mock, kustomer_webhooks):
    kustomer_mock.clock.freeze(FROZEN)
    kustomer_webhooks.answer(500)
    _conversation(kustomer_mock)
    failed = kustomer_webhooks.wait_for("kustomer.conversation.create", answered=500)
    kustomer_webhooks.wait_for("kustomer.message.create", answered=500)
    kustomer_mock.call("DELETE", f"/v1/outbound-webhooks/{kustomer_webhooks.webhook_id}")
    kustomer_mock.clock.advance(2 * 3600)
    _conversation(kustomer_mock, "after the delete")
    # a second receiver, registered after the delete, proves the worker ran past both events
    with WebhookReceiver() as other:
        kustomer_mock.admin.add_webhook(kustomer_mock.key, other.url, ["kustomer.customer.create"], token="s" * 16)
        other.token = "s" * 16
        kustomer_mock.customer()
        other.wait_for("kustomer.customer.create")
    assert [e.id for e in kustomer_webhooks.received("kustomer.conversation.create")] == [failed.id]
    assert [a["attempt"] for a in _attempts(kustomer_mock, failed.id, count=1)] == [1]
    assert kustomer_mock.admin.webhooks(kustomer_mock.key)[0]["pending"] == 0


def test_a_hanging_receiver_never_holds_up_a_request(kustomer_mock, kustomer_webhooks):
    kustomer_webhooks.hold()
    customer, _ = _conversation(kustomer_mock)
    kustomer_webhooks.wait_holding(1)   # the first delivery now hangs at the receiver
    second = customer.create_conversation("while the endpoint hangs")   # answered all the same
    assert kustomer_webhooks.received() == [] and kustomer_webhooks.holding == 1
    kustomer_webhooks.release()
    kustomer_webhooks.wait_for("kustomer.conversation.create")
    kustomer_webhooks.wait_for("kustomer.conversation.create", id=second["conversationId"])


def test_the_log_shows_every_attempt_and_a_replay_resends_one_event(kustomer_mock, kustomer_webhooks):
    kustomer_mock.clock.freeze(FROZEN)
    kustomer_webhooks.answer(500, times=1, event="kustomer.conversation.create")
    _, conversation_id = _conversation(kustomer_mock)
    first = kustomer_webhooks.wait_for("kustomer.conversation.create", answered=500)
    kustomer_mock.clock.advance(60)
    kustomer_webhooks.wait_for("kustomer.conversation.create", answered=200)
    assert kustomer_mock.redeliver(first.id) == {"eventId": first.id, "queued": 1}
    replayed = kustomer_webhooks.wait_for("kustomer.conversation.create", id=conversation_id)
    assert replayed.id == first.id and replayed.body == first.body
    log = _attempts(kustomer_mock, first.id, count=3)
    assert [(a["attempt"], a["status"], a["redelivery"]) for a in log] == [(1, 500, False), (2, 200, False),
                                                                          (1, 200, True)]
    assert all(a["url"] == kustomer_webhooks.url and a["durationMs"] >= 0 for a in log)
    transactions = kustomer_mock.call("GET", f"/v1/outbound-webhooks/{kustomer_webhooks.webhook_id}/transactions")
    assert [t["id"] for t in transactions["data"] if t["eventId"] == first.id] == [a["id"] for a in log[::-1]]


def test_custom_headers_are_sent_and_the_body_is_what_was_signed(kustomer_mock):
    with WebhookReceiver() as receiver:
        created = kustomer_mock.call("POST", "/v1/outbound-webhooks", {
            "name": "with headers", "url": receiver.url, "events": ["kustomer.customer.create"],
            "headers": [{"name": "X-Team", "value": "payments"}]})["data"]
        receiver.token = created["attributes"]["token"]
        kustomer_mock.customer()
        got = receiver.wait_for("kustomer.customer.create")
    assert got.headers.get("X-Team") == "payments"
    assert json.loads(got.body) == got.event


def _attempts(kustomer_mock, event_id: str, count: int) -> list[dict]:
    return _wait_log(kustomer_mock, event_id=event_id, count=count)


def _wait_log(kustomer_mock, count: int = 1, **filters) -> list[dict]:
    """The delivery log entries matching `filters`, once there are `count` of them (attempts end after the POST)."""
    deadline = time.monotonic() + 10
    while True:
        found = kustomer_mock.webhook_deliveries(**filters)
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) >= count, found
            return found
        time.sleep(0.05)


def test_the_flaky_webhooks_scenario_still_delivers_every_event_at_least_once(kustomer_mock, kustomer_webhooks):
    scenario = yaml.safe_load((default_dir() / "faults" / "flaky-webhooks.yaml").read_text())
    added = [kustomer_mock.faults.add(rule)["id"] for rule in scenario["faults"]]
    kustomer_mock.clock.freeze(FROZEN)
    created = {kustomer_mock.call("POST", "/v1/customers", {"name": f"Customer {n}"})["data"]["id"] for n in range(12)}
    kustomer_mock.clock.advance(3600)   # every retry is due, every held delivery released
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        delivered = {e.data["id"] for e in kustomer_webhooks.received("kustomer.customer.create") if e.answered == 200}
        if created <= delivered:
            break
        time.sleep(0.05)
    assert created <= delivered
    hits = {rule["id"]: rule["hits"] for rule in kustomer_mock.admin.faults() if rule["id"] in added}
    assert sum(hits.values()) > 0


def test_the_flaky_webhooks_scenario_loads_by_name(kustomer_mock):
    loaded = kustomer_mock.admin.load_scenario("flaky-webhooks")
    try:
        assert {rule.get("target") for rule in loaded} == {"webhook"}
    finally:
        for rule in loaded:
            kustomer_mock.admin.remove_fault(rule["id"])


@pytest.fixture(scope="module")
def impatient():
    """A mock of this module's own whose deliveries time out after 0.3 s."""
    with ServerThread(create_app({"WEBHOOK_TIMEOUT": 0.3}), kind="waitress") as served:
        yield served


def test_an_answer_slower_than_the_timeout_is_a_failure_and_retried(impatient):
    org = MockOrg(impatient.url, "timeout-key", MockClient(impatient.url))
    with WebhookReceiver() as receiver:
        org.clock.freeze(FROZEN)
        org.admin.add_webhook(org.key, receiver.url, ["kustomer.customer.create"], token="slow-secret")
        receiver.token = "slow-secret"
        receiver.answer(200, delay=1.0, times=1)
        org.call("POST", "/v1/customers", {"name": "Ada"})
        slow = receiver.wait_for("kustomer.customer.create")
        failed = _wait_log(org, outcome="failed")[0]
        assert (failed["status"], failed["error"], failed["nextRetryAt"]) == (None, "timeout", "2031-05-06T07:09:09.000Z")
        org.clock.advance(60)
        assert receiver.wait_for("kustomer.customer.create").id == slow.id
        org.clock.resume()

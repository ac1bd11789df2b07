"""Webhooks in the state: export and import carry webhooks and pending retries; reset and fixtures."""
from __future__ import annotations

import time

import pytest

from mock_server import create_app
from mock_server.client import MockClient
from mock_server.domain.fixtures import FixtureError
from mock_server.testing import MockOrg
from mock_server.testing import WebhookReceiver

FROZEN = "2031-05-06T07:08:09.000Z"
SECRET = "a-secret-of-ci"


def _org(served, key="state-key") -> MockOrg:
    return MockOrg(served.url, key, MockClient(served.url))


def _failed_once(org: MockOrg, count: int = 1) -> list[dict]:
    deadline = time.monotonic() + 10
    while True:
        failed = org.webhook_deliveries(outcome="failed")
        if len(failed) >= count or time.monotonic() > deadline:
            return failed
        time.sleep(0.05)


def test_export_and_import_carry_webhooks_and_a_pending_retry_sent_later_with_the_same_id(server):
    org = _org(server)
    with WebhookReceiver() as receiver:
        receiver.token = SECRET
        org.clock.freeze(FROZEN)
        try:
            org.admin.add_webhook(org.key, receiver.url, ["kustomer.customer.create"], token=SECRET)
            receiver.answer(500)
            org.call("POST", "/v1/customers", {"name": "Ada"})
            failed = receiver.wait_for("kustomer.customer.create", answered=500)
            _failed_once(org)
            document = org.admin.export_state()
            exported = next(o for o in document["orgs"] if o["name"] == org.key)
            assert [(p["event_id"], p["attempts"]) for p in exported["webhook_outbox"]["pending"]] == [(failed.id, 1)]
            org.admin.reset()
            assert org.admin.webhooks() == []     # reset: back to the fixtures, which declare none
            receiver.answer(200)
            org.admin.import_state(document)
            assert [w["token"] for w in org.admin.webhooks(org.key)] == [SECRET]
            assert org.clock.now() == FROZEN       # the org's own frozen clock came back with it
            assert len(receiver.received()) == 1   # importing records emits nothing
            org.clock.advance(60)
            retried = receiver.wait_for("kustomer.customer.create", answered=200)
            assert (retried.id, retried.body) == (failed.id, failed.body)
            assert len(receiver.received()) == 2
        finally:
            org.clock.resume()
            org.admin.reset()


def test_fixtures_declare_webhooks_for_every_org_and_reset_brings_them_back(tmp_path):
    (tmp_path / "webhooks.yaml").write_text(
        "webhooks:\n  - {name: ci backend, url: 'http://127.0.0.1:9/hook', token: fixture-secret,"
        " events: [kustomer.conversation.create]}\n")
    app = create_app({"TESTING": True, "FIXTURES": str(tmp_path)})
    client = app.test_client()
    headers = {"Authorization": "Bearer fixture-key"}
    listed = client.get("/v1/outbound-webhooks", headers=headers).json["data"]
    assert [(w["attributes"]["name"], w["attributes"]["source"], w["attributes"]["token"]) for w in listed] == [
        ("ci backend", "fixtures", "fixture-secret")]
    client.delete(f"/v1/outbound-webhooks/{listed[0]['id']}", headers=headers)
    client.post("/__admin/reset")
    assert len(client.get("/v1/outbound-webhooks", headers=headers).json["data"]) == 1


@pytest.mark.parametrize(("yaml", "problem"), [
    ("webhooks:\n  - {name: x, url: 'http://example.com/hook', events: [kustomer.customer.create]}\n", "/url"),
    ("webhooks:\n  - {name: x, url: 'https://example.com/hook', events: [kustomer.nothing]}\n", "events"),
    ("webhooks:\n  - {url: 'https://example.com/hook', events: [kustomer.customer.create]}\n", "name"),
])
def test_broken_fixture_webhooks_stop_the_mock_at_boot(tmp_path, yaml, problem):
    (tmp_path / "webhooks.yaml").write_text(yaml)
    with pytest.raises(FixtureError, match=problem):
        create_app({"TESTING": True, "FIXTURES": str(tmp_path)})

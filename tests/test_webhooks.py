"""REST v1 outbound webhooks: the management API, its limits and errors, and webhook fault rules."""
from __future__ import annotations

import pytest

from mock_server.domain.webhooks import EVENTS
from mock_server.testing.appcalls import Api, org_of

HOOK = {"name": "orders backend", "url": "https://backend.example.com/kustomer", "events": ["kustomer.conversation.create"]}


@pytest.fixture
def api(client, key):
    """REST v1 as the test's key."""
    return Api(client, key)


def test_create_answers_the_resource_with_its_token_and_get_list_update_delete(api):
    created = api.created("/v1/outbound-webhooks", {**HOOK, "headers": [{"name": "X-Team", "value": "orders"}]})
    attributes = created["attributes"]
    assert created["type"] == "outbound_webhook" and len(created["id"]) == 24
    assert (attributes["enabled"], attributes["headers"], len(attributes["token"])) == (
        True, [{"name": "X-Team", "value": "orders"}], 32)
    assert created["links"]["self"] == f"/v1/outbound-webhooks/{created['id']}"
    path = created["links"]["self"]
    assert api.get(path).json["data"] == created
    assert [w["id"] for w in api.get("/v1/outbound-webhooks").json["data"]] == [created["id"]]
    for method in ("PUT", "PATCH"):
        changed = api.call(method, path, {"enabled": False, "events": list(EVENTS[:2])})
        assert changed.status_code == 200
        assert (changed.json["data"]["attributes"]["enabled"], changed.json["data"]["attributes"]["events"]) == (
            False, list(EVENTS[:2]))
    assert api.call("DELETE", path).status_code == 204
    assert api.get(path).status_code == 404


def test_the_subscribable_events(api):
    assert api.get("/v1/outbound-webhooks/events").json == {"events": list(EVENTS)}
    assert len(EVENTS) == 12


@pytest.mark.parametrize(("change", "status", "code", "pointer"), [
    ({"url": "http://backend.example.com/hook"}, 400, "invalid_field", "/url"),
    ({"url": "ftp://127.0.0.1/hook"}, 400, "invalid_field", "/url"),
    ({"url": "not a url"}, 400, "invalid_field", "/url"),
    ({"url": "http://127.0.0.1:9/hook"}, 201, None, None),
    ({"url": "http://10.1.2.3/hook"}, 201, None, None),
    ({"url": "http://localhost:8000/hook"}, 201, None, None),
    ({"url": "http://backend:8000/hook"}, 201, None, None),      # a docker-compose service name
    ({"events": ["kustomer.customer.delete"]}, 400, "invalid_field", "/events/0"),
    ({"events": []}, 400, "invalid_field", "/events"),
    ({"events": [*EVENTS, "kustomer.customer.create"]}, 400, "invalid_field", "/events"),
    ({"name": "x" * 256}, 400, "invalid_field", "/name"),
    ({"headers": [{"name": "X-Kustomer-Webhook-Signature", "value": "forged"}]}, 400, "invalid_field",
     "/headers/0/name"),
    ({"headers": [{"name": f"X-H{i}", "value": "v"} for i in range(11)]}, 400, "invalid_field", "/headers"),
    ({"headers": [{"name": "bad header", "value": "v"}]}, 400, "invalid_field", "/headers/0/name"),
    ({"secret": "mine"}, 400, "unknown_field", "/secret"),
    ({"enabled": "yes"}, 400, "invalid_field", "/enabled"),
])
def test_fields_are_checked(api, change, status, code, pointer):
    rv = api.post("/v1/outbound-webhooks", {**HOOK, **change})
    assert rv.status_code == status, rv.json
    if code:
        assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]["pointer"]) == (code, pointer)


def test_an_org_has_at_most_five_webhooks(api):
    for _ in range(5):
        api.created("/v1/outbound-webhooks", HOOK)
    rv = api.post("/v1/outbound-webhooks", HOOK)
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (409, "webhook_limit_reached")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/outbound-webhooks/5f0c1a2b3c4d5e6f7a8b9e01"),
    ("PATCH", "/v1/outbound-webhooks/5f0c1a2b3c4d5e6f7a8b9e01"),
    ("DELETE", "/v1/outbound-webhooks/5f0c1a2b3c4d5e6f7a8b9e01"),
    ("GET", "/v1/outbound-webhooks/5f0c1a2b3c4d5e6f7a8b9e01/transactions"),
])
def test_unknown_webhooks_are_404(api, method, path):
    rv = api.call(method, path, {"enabled": True} if method == "PATCH" else None)
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")


def test_a_chat_key_gets_403_and_each_org_sees_its_own(client, key):
    chat_key = Api(client, "acme-chat-key")
    rv = chat_key.post("/v1/outbound-webhooks", HOOK)
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (403, "forbidden")
    Api(client, key).created("/v1/outbound-webhooks", HOOK)
    assert Api(client, f"{key}-other").get("/v1/outbound-webhooks").json["data"] == []


def test_the_control_api_declares_lists_and_removes_webhooks(client, key):
    rv = client.post(f"/__admin/orgs/{key}/webhooks", json={**HOOK, "token": "fixed-secret-123"})
    assert rv.status_code == 201
    webhook = rv.json
    assert (webhook["org"], webhook["token"], webhook["source"], webhook["pending"]) == (
        key, "fixed-secret-123", "admin", 0)
    assert [w["id"] for w in client.get("/__admin/webhooks", query_string={"org": key}).json["webhooks"]] == [
        webhook["id"]]
    assert client.delete(f"/__admin/orgs/{key}/webhooks/{webhook['id']}").status_code == 200
    assert client.get("/__admin/webhooks", query_string={"org": key}).json["webhooks"] == []
    rv = client.post(f"/__admin/orgs/{key}/webhooks/events/{'0' * 24}/redeliver", json={})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")


@pytest.mark.parametrize(("rule", "status", "pointer"), [
    ({"target": "webhook", "action": "duplicate", "match": {"event": "kustomer.*"}}, 201, None),
    ({"target": "webhook", "respond": {"status": 500}, "match": {"endpoint": "http://127.0.0.1:*"}}, 201, None),
    ({"target": "webhook", "delayMs": 200}, 201, None),
    ({"target": "webhook"}, 400, "/action"),
    ({"target": "webhook", "action": "explode"}, 400, "/action"),
    ({"target": "webhook", "drop": "reset"}, 400, "/drop"),
    ({"target": "webhook", "action": "drop", "match": {"operation": "createConversation"}}, 400,
     "/match/operation"),
    ({"action": "duplicate"}, 400, "/target"),
    ({"match": {"event": "kustomer.*"}, "respond": {"status": 500}}, 400, "/target"),
    ({"target": "sideways", "action": "drop"}, 400, "/target"),
])
@pytest.mark.private_app
def test_webhook_fault_rules_are_checked(client, rule, status, pointer):
    rv = client.post("/__admin/faults", json=rule)
    assert rv.status_code == status, rv.json
    if pointer:
        assert rv.json["errors"][0]["source"]["pointer"] == pointer


@pytest.mark.private_app
def test_a_webhook_rule_never_faults_a_request(client, chat):
    client.post("/__admin/faults", json={"target": "webhook", "respond": {"status": 500}})
    assert chat.create_conversation(message="hi").status_code == 201


def test_a_redelivery_needs_a_known_event_and_an_enabled_webhook(app, client, key, chat):
    hook = client.post(f"/__admin/orgs/{key}/webhooks", json={**HOOK, "url": "http://127.0.0.1:9/hook"}).json
    chat.new_conversation()
    event_id = next(iter(org_of(app, key).webhooks.outbox.events))
    Api(client, key).call("PATCH", f"/v1/outbound-webhooks/{hook['id']}", {"enabled": False})
    rv = client.post(f"/__admin/orgs/{key}/webhooks/events/{event_id}/redeliver", json={})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (409, "webhook_disabled")
    rv = client.post(f"/__admin/orgs/{key}/webhooks/events/{event_id}/redeliver", json={"webhookId": "f" * 24})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")

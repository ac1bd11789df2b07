"""Which events each surface's writes make: one per record and call, whatever surface made the write."""
from __future__ import annotations

import json

import pytest

from mock_server.domain.identity import make_login_token
from mock_server.domain.webhooks import EVENTS
from mock_server.testing.appcalls import Api, Chat, org_of

SECRET = "kustomer-mock-chat-secret"   # the default org's chatSecret


@pytest.fixture
def hooked(client, key):
    """A started chat on an org whose webhook (to a closed loopback port) subscribes to every event."""
    rv = client.post(f"/__admin/orgs/{key}/webhooks", json={"name": "all", "url": "http://127.0.0.1:9/hook",
                                                              "events": list(EVENTS)})
    assert rv.status_code == 201
    chat = Chat(client, key)
    chat.start()
    return chat


def _events(app, key, since: int = 0) -> list[dict]:
    """The org's events, oldest first, as the bodies sent."""
    return [json.loads(e["body"]) for e in list(org_of(app, key).webhooks.outbox.events.values())[since:]]


def _count(app, key) -> int:
    return len(org_of(app, key).webhooks.outbox.events)


ACTIONS = {
    "widget createConversation": (lambda chat, api, c: chat.create_conversation(message="hello"),
                                  ["kustomer.conversation.create", "kustomer.message.create"]),
    "widget sendMessage": (lambda chat, api, c: chat.send_message(c, body="more"),
                           ["kustomer.message.create", "kustomer.conversation.update"]),
    "widget describeConversation": (
        lambda chat, api, c: chat.call("PATCH", f"/c/v1/chat/sessions/{c}",
                                       json={"customAttributes": {"orderNumberStr": "A-7"}}),
        ["kustomer.conversation.update"]),
    "widget describeCustomer": (
        lambda chat, api, c: chat.call("PATCH", "/c/v1/customers/current",
                                       json={"customAttributes": {"loyaltyTierStr": "gold"}}),
        ["kustomer.customer.update"]),
    "widget endConversation": (lambda chat, api, c: chat.call("POST", f"/c/v1/chat/sessions/{c}/end"),
                               ["kustomer.conversation.update"]),
    "widget markRead (nothing REST shows)": (lambda chat, api, c: chat.call("POST", f"/c/v1/chat/sessions/{c}/read",
                                                                            json={}), []),
    "widget login as a new customer": (
        lambda chat, api, c: chat.call("POST", "/c/v1/identity",
                                       json={"jwtToken": make_login_token(SECRET, email="new@example.com")}),
        ["kustomer.customer.create", "kustomer.conversation.update", "kustomer.message.update"]),
    "REST createCustomer": (lambda chat, api, c: api.post("/v1/customers", {"name": "Ada"}),
                            ["kustomer.customer.create"]),
    "REST updateConversation": (lambda chat, api, c: api.call("PATCH", f"/v1/conversations/{c}", {"priority": 5}),
                                ["kustomer.conversation.update"]),
    "REST createMessage": (
        lambda chat, api, c: api.post(f"/v1/conversations/{c}/messages",
                                      {"channel": "email", "app": "postmark", "direction": "out", "body": "hi"}),
        ["kustomer.message.create", "kustomer.conversation.update"]),
    "REST patchCustomer": (lambda chat, api, c: api.call("PATCH", f"/v1/customers/{chat.customer_id}",
                                                         {"locale": "en_GB"}), ["kustomer.customer.update"]),
    "REST conversation tagged with a new tag name": (
        lambda chat, api, c: api.post(f"/v1/conversations/{c}/tags", ["Escalated"]),
        ["kustomer.tag.create", "kustomer.conversation.update"]),
    "REST createCustomerMerge": (
        lambda chat, api, c: api.post("/v1/customers/merges", {"source": api.created("/v1/customers", {})["id"],
                                                                "target": chat.customer_id}),
        ["kustomer.customer.create", "kustomer.customer.update"]),
    "REST createUser": (lambda chat, api, c: api.post("/v1/users", {"name": "Kim", "email": "kim@acme.example"}),
                        ["kustomer.user.create"]),
    "REST updateUser": (lambda chat, api, c: api.call("PUT", "/v1/users/5f0c1a2b3c4d5e6f7a8b9e01",
                                                      {"displayName": "Alex R."}), ["kustomer.user.update"]),
    "REST createTeam": (lambda chat, api, c: api.post("/v1/teams", {"name": "Night shift"}),
                        ["kustomer.team.create"]),
    "REST addTeamMembers": (lambda chat, api, c: api.post("/v1/teams/5f0c1a2b3c4d5e6f7a8b9f02/members",
                                                          {"members": ["5f0c1a2b3c4d5e6f7a8b9e01"]}),
                            ["kustomer.team.update"]),
    "REST createNote (no event: Kustomer has no note events)": (
        lambda chat, api, c: api.post(f"/v1/conversations/{c}/notes", {"body": "VIP"}), []),
    "/v2.1 agent reply": (
        lambda chat, api, c: api.agent_reply(chat.customer_id, c),
        ["kustomer.message.create", "kustomer.conversation.update"]),
    "/v2.1 handoff": (
        lambda chat, api, c: api.post("/v2.1/chat/handoff", {"customerId": chat.customer_id, "messages": [
            {"direction": "in", "body": "bot, help", "date": "2026-01-01T10:00:00.000Z"},
            {"direction": "out", "body": "a human will", "date": "2026-01-01T10:00:05.000Z"}]}),
        ["kustomer.conversation.create", "kustomer.message.create", "kustomer.message.create"]),
    "/v2.1 createChatSession": (
        lambda chat, api, c: api.post("/v2.1/chat/sessions", {"customerId": chat.customer_id}),
        ["kustomer.conversation.create"]),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_write_emits_its_events(app, client, key, hooked, action):
    write, expected = ACTIONS[action]
    conversation = hooked.new_conversation("Where is my order?")
    before = _count(app, key)
    rv = write(hooked, Api(client, key), conversation)
    assert rv.status_code in (200, 201, 204), rv.json
    assert [e["name"] for e in _events(app, key, before)] == expected


def test_create_events_carry_the_final_state_and_updates_their_changes(app, client, key, hooked):
    api = Api(client, key)
    conversation = hooked.new_conversation("Where is my order?")
    created = _events(app, key)[-2]
    assert created["name"] == "kustomer.conversation.create" and created["changes"] is None
    assert created["data"]["attributes"]["messageCount"] == 1
    before = _count(app, key)
    api.call("PATCH", f"/v1/conversations/{conversation}", {"status": "snoozed", "name": "Parcel"})
    update = _events(app, key, before)[0]
    assert update["data"] == api.get(f"/v1/conversations/{conversation}").json["data"]
    changed = update["changes"]["attributes"]
    assert changed["status"] == {"op": "replace", "before": "open", "after": "snoozed"}
    assert changed["name"] == {"op": "replace", "before": "Where is my order?", "after": "Parcel"}
    assert update["changes"]["relationships"] == {}


def test_a_rest_message_event_has_the_channel_the_caller_gave(app, client, key, hooked):
    conversation = hooked.new_conversation()
    before = _count(app, key)
    Api(client, key).post(f"/v1/conversations/{conversation}/messages",
                          {"channel": "sms", "app": "twilio", "direction": "in", "body": "hi"})
    message = _events(app, key, before)[0]
    assert (message["data"]["attributes"]["channel"], message["data"]["attributes"]["app"]) == ("sms", "twilio")


def test_an_assistant_answer_updates_the_conversation_custom_attributes(app, client, key, hooked):
    client.patch(f"/__admin/orgs/{key}/settings", json={"defaultAssistantId": "5f0c1a2b3c4d5e6f7a8bb001"})
    conversation = hooked.new_conversation("My parcel is late")   # answers the first (text) question
    created = next(e for e in _events(app, key) if e["name"] == "kustomer.conversation.create")
    assert created["data"]["attributes"]["custom"]["issueDetailsTxt"] == "My parcel is late"
    before = _count(app, key)
    assert hooked.send_message(conversation, body="A-1042").status_code == 201
    events = _events(app, key, before)
    assert [e["name"] for e in events] == ["kustomer.message.create", "kustomer.conversation.update",
                                           "kustomer.message.create"]   # the answer, then the assistant's goodbye
    custom = events[1]["changes"]["attributes"]["custom"]
    assert (custom["before"].get("orderNumberStr"), custom["after"]["orderNumberStr"]) == (None, "A-1042")


def test_disabled_and_unsubscribed_webhooks_get_no_events(app, client, key):
    client.post(f"/__admin/orgs/{key}/webhooks", json={"name": "off", "url": "http://127.0.0.1:9/hook",
                                                       "events": list(EVENTS), "enabled": False})
    client.post(f"/__admin/orgs/{key}/webhooks", json={"name": "tags only", "url": "http://127.0.0.1:9/hook",
                                                       "events": ["kustomer.tag.create"]})
    chat = Chat(client, key)
    chat.start()
    chat.new_conversation()
    assert _count(app, key) == 0


@pytest.mark.private_app
def test_a_state_import_emits_nothing(app, client, key, hooked):
    hooked.new_conversation()
    document = client.get("/__admin/state").json
    exported = len(document["orgs"][0]["webhook_outbox"]["events"])
    assert exported == _count(app, key) == 3
    assert client.put("/__admin/state", json=document).status_code == 200
    assert _count(app, key) == exported


@pytest.mark.parametrize(("kind", "path"), [("tag", "/v1/tags"), ("team", "/v1/teams"), ("user", "/v1/users")])
def test_fixture_records_announced_through_the_hook_are_sent_as_get_lists_them(app, client, key, hooked, kind, path):
    org = org_of(app, key)
    record = getattr(org, f"{kind}s")[0]
    with app.app_context(), org.change(kind, record):   # outside a request: the event is emitted at once
        record["name"] = "Renamed"
    event = _events(app, key)[-1]
    listed = Api(client, key).get(path).json["data"][0]
    assert (event["name"], event["data"]) == (f"kustomer.{kind}.update", listed)
    assert event["changes"]["attributes"]["name"]["after"] == "Renamed"

"""The customer chat API (/c/): every Web SDK call through the Flask test client."""
from __future__ import annotations

import pytest

from mock_server.domain.ids import is_id
from mock_server.testing.appcalls import Chat, org_of

CALLBACK_KEYS = {"conversationId", "createdAt", "ended", "isInAssistantMode"}


def test_start_issues_a_tracking_token_and_an_anonymous_customer(client, key):
    chat = Chat(client, key)
    rv = chat.start()
    assert rv.status_code == 200
    assert rv.json["trackingToken"].startswith("trk_")
    assert is_id(rv.json["customerId"])
    assert rv.json["availability"] == "online"
    assert rv.json["settings"]["closableChat"] is True


def test_start_with_a_known_token_keeps_the_customer(chat):
    first = chat.customer_id
    assert chat.start().json["customerId"] == first


def test_start_rejects_an_unknown_brand(client, key):
    rv = Chat(client, key).start(brandId="0" * 24)
    assert rv.status_code == 404
    assert rv.json["errors"][0]["source"] == {"pointer": "/brandId"}


def test_start_without_a_key_is_401(client):
    rv = client.post("/c/v1/tracking/tokens")
    assert rv.status_code == 401
    assert rv.json["errors"][0]["code"] == "missing_api_key"


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/c/v1/chat/sessions"),
    ("GET", "/c/v1/chat/sessions"),
    ("GET", "/c/v1/chat/sessions/open"),
    ("GET", "/c/v1/chat/unread"),
    ("GET", "/c/v1/chat/availability"),
    ("GET", "/c/v1/chat/settings"),
    ("PATCH", "/c/v1/customers/current"),
    ("GET", "/c/v1/kb/categories"),
])
def test_calls_before_start_are_rejected_with_not_started(client, key, method, path):
    rv = client.open(path, method=method, json={}, headers={"Authorization": f"Bearer {key}"})
    assert rv.status_code == 401
    error = rv.json["errors"][0]
    assert error["code"] == "not_started"
    assert "Kustomer.start()" in error["detail"]


def test_create_conversation_with_message_answers_exactly_the_callback_shape(chat):
    rv = chat.create_conversation(message="I need some help")
    assert rv.status_code == 201
    assert set(rv.json) == CALLBACK_KEYS
    assert is_id(rv.json["conversationId"])
    assert rv.json["createdAt"].endswith("Z") and len(rv.json["createdAt"]) == 24
    assert rv.json["ended"] is False and rv.json["isInAssistantMode"] is False
    messages = chat.messages(rv.json["conversationId"]).json["messages"]
    assert [(m["body"], m["direction"]) for m in messages] == [("I need some help", "in")]


def test_create_conversation_without_message_creates_nothing(chat):
    before = chat.conversations().json["total"]
    rv = chat.create_conversation()
    assert rv.status_code == 200
    assert rv.json["created"] is False and rv.json["conversationId"] is None
    assert chat.conversations().json["total"] == before


def test_core_create_conversation_with_a_title_creates_a_session(chat):
    rv = chat.create_conversation(title="Order question", brand="5f0c1a2b3c4d5e6f7a8b9c02")
    assert rv.status_code == 201
    conversation = chat.call("GET", f"/c/v1/chat/sessions/{rv.json['conversationId']}").json
    assert conversation["title"] == "Order question"
    assert conversation["brandId"] == "5f0c1a2b3c4d5e6f7a8b9c02"
    assert conversation["messageCount"] == 0


def test_custom_attributes_are_stored_on_the_conversation(chat):
    cid = chat.new_conversation(customAttributes={"orderNumberStr": "A-1", "issueTypeTree": "shipping.late",
                                                 "giftBool": None})
    conversation = chat.call("GET", f"/c/v1/chat/sessions/{cid}").json
    assert conversation["customAttributes"] == {"orderNumberStr": "A-1", "issueTypeTree": "shipping.late"}


def test_send_message_appends_and_updates_the_preview(chat):
    cid = chat.new_conversation()
    rv = chat.send_message(cid, body="Order A-1 is late")
    assert rv.status_code == 201
    assert rv.json["direction"] == "in" and rv.json["sentBy"]["type"] == "customer"
    listed = chat.conversations().json["conversations"]
    assert listed[0]["conversationId"] == cid and listed[0]["preview"] == "Order A-1 is late"
    assert [m["body"] for m in chat.messages(cid).json["messages"]] == ["I need some help", "Order A-1 is late"]


def test_send_message_needs_a_body(chat):
    cid = chat.new_conversation()
    rv = chat.send_message(cid)
    assert rv.status_code == 400 and rv.json["errors"][0]["code"] == "missing_field"


def test_get_conversations_pages_as_documented(chat):
    ids = [chat.new_conversation(f"question {n}") for n in range(5)]
    first = chat.conversations(page=1, pageSize=2).json
    assert first["pages"] == {"current": 1, "first": 1, "previous": None, "next": 2, "last": 3}
    seen = []
    page = 1
    while page:
        body = chat.conversations(page=page, pageSize=2).json
        seen += [c["conversationId"] for c in body["conversations"]]
        page = body["pages"]["next"]
    assert sorted(seen) == sorted(ids)


def test_mark_read_and_unread_count(app, chat):
    cid = chat.new_conversation()
    org = org_of(app, chat.key)
    conversation = org.conversation(cid)
    org.record_message(conversation, body="Hi, Alex here", direction="out",
                       sent_by={"type": "user", "id": org.users[0]["id"], "displayName": "Alex"})
    assert chat.unread().json == {"total": 1, "conversations": {cid: 1}}
    rv = chat.call("POST", f"/c/v1/chat/sessions/{cid}/read", json={})
    assert rv.status_code == 200 and len(rv.json["messageIds"]) == 1
    assert chat.unread().json == {"total": 0, "conversations": {}}


def test_end_conversation_then_writes_are_refused(chat):
    cid = chat.new_conversation()
    rv = chat.call("POST", f"/c/v1/chat/sessions/{cid}/end")
    assert rv.status_code == 200
    assert rv.json == {"conversationId": cid, "createdAt": rv.json["createdAt"], "ended": True}
    assert chat.send_message(cid, body="hello?").json["errors"][0]["code"] == "conversation_ended"
    assert chat.call("POST", f"/c/v1/chat/sessions/{cid}/end").status_code == 409
    assert all(c["conversationId"] != cid for c in chat.call("GET", "/c/v1/chat/sessions/open").json["conversations"])


def test_end_conversation_needs_the_setting(app, chat):
    org_of(app, chat.key).settings["allowEndConversation"] = False
    cid = chat.new_conversation()
    rv = chat.call("POST", f"/c/v1/chat/sessions/{cid}/end")
    assert rv.status_code == 403 and rv.json["errors"][0]["code"] == "ending_not_allowed"


def test_describe_conversation_checks_the_conversation_klass(chat):
    cid = chat.new_conversation(customAttributes={"orderNumberStr": "A-1"})
    rv = chat.call("PATCH", f"/c/v1/chat/sessions/{cid}",
                   json={"customAttributes": {"orderTotalNum": 42.5, "orderNumberStr": None}})
    assert rv.status_code == 200 and rv.json["customAttributes"] == {"orderTotalNum": 42.5}
    rv = chat.call("PATCH", f"/c/v1/chat/sessions/{cid}", json={"customAttributes": {"loyaltyTierStr": "x"}})
    assert rv.status_code == 400 and rv.json["errors"][0]["code"] == "unknown_attribute"
    assert "Conversation Klass" in rv.json["errors"][0]["detail"]


def test_describe_customer_sets_shared_details_and_customer_klass(chat):
    rv = chat.call("PATCH", "/c/v1/customers/current", json={
        "attributes": {"sharedEmails": ["ann@example.com"], "phones": ["+15555550100"]},
        "customAttributes": {"loyaltyTierStr": "gold", "preferredCategoryTree": "outdoor.hiking"}})
    assert rv.status_code == 200
    assert rv.json["sharedEmails"] == ["ann@example.com"] and rv.json["sharedPhones"] == ["+15555550100"]
    assert rv.json["customAttributes"] == {"loyaltyTierStr": "gold", "preferredCategoryTree": "outdoor.hiking"}
    rv = chat.call("PATCH", "/c/v1/customers/current", json={"customAttributes": {"orderNumberStr": "A-1"}})
    assert rv.json["errors"][0]["code"] == "unknown_attribute"
    assert "Customer Klass" in rv.json["errors"][0]["detail"]


def test_is_chat_available_and_settings(chat):
    assert chat.call("GET", "/c/v1/chat/availability").json == {"availability": "online"}
    assert chat.call("GET", "/c/v1/chat/settings").json["teamName"] == "Acme Support"


def test_open_conversation_by_id_checks_existence(chat):
    cid = chat.new_conversation()
    assert chat.call("GET", f"/c/v1/chat/sessions/{cid}").json["conversationId"] == cid
    rv = chat.call("GET", f"/c/v1/chat/sessions/{'a' * 24}")
    assert rv.status_code == 404 and rv.json["errors"][0]["code"] == "not_found"


def test_another_customer_cannot_see_my_conversation(client, chat):
    cid = chat.new_conversation()
    other = Chat(client, chat.key)
    other.start()
    for method, path in [("GET", f"/c/v1/chat/sessions/{cid}"), ("GET", f"/c/v1/chat/sessions/{cid}/messages"),
                         ("POST", f"/c/v1/chat/sessions/{cid}/end")]:
        assert other.call(method, path).status_code == 404
    assert other.send_message(cid, body="x").status_code == 404
    assert cid not in [c["conversationId"] for c in other.conversations().json["conversations"]]


def test_get_messages_keeps_only_the_last_30_days(app, chat):
    cid = chat.new_conversation("today")
    org = org_of(app, chat.key)
    org.record_message(org.conversation(cid), body="long ago", direction="in", sent_by={},
                       at="2000-01-01T00:00:00.000Z")
    assert [m["body"] for m in chat.messages(cid).json["messages"]] == ["today"]


@pytest.mark.parametrize(("call", "options", "code", "pointer"), [
    ("create", {"message": ""}, "invalid_field", "/message"),
    ("create", {"message": "   "}, "invalid_field", "/message"),
    ("create", {"message": "\n\t"}, "invalid_field", "/message"),
    ("create", {"message": " ", "title": "Help"}, "invalid_field", "/message"),
    ("send", {"body": ""}, "missing_field", "/body"),
    ("send", {"body": "   "}, "missing_field", "/body"),
])
def test_a_blank_message_creates_nothing(chat, call, options, code, pointer):
    cid = chat.new_conversation()
    before = chat.conversations().json["total"], len(chat.messages(cid).json["messages"])
    rv = chat.create_conversation(**options) if call == "create" else chat.send_message(cid, **options)
    assert rv.status_code == 400
    assert [(e["code"], e["source"]["pointer"]) for e in rv.json["errors"]] == [(code, pointer)]
    assert "blank" in rv.json["errors"][0]["detail"] or code == "missing_field"
    assert (chat.conversations().json["total"], len(chat.messages(cid).json["messages"])) == before


@pytest.mark.parametrize(("page", "previous"), [(1, None), (2, 1), (3, 2), (4, 3), (1000, 3)])
def test_get_conversations_past_the_end_points_previous_at_the_last_page(chat, page, previous):
    for _ in range(5):
        chat.new_conversation()
    pages = chat.conversations(page=page, pageSize=2).json["pages"]
    assert pages["last"] == 3 and pages["previous"] == previous
    assert pages["next"] == (page + 1 if page < 3 else None)


@pytest.mark.parametrize(("availability", "status"), [
    ("online", 201), ("offline", 201), ("hidden", 201), ("disabled", 403),
])
def test_create_conversation_and_send_message_by_availability(client, chat, availability, status):
    cid = chat.new_conversation("before the change")
    assert client.patch(f"/__admin/orgs/{chat.key}/settings", json={"availability": availability}).status_code == 200
    created = chat.create_conversation(message="leaving a message")
    sent = chat.send_message(cid, body="and another")
    assert (created.status_code, sent.status_code) == (status, status)
    if status == 403:
        assert [e["code"] for e in created.json["errors"] + sent.json["errors"]] == ["chat_disabled", "chat_disabled"]
    total = 2 if status == 201 else 1
    assert chat.conversations().json["total"] == total
    assert len(chat.messages(cid).json["messages"]) == total

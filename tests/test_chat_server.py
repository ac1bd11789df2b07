"""The server-side chat API (/v2.1/chat): agents and bots on the same conversations the widget sees."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import AGENT, Api, org_of


@pytest.fixture
def api(client, chat):
    """The server chat API with the same key as the started chat customer."""
    return Api(client, chat.key)


@pytest.fixture
def assistant_id(app, chat):
    """The first assistant of the default fixtures."""
    return org_of(app, chat.key).assistants[0]["id"]


def _events(app, chat, name):
    org = org_of(app, chat.key)
    return [e.payload for e in org.events.since(0, chat.customer_id) if e.name == name]


def test_an_agent_reply_reaches_the_widget_and_raises_unread(app, api, chat):
    cid = chat.new_conversation()
    rv = api.agent_reply(chat.customer_id, cid, "Hi, this is Alex.")
    assert rv.status_code == 201
    sent = rv.json["data"]
    assert sent["type"] == "chat_message" and sent["attributes"]["direction"] == "out"
    assert sent["attributes"]["sentBy"] == {"type": "user", "id": AGENT, "displayName": "Alex Rivera",
                                            "avatarUrl": None}
    last = chat.messages(cid).json["messages"][-1]
    assert (last["messageId"], last["body"], last["read"]) == (sent["id"], "Hi, this is Alex.", False)
    assert chat.unread().json == {"total": 1, "conversations": {cid: 1}}
    assert _events(app, chat, "onMessageReceived")[-1] == last  # the live payload is the getMessages shape
    assert _events(app, chat, "onUnread")[-1] == {"total": 1, "conversations": {cid: 1},
                                                  "change": {"conversationId": cid, "count": 1}}


def test_a_widget_conversation_is_a_session_and_the_other_way_round(api, chat):
    cid = chat.new_conversation()
    sessions = api.get("/v2.1/chat/sessions", customerId=chat.customer_id).json["data"]
    assert sessions[0]["id"] == cid and sessions[0]["attributes"]["active"] is True
    bodies = [m["attributes"]["body"] for m in api.get(f"/v2.1/chat/sessions/{cid}/messages").json["data"]]
    assert bodies == ["I need some help"]
    made = api.created("/v2.1/chat/sessions", {"customerId": chat.customer_id, "title": "From the backend",
                                               "customAttributes": {"orderNumberStr": "C-3"}})
    opened = chat.call("GET", f"/c/v1/chat/sessions/{made['id']}").json
    assert opened["title"] == "From the backend" and opened["customAttributes"] == {"orderNumberStr": "C-3"}


def test_a_session_with_an_assistant_greets_and_an_agent_takes_over(app, api, chat, assistant_id):
    made = api.created("/v2.1/chat/sessions", {"customerId": chat.customer_id, "assistant": assistant_id})
    cid = made["id"]
    assert made["attributes"]["isInAssistantMode"] is True
    said = chat.messages(cid).json["messages"]
    assert said and all(m["direction"] == "out" and m["sentBy"]["type"] == "bot" for m in said)
    api.agent_reply(chat.customer_id, cid)
    assert chat.call("GET", f"/c/v1/chat/sessions/{cid}").json["isInAssistantMode"] is False
    assert _events(app, chat, "onAssistantEnded")[-1] == {"conversationId": cid, "isInAssistantMode": False}


def test_a_customer_message_through_the_server_api(app, api, chat):
    cid = chat.new_conversation()
    sent = api.created("/v2.1/chat/messages", {"customerId": chat.customer_id, "session": cid, "body": "Still there?"})
    assert sent["attributes"]["direction"] == "in" and sent["attributes"]["sentBy"]["type"] == "customer"
    assert chat.messages(cid).json["messages"][-1]["body"] == "Still there?"
    assert chat.call("POST", f"/c/v1/chat/sessions/{cid}/end").status_code == 200
    rv = api.post("/v2.1/chat/messages", {"customerId": chat.customer_id, "session": cid, "body": "hello?"})
    assert rv.status_code == 409 and rv.json["errors"][0]["code"] == "conversation_ended"


def test_typing_reaches_the_widget(app, api, chat):
    cid = chat.new_conversation()
    body = {"customerId": chat.customer_id, "from": AGENT, "session": cid, "typing": True}
    rv = api.post("/v2.1/chat/outbound/typing", body)
    assert rv.status_code == 200 and rv.json["data"]["attributes"] == {"typing": True, "userId": AGENT}
    event = _events(app, chat, "onAgentTypingActivity")[-1]
    assert event["conversationId"] == cid and event["typing"] is True
    assert event["user"] == {"avatarUrl": None, "displayName": "Alex Rivera"}


def test_a_handoff_imports_sorted_history(api, chat):
    made = api.created("/v2.1/chat/handoff", {"customerId": chat.customer_id, "from": AGENT, "messages": [
        {"direction": "out", "body": "How can I help?", "date": "2026-11-20T10:00:05Z"},
        {"direction": "in", "body": "My parcel is late", "date": "2026-11-20T10:00:00Z"},
        {"direction": "in", "body": "Order A-1", "date": "2026-11-20T10:00:09.500+00:00"}]})
    assert made["attributes"]["active"] is True and made["attributes"]["title"] == "My parcel is late"
    messages = chat.messages(made["id"]).json["messages"]
    assert [m["body"] for m in messages] == ["My parcel is late", "How can I help?", "Order A-1"]
    assert messages[-1]["createdAt"] == "2026-11-20T10:00:09.500Z"
    assert messages[1]["sentBy"]["id"] == AGENT and chat.unread().json["total"] == 0  # history starts read


def test_an_inactive_handoff_creates_a_closed_session(api, chat):
    made = api.created("/v2.1/chat/handoff", {"customerId": chat.customer_id, "active": False, "messages": [
        {"direction": "in", "body": "hi", "date": "2026-11-20T10:00:00Z"},
        {"direction": "out", "body": "bye", "date": "2026-11-20T10:01:00Z"}]})
    assert made["attributes"]["ended"] is True and made["attributes"]["status"] == "done"
    active = api.get("/v2.1/chat/sessions", customerId=chat.customer_id, active="true").json["data"]
    assert made["id"] not in [s["id"] for s in active]


def test_sessions_by_tracking_id(api, chat):
    cid = chat.new_conversation()
    assert [s["id"] for s in api.get("/v2.1/chat/sessions", trackingId=chat.token).json["data"]] == [cid]


def _handoff(count_in: int, count_out: int, date: str = "2026-11-20T10:00:00Z") -> list:
    return ([{"direction": "in", "body": "q", "date": date}] * count_in
            + [{"direction": "out", "body": "a", "date": date}] * count_out)


@pytest.mark.parametrize(("path", "body", "status", "code", "pointer"), [
    ("/v2.1/chat/sessions", {}, 400, "missing_field", "/customerId"),
    ("/v2.1/chat/sessions", {"customerId": "5f0c1a2b3c4d5e6f7a8b9c99"}, 404, "not_found", "/customerId"),
    ("/v2.1/chat/sessions", {"customerId": "CUSTOMER", "assistant": "nope"}, 404, "unknown_assistant", "/assistant"),
    ("/v2.1/chat/sessions", {"customerId": "CUSTOMER", "trackingId": "trk_nope"}, 404, "not_found", "/trackingId"),
    ("/v2.1/chat/sessions", {"customerId": "CUSTOMER", "customAttributes": {"noSuchStr": "x"}}, 400,
     "unknown_attribute", "/customAttributes/noSuchStr"),
    ("/v2.1/chat/messages", {"customerId": "CUSTOMER", "session": "SESSION"}, 400, "missing_field", "/body"),
    ("/v2.1/chat/messages", {"customerId": "CUSTOMER", "session": "5f0c1a2b3c4d5e6f7a8b9c99", "body": "x"}, 404,
     "not_found", "/session"),
    ("/v2.1/chat/messages", {"customerId": "CUSTOMER", "session": "SESSION", "body": "x" * 10_001}, 400,
     "invalid_field", "/body"),
    ("/v2.1/chat/outbound/messages", {"customerId": "CUSTOMER", "session": "SESSION", "body": "x"}, 400,
     "missing_field", "/from"),
    ("/v2.1/chat/outbound/messages", {"customerId": "CUSTOMER", "session": "SESSION", "body": "x",
                                      "from": "5f0c1a2b3c4d5e6f7a8b9c99"}, 404, "not_found", "/from"),
    ("/v2.1/chat/outbound/messages", {"customerId": "OTHER", "session": "SESSION", "body": "x", "from": AGENT},
     404, "not_found", "/session"),
    ("/v2.1/chat/outbound/typing", {"customerId": "CUSTOMER", "session": "SESSION", "from": AGENT}, 400,
     "missing_field", "/typing"),
    ("/v2.1/chat/handoff", {"customerId": "CUSTOMER", "messages": _handoff(1, 0)}, 400, "invalid_field", "/messages"),
    ("/v2.1/chat/handoff", {"customerId": "CUSTOMER", "messages": _handoff(2, 0)}, 400, "invalid_field", "/messages"),
    ("/v2.1/chat/handoff", {"customerId": "CUSTOMER", "messages": _handoff(50, 51)}, 400, "invalid_field",
     "/messages"),
    ("/v2.1/chat/handoff", {"customerId": "CUSTOMER", "messages": _handoff(1, 1, "soon")}, 400, "invalid_field",
     "/messages/0/date"),
    ("/v2.1/chat/handoff", {"customerId": "CUSTOMER", "messages": [{"direction": "up", "date": "2026-11-20"}] * 2},
     400, "invalid_field", "/messages/0/direction"),
])
def test_field_errors(app, api, chat, path, body, status, code, pointer):
    cid = chat.new_conversation()
    other = org_of(app, chat.key).new_customer().id
    fill = {"CUSTOMER": chat.customer_id, "SESSION": cid, "OTHER": other}
    body = {k: fill.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    count = len(org_of(app, chat.key).conversations)
    rv = api.post(path, body)
    assert rv.status_code == status and rv.is_json, rv.get_data(as_text=True)
    assert rv.json["errors"][0]["code"] == code
    if pointer:
        assert rv.json["errors"][0]["source"]["pointer"] == pointer
    assert len(org_of(app, chat.key).conversations) == count and chat.unread().json["total"] == 0


@pytest.mark.parametrize(("query", "code"), [({}, "missing_field"), ({"active": "maybe", "customerId": "x"},
                                                                     "invalid_field")])
def test_session_list_errors(api, query, code):
    rv = api.get("/v2.1/chat/sessions", **query)
    assert rv.status_code == 400 and rv.json["errors"][0]["code"] == code


def test_an_agent_reply_over_a_real_socket(live_server):
    import requests

    key = "chat-server-socket-key"
    headers = {"Authorization": f"Bearer {key}"}
    started = requests.post(f"{live_server.url}/c/v1/tracking/tokens", headers=headers, timeout=10).json()
    chat_headers = {**headers, "x-kustomer-tracking-token": started["trackingToken"]}
    cid = requests.post(f"{live_server.url}/c/v1/chat/sessions", json={"message": "hi"}, headers=chat_headers,
                        timeout=10).json()["conversationId"]
    rv = requests.post(f"{live_server.url}/v2.1/chat/outbound/messages", headers=headers, timeout=10, json={
        "customerId": started["customerId"], "from": AGENT, "session": cid, "body": "On it!"})
    assert rv.status_code == 201
    unread = requests.get(f"{live_server.url}/c/v1/chat/unread", headers=chat_headers, timeout=10).json()
    assert unread["conversations"] == {cid: 1}

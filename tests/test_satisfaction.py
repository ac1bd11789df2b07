"""Satisfaction surveys over the chat API: when one is offered, the responses, the statuses, the errors."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import Api, org_of

FOLLOWUP = "5f0c1a2b3c4d5e6f7a8bc002"


@pytest.fixture
def api(client, chat):
    """The server chat API and REST with the chat customer's key."""
    return Api(client, chat.key)


def _events(app, chat, name):
    return [e.payload for e in org_of(app, chat.key).events.since(0, chat.customer_id) if e.name == name]


def _ended_with_agent(chat, api, by_agent: bool = False) -> str:
    cid = chat.new_conversation()
    assert api.agent_reply(chat.customer_id, cid).status_code == 201
    rv = api.call("PATCH", f"/v1/conversations/{cid}", {"ended": True}) if by_agent else chat.end(cid)
    assert rv.status_code == 200, rv.json
    return cid


@pytest.mark.parametrize("by_agent", [False, True])
def test_a_survey_is_offered_when_a_chat_with_an_agent_ends(app, chat, api, by_agent):
    cid = _ended_with_agent(chat, api, by_agent)
    offered = _events(app, chat, "onSatisfactionReceived")
    assert len(offered) == 1 and offered[0]["conversationId"] == cid
    assert set(offered[0]) == {"conversationId", "satisfactionId", "timetoken", "status", "form", "response"}
    assert offered[0]["status"] == "offered" and offered[0]["response"] is None
    assert chat.messages(cid).json["satisfaction"] == offered[0]
    level = org_of(app, chat.key).conversations[cid].satisfaction_level
    assert level["status"] == "offered" and level["formResponse"] == offered[0]["satisfactionId"]


def test_no_survey_without_an_agent_or_when_chats_may_not_be_ended(app, client, chat, api):
    alone = chat.new_conversation()
    chat.end(alone)
    client.patch(f"/__admin/orgs/{chat.key}/settings", json={"allowEndConversation": False})
    with_agent = chat.new_conversation()
    api.agent_reply(chat.customer_id, with_agent)
    assert api.call("PATCH", f"/v1/conversations/{with_agent}", {"ended": True}).status_code == 200
    assert _events(app, chat, "onSatisfactionReceived") == []
    assert chat.messages(alone).json["satisfaction"] is None


def test_rating_then_follow_up_walks_the_statuses(app, chat, api):
    cid = _ended_with_agent(chat, api)
    sid = chat.messages(cid).json["satisfaction"]["satisfactionId"]
    rated = chat.submit_satisfaction(sid, rating=2)
    assert rated.status_code == 200
    assert (rated.json["status"], rated.json["response"]) == ("rated", {"rating": 2, "followupAnswer": None})
    commented = chat.submit_satisfaction(sid, answers=[{"id": FOLLOWUP, "prompt": "?", "answer": " Slow reply "}])
    assert commented.json["response"] == {"rating": 2, "followupAnswer": "Slow reply"}
    conversation = org_of(app, chat.key).conversations[cid]
    assert conversation.satisfaction == -0.5
    assert {k: conversation.satisfaction_level[k] for k in ("status", "rating", "score", "firstAnswer")} == {
        "status": "commented", "rating": 2, "score": 0, "firstAnswer": "Slow reply"}
    assert [e["status"] for e in _events(app, chat, "onSatisfactionReceived")] == ["offered", "rated", "commented"]


@pytest.mark.parametrize(("fields", "status", "code", "pointer"), [
    ({"rating": 5}, 200, None, None),
    ({"rating": 1, "answers": [{"answer": "ok"}]}, 200, None, None),
    ({}, 400, "missing_field", "/rating"),
    ({"answers": [{"answer": "no rating yet"}]}, 400, "missing_field", "/rating"),
    ({"rating": 0}, 400, "invalid_field", "/rating"),
    ({"rating": 6}, 400, "invalid_field", "/rating"),
    ({"rating": 3.5}, 400, "invalid_field", "/rating"),
    ({"rating": "5"}, 400, "invalid_field", "/rating"),
    ({"rating": 5, "answers": [{"answer": "x" * 1025}]}, 400, "invalid_field", "/answers/0/answer"),
    ({"rating": 5, "submittedAt": "yesterday"}, 400, "invalid_field", "/submittedAt"),
    ({"rating": 5, "mood": "happy"}, 400, "unknown_field", "/mood"),
])
def test_responses_are_checked(chat, api, fields, status, code, pointer):
    cid = _ended_with_agent(chat, api)
    sid = chat.messages(cid).json["satisfaction"]["satisfactionId"]
    rv = chat.submit_satisfaction(sid, **fields)
    assert rv.status_code == status, rv.json
    if code:
        error = rv.json["errors"][0]
        assert (error["code"], error["source"]["pointer"]) == (code, pointer)


def test_submitted_at_is_required(chat, api):
    cid = _ended_with_agent(chat, api)
    sid = chat.messages(cid).json["satisfaction"]["satisfactionId"]
    rv = chat.call("PUT", f"/c/v1/chat/satisfaction-responses/{sid}", json={"rating": 4})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (400, "missing_field")


def test_another_customers_or_an_unknown_survey_is_not_found(client, chat, api):
    from mock_server.testing.appcalls import Chat
    cid = _ended_with_agent(chat, api)
    sid = chat.messages(cid).json["satisfaction"]["satisfactionId"]
    other = Chat(client, chat.key)
    other.start()
    for who, survey in ((other, sid), (chat, "0123456789abcdef01234567")):
        rv = who.submit_satisfaction(survey, rating=5)
        assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")


def test_a_reopened_conversation_cancels_its_open_survey(chat, api):
    cid = _ended_with_agent(chat, api, by_agent=True)
    sid = chat.messages(cid).json["satisfaction"]["satisfactionId"]
    assert api.call("PATCH", f"/v1/conversations/{cid}", {"ended": False}).status_code == 200
    rv = chat.submit_satisfaction(sid, rating=5)
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (409, "satisfaction_canceled")
    assert chat.messages(cid).json["satisfaction"]["status"] == "canceled"


@pytest.mark.private_app
def test_a_fault_fails_the_submit(client, chat, api):
    cid = _ended_with_agent(chat, api)
    sid = chat.messages(cid).json["satisfaction"]["satisfactionId"]
    client.post("/__admin/faults", json={"match": {"operation": "submitSatisfactionForm"}, "times": 1,
                                         "respond": {"status": 503, "code": "service_unavailable"}})
    assert chat.submit_satisfaction(sid, rating=4).status_code == 503
    assert chat.submit_satisfaction(sid, rating=4).status_code == 200


def test_a_backend_records_the_response_through_v2_1(app, chat, api):
    cid = _ended_with_agent(chat, api)
    sid = chat.messages(cid).json["satisfaction"]["satisfactionId"]
    rv = api.call("PUT", f"/v2.1/chat/satisfaction-responses/{sid}",
                  {"rating": 3, "submittedAt": "2030-01-02T03:04:05Z", "answers": [{"answer": "Fine"}]})
    assert rv.status_code == 200, rv.json
    assert rv.json["response"] == {"rating": 3, "followupAnswer": "Fine"}
    assert org_of(app, chat.key).conversations[cid].satisfaction_level["status"] == "commented"
    rv = api.call("PUT", "/v2.1/chat/satisfaction-responses/0123456789abcdef01234567", {"rating": 3,
                                                                                      "submittedAt": "2030-01-02T03:04:05Z"})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")

"""Proactive chat: the control API's trigger, the widget's event, the conversation its answer opens."""
from __future__ import annotations

import pytest

from mock_server.domain.identity import make_login_token
from mock_server.testing.appcalls import AGENT, org_of


def _identified(client, chat, email="ada@example.com") -> str:
    token = make_login_token(org_of(client.application, chat.key).chat_secret, email=email, iat=None)
    rv = chat.call("POST", "/c/v1/identity", json={"jwtToken": token})
    assert rv.status_code == 200, rv.json
    return rv.json["customerId"]


def test_the_answer_opens_the_conversation_with_the_proactive_message_first(client, chat):
    customer = _identified(client, chat)
    rv = client.post(f"/__admin/orgs/{chat.key}/proactive", json={"email": "ada@example.com", "body": "Need help?",
                                                                  "from": AGENT})
    assert rv.status_code == 201
    offer = rv.json
    assert offer["customerId"] == customer and offer["sentBy"]["id"] == AGENT
    events = [e for e in org_of(client.application, chat.key).events.since(0, customer) if e.name == "__proactive"]
    assert [e.payload["proactiveId"] for e in events] == [offer["proactiveId"]]
    assert chat.conversations().json["total"] == 0
    cid = chat.new_conversation("Yes, my order", proactiveId=offer["proactiveId"])
    messages = chat.messages(cid).json["messages"]
    assert [(m["direction"], m["body"]) for m in messages] == [("out", "Need help?"), ("in", "Yes, my order")]
    again = chat.create_conversation(message="again", proactiveId=offer["proactiveId"])
    assert (again.status_code, again.json["errors"][0]["code"]) == (404, "not_found")   # answered once


@pytest.mark.parametrize(("body", "status", "code", "pointer"), [
    ({"body": "hi"}, 400, "missing_field", "/customerId"),
    ({"email": "nobody@example.com", "body": "hi"}, 404, "not_found", "/email"),
    ({"email": "ada@example.com"}, 400, "missing_field", "/body"),
    ({"email": "ada@example.com", "body": ""}, 400, "invalid_field", "/body"),
    ({"email": "ada@example.com", "body": "hi", "from": "0123456789abcdef01234567"}, 404, "not_found", "/from"),
])
def test_triggers_are_checked(client, chat, body, status, code, pointer):
    _identified(client, chat)
    rv = client.post(f"/__admin/orgs/{chat.key}/proactive", json=body)
    assert rv.status_code == status, rv.json
    assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (code, {"pointer": pointer})


def test_anonymous_customers_get_no_proactive_chat(client, chat):
    rv = client.post(f"/__admin/orgs/{chat.key}/proactive", json={"customerId": chat.customer_id, "body": "hi"})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (409, "customer_not_identified")

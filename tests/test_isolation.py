"""Isolation: a tracking token sees only its customer's conversations, a key only its org, on every surface.

Another's record answers exactly what an unknown id answers (404 not_found, same title and detail
but for the id), so nobody learns that it exists.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mock_server.domain.identity import make_login_token
from mock_server.testing.appcalls import Chat, clock_of, org_of

UNKNOWN = "0123456789abcdef01234567"   # a well-formed id no org has


def same_as_unknown(rv, unknown_rv, record_id: str) -> None:
    """Assert `rv` is the 404 an unknown id gets, word for word once the ids are swapped."""
    assert rv.status_code == unknown_rv.status_code == 404, (rv.status_code, rv.get_data(as_text=True))
    assert rv.json == unknown_rv.json if record_id == UNKNOWN else \
        rv.get_data(as_text=True).replace(record_id, UNKNOWN) == unknown_rv.get_data(as_text=True)
    assert rv.json["errors"][0]["code"] == "not_found"


@pytest.fixture
def alice(client, key):
    """A customer."""
    chat = Chat(client, key)
    chat.start()
    return chat


@pytest.fixture
def bob(client, key):
    """Another customer of the same org."""
    chat = Chat(client, key)
    chat.start()
    return chat


@pytest.fixture
def bobs(app, bob):
    """Bob's conversation id, with an agent message he has not read."""
    conversation_id = bob.new_conversation("Bob's private question", customAttributes={"orderNumberStr": "B-1"})
    org = org_of(app, bob.key)
    agent = org.users[0]
    org.record_message(org.conversation(conversation_id), body="For Bob only", direction="out",
                       sent_by={"type": "user", "id": agent["id"], "displayName": agent["name"]})
    return conversation_id


CUSTOMER_CALLS = [
    ("openConversationById", "GET", "", None),
    ("getMessages", "GET", "/messages", None),
    ("sendMessage", "POST", "/messages", {"body": "let me in"}),
    ("endConversation", "POST", "/end", None),
    ("describeConversation", "PATCH", "", {"customAttributes": {"orderNumberStr": "A-1"}}),
    ("markRead", "POST", "/read", {}),
    ("sendTypingActivity", "POST", "/typing", {"typing": True}),
]


@pytest.mark.parametrize(("operation", "method", "suffix", "body"), CUSTOMER_CALLS, ids=[c[0] for c in CUSTOMER_CALLS])
def test_a_token_cannot_touch_another_customers_conversation(app, alice, bob, bobs, operation, method, suffix, body):
    rv = alice.call(method, f"/c/v1/chat/sessions/{bobs}{suffix}", json=body)
    unknown = alice.call(method, f"/c/v1/chat/sessions/{UNKNOWN}{suffix}", json=body)
    same_as_unknown(rv, unknown, bobs)
    # and nothing of Bob's changed
    conversation = org_of(app, bob.key).conversation(bobs)
    assert conversation.ended is False and conversation.custom == {"orderNumberStr": "B-1"}
    messages = bob.messages(bobs).json["messages"]
    assert [m["body"] for m in messages] == ["Bob's private question", "For Bob only"]
    assert bob.unread().json["total"] == 1


def test_lists_and_counts_show_only_ones_own(alice, bob, bobs):
    mine = alice.new_conversation("Alice's question")
    assert [c["conversationId"] for c in alice.conversations().json["conversations"]] == [mine]
    assert [c["conversationId"] for c in alice.call("GET", "/c/v1/chat/sessions/open").json["conversations"]] == [mine]
    assert alice.unread().json == {"total": 0, "conversations": {}}
    assert bobs in [c["conversationId"] for c in bob.conversations().json["conversations"]]


@pytest.mark.private_app
def test_a_logged_in_customers_history_stays_behind_their_login(app, client, alice, bob, bobs):
    clock_of(app).freeze(datetime(2030, 1, 2, tzinfo=timezone.utc))
    now = datetime(2030, 1, 2, tzinfo=timezone.utc).timestamp()
    token = make_login_token("kustomer-mock-chat-secret", email="bob@example.com", iat=now)
    assert bob.call("POST", "/c/v1/identity", json={"jwtToken": token}).status_code == 200
    rv = alice.call("GET", f"/c/v1/chat/sessions/{bobs}")
    same_as_unknown(rv, alice.call("GET", f"/c/v1/chat/sessions/{UNKNOWN}"), bobs)


# -- org isolation -------------------------------------------------------------------------------

@pytest.fixture
def other_org(client):
    """A customer of another org (another key)."""
    chat = Chat(client, "isolation-other-org-key")
    chat.start()
    return chat


def test_a_tracking_token_works_only_with_its_own_key(alice, other_org):
    alice.new_conversation()
    stolen = Chat(other_org.client, other_org.key, token=alice.token)
    rv = stolen.conversations()
    assert rv.status_code == 401 and rv.json["errors"][0]["code"] == "not_started"
    # start with a foreign token: a new customer of this org, not Alice
    assert stolen.start().json["customerId"] != alice.customer_id


def test_a_conversation_id_of_another_org_is_unknown_on_the_chat_api(alice, other_org):
    theirs = alice.new_conversation()
    for method, suffix, body in [("GET", "", None), ("GET", "/messages", None), ("POST", "/messages", {"body": "x"})]:
        rv = other_org.call(method, f"/c/v1/chat/sessions/{theirs}{suffix}", json=body)
        same_as_unknown(rv, other_org.call(method, f"/c/v1/chat/sessions/{UNKNOWN}{suffix}", json=body), theirs)


def _server_calls(org_a, customer_id: str, conversation_id: str, user_id: str):
    """(method, path, body, id) of /v1 and /v2.1 calls that name org A's records."""
    return [
        ("GET", f"/v1/customers/{customer_id}", None, customer_id),
        ("PUT", f"/v1/customers/{customer_id}", {"name": "Mallory"}, customer_id),
        ("GET", f"/v1/customers/{customer_id}/conversations", None, customer_id),
        ("GET", f"/v1/conversations/{conversation_id}", None, conversation_id),
        ("PATCH", f"/v1/conversations/{conversation_id}", {"status": "done"}, conversation_id),
        ("GET", f"/v1/conversations/{conversation_id}/messages", None, conversation_id),
        ("POST", f"/v1/conversations/{conversation_id}/messages",
         {"body": "x", "channel": "chat", "app": "chat", "direction": "out"}, conversation_id),
        ("POST", f"/v1/customers/{customer_id}/messages",
         {"body": "x", "channel": "chat", "app": "chat", "direction": "in"}, customer_id),
        ("GET", f"/v2.1/chat/sessions?customerId={customer_id}", None, customer_id),
        ("GET", f"/v2.1/chat/sessions/{conversation_id}/messages", None, conversation_id),
        ("POST", "/v2.1/chat/outbound/messages",
         {"customerId": customer_id, "from": user_id, "session": conversation_id, "body": "x"}, customer_id),
        ("POST", "/v2.1/chat/messages", {"customerId": customer_id, "session": conversation_id, "body": "x"},
         customer_id),
    ]


def test_another_key_cannot_see_org_a_on_v1_and_v2_1(app, client, alice, other_org):
    conversation_id = alice.new_conversation("Alice's order question")
    org_a = org_of(app, alice.key)
    user_id = org_of(app, other_org.key).users[0]["id"]
    headers = {"Authorization": f"Bearer {other_org.key}"}
    for method, path, body, record_id in _server_calls(org_a, alice.customer_id, conversation_id, user_id):
        rv = client.open(path, method=method, json=body, headers=headers)
        unknown_path = path.replace(record_id, UNKNOWN)
        unknown_body = {k: (UNKNOWN if v == record_id else v) for k, v in body.items()} if body else body
        unknown = client.open(unknown_path, method=method, json=unknown_body, headers=headers)
        # a record answers 404; a list filtered by a foreign customer answers empty, as for an unknown one
        assert rv.status_code == unknown.status_code == (200 if "?" in path else 404), (path, rv.get_data(as_text=True))
        assert rv.get_data(as_text=True).replace(record_id, UNKNOWN) == unknown.get_data(as_text=True), path
    assert org_a.conversation(conversation_id).status == "open"
    assert [m.body for m in org_a.messages[conversation_id]] == ["Alice's order question"]


def test_lists_on_v1_and_v2_1_hold_only_the_keys_org(client, alice, other_org):
    conversation_id = alice.new_conversation()
    headers = {"Authorization": f"Bearer {other_org.key}"}
    for path in ("/v1/conversations?pageSize=100", "/v1/customers?pageSize=100"):
        rv = client.get(path, headers=headers)
        assert rv.status_code == 200, (path, rv.get_data(as_text=True))
        text = rv.get_data(as_text=True)
        assert conversation_id not in text and alice.customer_id not in text, path
    mine = client.get("/v1/conversations?pageSize=100", headers={"Authorization": f"Bearer {alice.key}"})
    assert conversation_id in mine.get_data(as_text=True)


def test_a_key_named_like_a_fixture_org_gets_an_org_of_its_own(client):
    squatter = Chat(client, "acme-split")        # the name of the org of acme-chat-key and acme-rest-key
    assert squatter.start().status_code == 200
    assert squatter.new_conversation()
    rest = client.get("/v1/customers", headers={"Authorization": "Bearer acme-rest-key"})
    assert rest.status_code == 200
    chat = Chat(client, "acme-chat-key")
    assert chat.start().status_code == 200
    assert chat.conversations().json["total"] == 0          # not the squatter's conversation
    orgs, page = {}, "/__admin/orgs?pageSize=1000"   # every page: a shared app has seen many keys
    while page:
        answer = client.get(page).json
        orgs.update({o["key"]: o["name"] for o in answer["orgs"]})
        page = answer.get("next")
    assert orgs["acme-split"] != orgs["acme-chat-key"] == "acme-split"

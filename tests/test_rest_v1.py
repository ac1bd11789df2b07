"""REST v1 on the same org state as the widget: JSON:API envelopes, paging, Klass checks, roles."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import AGENT, Api, clock_of, org_of

TAG, TEAM, BRAND = "5f0c1a2b3c4d5e6f7a8ba001", "5f0c1a2b3c4d5e6f7a8b9f01", "5f0c1a2b3c4d5e6f7a8b9c02"
MESSAGE = {"channel": "chat", "app": "chat", "direction": "in", "body": "Where is my order?"}


@pytest.fixture
def api(client, chat):
    """REST with the same key as the started chat customer."""
    return Api(client, chat.key)


def test_a_widget_conversation_reads_through_rest_with_its_custom_attributes(api, chat):
    cid = chat.new_conversation(customAttributes={"orderNumberStr": "A-1", "giftBool": True})
    rv = api.get(f"/v1/conversations/{cid}")
    assert rv.status_code == 200
    data = rv.json["data"]
    assert (data["type"], data["id"], data["links"]["self"]) == ("conversation", cid, f"/v1/conversations/{cid}")
    assert data["attributes"]["custom"] == {"orderNumberStr": "A-1", "giftBool": True}
    assert data["attributes"]["status"] == "open" and data["attributes"]["messageCount"] == 1
    assert data["relationships"]["customer"]["data"] == {"type": "customer", "id": chat.customer_id}
    messages = api.get(f"/v1/conversations/{cid}/messages").json["data"]
    assert [(m["attributes"]["body"], m["attributes"]["direction"]) for m in messages] == [("I need some help", "in")]


def test_a_rest_conversation_shows_in_the_customers_widget_list(api, chat):
    cid = api.customer_conversation(chat.customer_id, name="Order follow-up", custom={"orderNumberStr": "B-2"})
    listed = chat.conversations().json["conversations"]
    assert cid in [c["conversationId"] for c in listed]
    opened = chat.call("GET", f"/c/v1/chat/sessions/{cid}").json
    assert opened["customAttributes"] == {"orderNumberStr": "B-2"} and opened["title"] == "Order follow-up"
    sessions = api.get("/v2.1/chat/sessions", customerId=chat.customer_id).json["data"]
    assert cid in [s["id"] for s in sessions]


def test_customers_are_created_read_updated_and_listed(api):
    created = api.created("/v1/customers", {"name": "Ada Lovelace", "externalId": "ada-1",
                                            "emails": [{"email": "ada@example.com", "type": "work"}],
                                            "phones": [{"phone": "+15550100"}], "custom": {"loyaltyTierStr": "gold"}})
    cid = created["id"]
    assert created["attributes"]["displayName"] == "Ada Lovelace"
    # the type is kept as sent (an earlier version rewrote it to home: a bug the backend suites hit)
    assert created["attributes"]["emails"] == [{"email": "ada@example.com", "type": "work", "verified": False}]
    rv = api.call("PUT", f"/v1/customers/{cid}", json={"name": "Ada King", "custom": {"loyaltyTierStr": None}})
    assert rv.status_code == 200
    read = api.get(f"/v1/customers/{cid}").json["data"]["attributes"]
    assert read["name"] == "Ada King" and read["custom"] == {} and read["externalId"] == "ada-1"
    assert cid in [c["id"] for c in api.walk("/v1/customers", pageSize=2)]
    assert api.post("/v1/customers", {"emails": [{"email": "ADA@example.com"}]}).json["errors"][0]["code"] == "conflict"


def test_conversation_counts_follow_status_changes(api, chat):
    cid = chat.new_conversation()
    assert api.call("PATCH", f"/v1/conversations/{cid}", json={"status": "snoozed"}).status_code == 200
    counts = api.get(f"/v1/customers/{chat.customer_id}").json["data"]["attributes"]["conversationCounts"]
    assert counts == {"all": 1, "open": 0, "snoozed": 1, "done": 0}


def test_patch_changes_status_assignment_and_custom_attributes(api, chat):
    cid = chat.new_conversation(customAttributes={"orderNumberStr": "A-1"})
    rv = api.call("PATCH", f"/v1/conversations/{cid}", json={
        "status": "done", "priority": 1, "tags": [TAG], "assignedUsers": [AGENT], "assignedTeams": [TEAM],
        "custom": {"orderTotalNum": 12.5, "orderNumberStr": None}, "name": "Refund"})
    attributes = rv.json["data"]["attributes"]
    assert (attributes["status"], attributes["priority"], attributes["name"]) == ("done", 1, "Refund")
    assert (attributes["tags"], attributes["assignedUsers"], attributes["assignedTeams"]) == ([TAG], [AGENT], [TEAM])
    assert attributes["custom"] == {"orderTotalNum": 12.5}
    assert chat.call("GET", f"/c/v1/chat/sessions/{cid}").json["customAttributes"] == {"orderTotalNum": 12.5}


def test_ending_through_rest_ends_the_chat_and_reopening_opens_it(app, api, chat):
    cid = chat.new_conversation()
    rv = api.call("PATCH", f"/v1/conversations/{cid}", json={"ended": True})
    assert rv.json["data"]["attributes"]["ended"] is True and rv.json["data"]["attributes"]["status"] == "done"
    assert chat.send_message(cid, body="hello?").json["errors"][0]["code"] == "conversation_ended"
    api.call("PATCH", f"/v1/conversations/{cid}", json={"ended": False})
    assert chat.send_message(cid, body="hello again").status_code == 201
    names = org_of(app, chat.key).events.names()
    assert names.index("onConversationEnded") < names.index("onConversationUnended")


def test_rest_messages_are_recorded_in_the_conversation(api, chat):
    cid = chat.new_conversation()
    out = api.created(f"/v1/conversations/{cid}/messages", {**MESSAGE, "direction": "out", "createdBy": AGENT,
                                                             "body": "Shipped today."})
    assert out["attributes"]["channel"] == "chat" and out["relationships"]["createdBy"]["data"]["id"] == AGENT
    bodies = [m["body"] for m in chat.messages(cid).json["messages"]]
    assert bodies == ["I need some help", "Shipped today."]
    assert chat.unread().json["total"] == 0  # recorded, not sent: only /v2.1 outbound delivers


def test_a_customer_message_without_a_conversation_creates_one(api, chat):
    before = len(chat.conversations().json["conversations"])
    message = api.created(f"/v1/customers/{chat.customer_id}/messages", MESSAGE)
    cid = message["relationships"]["conversation"]["data"]["id"]
    assert len(chat.conversations().json["conversations"]) == before + 1
    again = api.created(f"/v1/customers/{chat.customer_id}/messages", {**MESSAGE, "conversation": cid})
    assert again["relationships"]["conversation"]["data"]["id"] == cid
    assert api.get(f"/v1/conversations/{cid}").json["data"]["attributes"]["messageCount"] == 2


@pytest.mark.private_app
def test_paging_links_walk_250_conversations_exactly_once(app, api, chat):
    clock_of(app).freeze()  # every createdAt equal: the order must still be stable across pages
    made = {api.customer_conversation(chat.customer_id, importedAt="2026-01-01T00:00:00Z") for _ in range(250)}
    first = api.get(f"/v1/customers/{chat.customer_id}/conversations", pageSize=100).json
    assert first["meta"] == {"page": 1, "pageSize": 100, "total": 250, "totalPages": 3}
    assert first["links"]["prev"] is None and first["links"]["last"].endswith("?page=3&pageSize=100")
    seen = [c["id"] for c in api.walk(f"/v1/customers/{chat.customer_id}/conversations", pageSize=100)]
    assert len(seen) == 250 and set(seen) == made
    every = [c["id"] for c in api.walk("/v1/conversations", pageSize=100, sort="asc")]
    assert len(every) == len(set(every)) == len(org_of(app, chat.key).conversations)


def test_klasses_and_the_fixture_directories(api):
    # /v1/klasses lists the custom Klasses (KObject types); the standard ones' attributes are metadata
    klasses = api.get("/v1/klasses").json["data"]
    assert [k["attributes"]["name"] for k in klasses] == ["order"]
    properties = api.get("/v1/metadata/conversation").json["data"]["attributes"]["properties"]
    assert properties["orderNumberStr"]["type"] == "str" and "tree" in properties["issueTypeTree"]
    users = api.get("/v1/users", pageSize=500).json
    assert users["data"][0]["attributes"]["displayName"] == "Alex Rivera" and users["meta"]["total"] == 3
    team = api.get("/v1/teams").json["data"][0]
    assert team["attributes"]["name"] == "Tier 1 Support" and len(team["relationships"]["members"]["data"]) == 2
    assert [t["attributes"]["name"] for t in api.get("/v1/tags").json["data"]] == ["vip", "refund"]
    assert api.get("/v1/routing/queues").json["data"][0]["attributes"]["displayName"] == "Chat Default"


@pytest.mark.parametrize(("key", "path", "status", "code"), [
    ("acme-chat-key", "/v1/conversations", 403, "forbidden"),
    ("acme-chat-key", "/v1/auth/tokens/current", 403, "forbidden"),
    ("acme-chat-key", "/v2.1/chat/sessions?customerId=5f0c1a2b3c4d5e6f7a8b9c99", 403, "forbidden"),
    ("acme-rest-key", "/v1/conversations", 200, None),
    ("", "/v1/conversations", 401, "missing_api_key"),
])
def test_key_roles(client, key, path, status, code):
    rv = client.get(path, headers={"Authorization": f"Bearer {key}"} if key else {})
    assert rv.status_code == status and rv.is_json
    if code:
        assert rv.json["errors"][0]["code"] == code


def test_the_key_check_names_the_roles(client):
    rv = Api(client, "acme-rest-key").get("/v1/auth/tokens/current")
    assert rv.json["data"]["attributes"]["roles"] == ["org.admin"]
    assert "acme-rest-key" not in rv.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "body", "status", "code", "pointer"), [
    ("POST", "/v1/customers", {"custom": {"noSuchStr": "x"}}, 400, "unknown_attribute", "/custom/noSuchStr"),
    ("POST", "/v1/customers", {"emails": [{"email": "not-an-email"}]}, 400, "invalid_field", "/emails/0/email"),
    ("POST", "/v1/conversations", {}, 400, "missing_field", "/customer"),
    ("POST", "/v1/conversations", {"customer": "5f0c1a2b3c4d5e6f7a8b9c99"}, 404, "not_found", "/customer"),
    ("POST", "/v1/conversations", {"customer": "CUSTOMER", "status": "closed"}, 400, "invalid_field", "/status"),
    ("POST", "/v1/conversations", {"customer": "CUSTOMER", "custom": {"orderTotalNum": "ten"}}, 400,
     "invalid_attribute", "/custom/orderTotalNum"),
    ("POST", "/v1/conversations", {"customer": "CUSTOMER", "custom": {"orderNumberStr": "x" * 1025}}, 400,
     "value_too_long", "/custom/orderNumberStr"),
    ("POST", "/v1/conversations", {"customer": "CUSTOMER", "tags": ["5f0c1a2b3c4d5e6f7a8b9c99"]}, 404,
     "not_found", "/tags/0"),
    ("POST", "/v1/conversations", {"customer": "CUSTOMER", "importedAt": "yesterday"}, 400, "invalid_field",
     "/importedAt"),
    ("POST", "/v1/conversations", {"customer": "CUSTOMER", "createdAt": "0001-01-01T00:00:00+01:00"}, 400,
     "invalid_field", "/createdAt"),
    ("POST", "/v1/conversations", {"customer": "CUSTOMER", "importedAt": "1969-12-31T23:59:59Z"}, 400,
     "invalid_field", "/importedAt"),
    ("PATCH", "/v1/conversations/CONVERSATION", {"status": "closed"}, 400, "invalid_field", "/status"),
    ("PATCH", "/v1/conversations/CONVERSATION", {"priority": 9}, 400, "invalid_field", "/priority"),
    ("PATCH", "/v1/conversations/CONVERSATION", {"custom": {"issueTypeTree": "Shipping"}}, 400,
     "invalid_attribute", "/custom/issueTypeTree"),
    ("PATCH", "/v1/conversations/5f0c1a2b3c4d5e6f7a8b9c99", {"status": "done"}, 404, "not_found", None),
    ("POST", "/v1/conversations/CONVERSATION/messages", {"app": "chat", "direction": "in"}, 400, "missing_field",
     "/channel"),
    ("POST", "/v1/conversations/CONVERSATION/messages", {**MESSAGE, "channel": "pigeon"}, 400, "invalid_field",
     "/channel"),
    ("POST", "/v1/conversations/CONVERSATION/messages", {**MESSAGE, "direction": "sideways"}, 400,
     "invalid_field", "/direction"),
    ("POST", "/v1/conversations/CONVERSATION/messages", {**MESSAGE, "direction": "out",
                                                         "createdBy": "5f0c1a2b3c4d5e6f7a8b9c99"}, 404,
     "not_found", "/createdBy"),
    ("POST", "/v1/customers/CUSTOMER/messages", {**MESSAGE, "conversation": "5f0c1a2b3c4d5e6f7a8b9c99"}, 404,
     "not_found", None),
    ("PUT", "/v1/customers/5f0c1a2b3c4d5e6f7a8b9c99", {"name": "x"}, 404, "not_found", None),
    ("GET", "/v1/conversations?pageSize=ten", None, 400, "invalid_field", "?pageSize"),
    ("GET", "/v1/conversations?page=0", None, 400, "invalid_field", "?page"),
    ("GET", "/v1/klasses/invoice", None, 404, "not_found", None),
])
def test_field_errors(api, chat, method, path, body, status, code, pointer):
    cid = chat.new_conversation()
    fill = lambda text: text.replace("CUSTOMER", chat.customer_id).replace("CONVERSATION", cid)  # noqa: E731
    if isinstance(body, dict):
        body = {k: fill(v) if isinstance(v, str) else v for k, v in body.items()}
    before = len(api.get("/v1/conversations").json["data"])
    rv = api.call(method, fill(path), json=body)
    assert rv.status_code == status and rv.is_json, rv.get_data(as_text=True)
    error = rv.json["errors"][0]
    assert error["code"] == code
    if pointer:   # "?name" is a query parameter, "/name" a pointer into the body
        assert error["source"] == ({"parameter": pointer[1:]} if pointer[0] == "?" else {"pointer": pointer})
    assert len(api.get("/v1/conversations").json["data"]) == before  # nothing half-made


@pytest.mark.parametrize(("page", "prev", "next_"), [
    (1, None, None),
    (2, 1, None),          # one past the end: back to the last page
    (1000, 1, None),       # far past the end: prev still points at the last page, not page 999
])
def test_paging_past_the_end_links_back_to_the_last_page(api, chat, page, prev, next_):
    chat.new_conversation()
    body = api.get("/v1/conversations", page=page, pageSize=100).json
    assert body["data"] == [] or page == 1
    assert body["meta"]["totalPages"] == 1 and body["links"]["last"].endswith("?page=1&pageSize=100")
    assert body["links"]["prev"] == (None if prev is None else f"/v1/conversations?page={prev}&pageSize=100")
    assert body["links"]["next"] is next_

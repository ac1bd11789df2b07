"""The assistant engine through the /c/ routes: first questions, selections, branches, endings, defaults."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from mock_server import create_app
from mock_server.testing.appcalls import Chat, clock_of, org_of

TEXT, BUTTON, TREE, KIDS = (f"5f0c1a2b3c4d5e6f7a8bb00{n}" for n in range(1, 5))
KIDS_BRAND = "5f0c1a2b3c4d5e6f7a8b9c02"
CHAT_QUEUE, RETURNS_QUEUE = "5f0c1a2b3c4d5e6f7a8ba101", "5f0c1a2b3c4d5e6f7a8ba102"
NAMES = {TEXT: "Order Helper", BUTTON: "Returns Desk", TREE: "Issue Triage", KIDS: "Kids Helper"}
PICK = "Please choose one of the options to continue."
MSG = "My order has a problem"
REASONS = [{"displayText": "Start a return", "value": "start_return", "valueType": "text"},
           {"displayText": "Where is my refund?", "value": "refund_status", "valueType": "text"},
           {"displayText": "Just browsing", "value": "browsing", "valueType": "text"}]
REASON_VALUES = ["start_return", "refund_status", "browsing"]
ISSUE_TREE = [
    {"id": "shipping", "displayName": "Shipping", "children": [
        {"id": "shipping.late", "displayName": "Late delivery", "children": []},
        {"id": "shipping.damaged", "displayName": "Damaged in transit", "children": []}]},
    {"id": "returns", "displayName": "Returns", "children": [
        {"id": "returns.label", "displayName": "Return label", "children": []},
        {"id": "returns.refund", "displayName": "Refund status", "children": []}]},
    {"id": "other", "displayName": "Something else", "children": []}]
TREE_VALUES = ["shipping", "shipping.late", "shipping.damaged", "returns", "returns.label", "returns.refund", "other"]


def text(body):
    return ("out", body, {"templateType": "text", "body": body})


def buttons(body):
    return ("out", body, {"templateType": "quick_replies", "body": body, "actions": REASONS})


def tree(body):
    return ("out", body, {"templateType": "mll", "body": body, "actions": {"tree": {"children": ISSUE_TREE}}})


def customer(body):
    return ("in", body, None)


OPENING = {
    TEXT: [text("Hi, I'm Ada, Acme's order assistant."), text("In a few words, what do you need help with?")],
    BUTTON: [text("Welcome to Acme returns."), buttons("What can we help you with?")],
    TREE: [text("Hi! Let's get you to the right person."), tree("What is your question about?")],
}
FIRST_QUESTION = {TEXT: "describe_issue", BUTTON: "reason", TREE: "issue_type"}
# What createConversation's message does to each first question: (messages after the opening, attributes, question)
AFTER_MESSAGE = {
    TEXT: ([customer(MSG), text("What is your order number?")], {"issueDetailsTxt": MSG}, "order_number"),
    BUTTON: ([customer(MSG), buttons(PICK)], {}, "reason"),
    TREE: ([customer(MSG), tree(PICK)], {}, "issue_type"),
}
HANDOFF = "Thanks! An agent will pick this up shortly."


def _row(assistant, with_message, kind, reply, status, delta, attributes, question, mode, valid=None):
    return pytest.param(assistant, with_message, reply, status, delta, attributes, question, mode, valid,
                        id=f"{NAMES[assistant]}-{'message' if with_message else 'no message'}-{kind}")


# first question × {message given, not} × {valid selection, invalid selection, free text}:
# the reply, then (status, new messages, attributes, open question, isInAssistantMode, validValues of a 400)
TABLE = [
    # a text question has no options: whatever the customer sends (a payload is its text) answers it
    _row(TEXT, True, "valid", {"body": "A-1", "payload": "A-1"}, 201, [customer("A-1"), text(HANDOFF)],
         {"issueDetailsTxt": MSG, "orderNumberStr": "A-1"}, None, False),
    _row(TEXT, True, "invalid", {"payload": "no_such_option"}, 201, [customer("no_such_option"), text(HANDOFF)],
         {"issueDetailsTxt": MSG, "orderNumberStr": "no_such_option"}, None, False),
    _row(TEXT, True, "free text", {"body": "A-1"}, 201, [customer("A-1"), text(HANDOFF)],
         {"issueDetailsTxt": MSG, "orderNumberStr": "A-1"}, None, False),
    _row(TEXT, False, "valid", {"body": "Late", "payload": "Late"}, 201,
         [customer("Late"), text("What is your order number?")], {"issueDetailsTxt": "Late"}, "order_number", True),
    _row(TEXT, False, "invalid", {"payload": "nope"}, 201, [customer("nope"), text("What is your order number?")],
         {"issueDetailsTxt": "nope"}, "order_number", True),
    _row(TEXT, False, "free text", {"body": "Late"}, 201, [customer("Late"), text("What is your order number?")],
         {"issueDetailsTxt": "Late"}, "order_number", True),
    # a Button Question moves on only for one of its values, sent as the payload
    *[_row(BUTTON, given, "valid", {"body": "Start a return", "payload": "start_return"}, 201,
           [customer("Start a return"), text("Which order would you like to return?")],
           {"contactReasonStr": "start_return"}, "return_order", True) for given in (True, False)],
    *[_row(BUTTON, given, "invalid", {"body": "Refund", "payload": "refund"}, 400, [], {}, "reason", True,
           REASON_VALUES) for given in (True, False)],
    # a body equal to a value is still free text: Kustomer wants a selection
    *[_row(BUTTON, given, "free text", {"body": "start_return"}, 201, [customer("start_return"), buttons(PICK)],
           {}, "reason", True) for given in (True, False)],
    # a tree Data Attribute Question moves on only for a node of the tree, lowercase
    *[_row(TREE, given, "valid", {"body": "Late delivery", "payload": "shipping.late"}, 201,
           [customer("Late delivery"), text("What is the order number on the package?")],
           {"issueTypeTree": "shipping.late"}, "shipping_order", True) for given in (True, False)],
    *[_row(TREE, given, "invalid", {"payload": "Shipping"}, 400, [], {}, "issue_type", True, TREE_VALUES)
      for given in (True, False)],
    *[_row(TREE, given, "free text", {"body": "shipping"}, 201, [customer("shipping"), tree(PICK)],
           {}, "issue_type", True) for given in (True, False)],
]


def transcript(chat, cid) -> list[tuple]:
    """(direction, body, template) of every message; bot messages are checked for sender and read state."""
    rows = []
    for message in chat.messages(cid).json["messages"]:
        if message["direction"] == "out":
            assert message["sentBy"]["type"] == "bot" and message["read"] is True
        rows.append((message["direction"], message["body"], message["meta"].get("template")))
    return rows


def conversation(chat, cid) -> dict:
    return chat.call("GET", f"/c/v1/chat/sessions/{cid}").json


def create(chat, assistant, with_message):
    if with_message:
        return chat.create_conversation(message=MSG, assistantId=assistant)
    return chat.create_conversation(title="Help", assistant=assistant)  # Core: a session without a message


@pytest.mark.parametrize(("assistant", "with_message", "reply", "status", "delta", "attributes", "question",
                          "mode", "valid"), TABLE)
def test_first_question_table(chat, assistant, with_message, reply, status, delta, attributes, question, mode,
                              valid):
    rv = create(chat, assistant, with_message)
    assert rv.status_code == 201 and rv.json["isInAssistantMode"] is True
    cid = rv.json["conversationId"]
    after, before_attributes, open_question = AFTER_MESSAGE[assistant] if with_message else ([], {}, None)
    expected = OPENING[assistant] + after
    assert transcript(chat, cid) == expected
    state = conversation(chat, cid)
    assert state["customAttributes"] == before_attributes
    assert state["assistant"]["questionId"] == (open_question or FIRST_QUESTION[assistant])

    rv = chat.send_message(cid, **reply)
    assert rv.status_code == status, rv.json
    if valid is not None:
        error = rv.json["errors"][0]
        assert error["code"] == "invalid_selection" and error["source"] == {"pointer": "/payload"}
        assert error["meta"]["validValues"] == valid and ", ".join(valid) in error["detail"]
    assert transcript(chat, cid) == expected + delta
    state = conversation(chat, cid)
    assert state["customAttributes"] == {**before_attributes, **attributes}
    assert state["assistant"]["questionId"] == question
    assert state["isInAssistantMode"] is mode and state["status"] == "open"


def test_a_message_that_finishes_the_flow_reports_assistant_mode_off(chat):
    rv = chat.create_conversation(message="ok", assistantId=BUTTON)
    cid = rv.json["conversationId"]
    chat.send_message(cid, body="Start a return", payload="start_return")
    rv = chat.send_message(cid, body="A-77")
    assert rv.status_code == 201
    state = conversation(chat, cid)
    assert state["isInAssistantMode"] is False and state["status"] == "open"
    assert state["assistant"] == {"id": BUTTON, "questionId": None, "status": "handoff", "endingId": "to_returns",
                                  "queueId": RETURNS_QUEUE,
                                  "answers": {"reason": "start_return", "return_order": "A-77"}}


@pytest.mark.parametrize(("steps", "attributes", "queue", "last"), [
    ([("Late delivery", "shipping.late"), ("A-1", None), ("Yes", "true")],
     {"issueTypeTree": "shipping.late", "orderNumberStr": "A-1", "giftBool": True}, CHAT_QUEUE,
     "Thanks! A shipping specialist will be with you shortly."),
    ([("Damaged in transit", "shipping.damaged"), ("B-2", None), ("No", "false")],
     {"issueTypeTree": "shipping.damaged", "orderNumberStr": "B-2", "giftBool": False}, CHAT_QUEUE,
     "Thanks! A shipping specialist will be with you shortly."),
    ([("Return label", "returns.label"), ("Wrong size", "wrong_size")],
     {"issueTypeTree": "returns.label", "contactReasonStr": "wrong_size"}, RETURNS_QUEUE,
     "Thanks! Our returns team will take it from here."),
    ([("Returns", "returns"), ("It arrived damaged", "damaged")],
     {"issueTypeTree": "returns", "contactReasonStr": "damaged"}, RETURNS_QUEUE,
     "Thanks! Our returns team will take it from here."),
    ([("Something else", "other"), ("The zip broke", None)],
     {"issueTypeTree": "other", "issueDetailsTxt": "The zip broke"}, CHAT_QUEUE,
     "Thanks! An agent will be with you shortly."),
], ids=["shipping-gift", "shipping-not-gift", "returns-leaf", "returns-parent", "other"])
def test_every_branch_of_the_tree_assistant_ends_in_a_handoff(chat, steps, attributes, queue, last):
    cid = chat.new_conversation(message="help", assistantId=TREE)
    for body, payload in steps:
        assert chat.send_message(cid, body=body, **({"payload": payload} if payload else {})).status_code == 201
    state = conversation(chat, cid)
    assert state["customAttributes"] == attributes
    assert state["isInAssistantMode"] is False and state["status"] == "open"
    assert state["assistant"]["status"] == "handoff" and state["assistant"]["queueId"] == queue
    assert transcript(chat, cid)[-1] == text(last)


def test_branching_flow_walked_to_a_handoff_over_a_real_socket(live_server):
    key, url = "assistant-socket-key", live_server.url
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {key}"
        token = http.post(f"{url}/c/v1/tracking/tokens").json()["trackingToken"]
        http.headers["x-kustomer-tracking-token"] = token
        created = http.post(f"{url}/c/v1/chat/sessions", json={"message": "Where is my parcel?", "assistantId": TREE})
        assert created.status_code == 201 and created.json()["isInAssistantMode"] is True
        cid = created.json()["conversationId"]
        send = f"{url}/c/v1/chat/sessions/{cid}/messages"
        refused = http.post(send, json={"payload": "parcel"})
        assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "invalid_selection"
        for reply in ({"body": "Late delivery", "payload": "shipping.late"}, {"body": "C-3"},
                      {"body": "No", "payload": "false"}):
            assert http.post(send, json=reply).status_code == 201
        state = http.get(f"{url}/c/v1/chat/sessions/{cid}").json()
        bodies = [m["body"] for m in http.get(send).json()["messages"]]
    assert state["isInAssistantMode"] is False and state["assistant"]["status"] == "handoff"
    assert state["customAttributes"] == {"issueTypeTree": "shipping.late", "orderNumberStr": "C-3", "giftBool": False}
    assert bodies == ["Hi! Let's get you to the right person.", "What is your question about?",
                      "Where is my parcel?", PICK, "Late delivery", "What is the order number on the package?",
                      "C-3", "Was the order a gift?", "No", "Thanks! A shipping specialist will be with you shortly."]


def test_an_end_action_ends_the_conversation(app, chat):
    cid = chat.new_conversation(message="hi", assistantId=BUTTON)
    rv = chat.send_message(cid, body="Just browsing", payload="browsing")
    assert rv.status_code == 201
    state = conversation(chat, cid)
    assert state["ended"] is True and state["status"] == "done" and state["isInAssistantMode"] is False
    assert state["assistant"]["status"] == "ended" and state["assistant"]["endingId"] == "goodbye"
    assert transcript(chat, cid)[-1] == text("Thanks for stopping by! This chat is now closed.")
    assert chat.send_message(cid, body="wait").json["errors"][0]["code"] == "conversation_ended"
    names = org_of(app, chat.key).events.names()
    assert names[-2:] == ["onAssistantEnded", "onConversationEnded"]


def test_after_a_handoff_customer_messages_are_plain(chat):
    cid = chat.new_conversation(message="Box is late", assistantId=TEXT)
    chat.send_message(cid, body="A-1")
    count = conversation(chat, cid)["messageCount"]
    assert chat.send_message(cid, body="Anyone there?").status_code == 201
    assert conversation(chat, cid)["messageCount"] == count + 1
    assert transcript(chat, cid)[-1] == customer("Anyone there?")


@pytest.mark.parametrize(("answer", "hint", "stored"), [
    ("about forty", "Please answer with a number, for example 42 or 19.99.", None),
    ("nan", "Please answer with a number, for example 42 or 19.99.", None),
    (" 129.90 ", None, 129.9),
    ("130", None, 130),
])
def test_a_typed_attribute_question_checks_the_suffix_type(chat, answer, hint, stored):
    cid = chat.new_conversation(message="hi", assistantId=BUTTON)
    chat.send_message(cid, body="Where is my refund?", payload="refund_status")
    assert transcript(chat, cid)[-1] == text("What was the order total?")
    assert chat.send_message(cid, body=answer).status_code == 201
    state = conversation(chat, cid)
    if hint:
        assert transcript(chat, cid)[-1] == text(hint)
        assert state["assistant"]["questionId"] == "refund_total" and "orderTotalNum" not in state["customAttributes"]
    else:
        assert state["customAttributes"]["orderTotalNum"] == stored and state["isInAssistantMode"] is False


def test_an_invalid_selection_stores_nothing_and_emits_nothing(app, chat):
    cid = chat.new_conversation(message="hi", assistantId=BUTTON)
    org = org_of(app, chat.key)
    events, count = org.events.last_id, conversation(chat, cid)["messageCount"]
    for payload in ("nope", "START_RETURN", 7):
        assert chat.send_message(cid, body="x", payload=payload).json["errors"][0]["code"] == "invalid_selection"
    assert conversation(chat, cid)["messageCount"] == count and org.events.last_id == events


def test_assistant_events_carry_each_message(app, chat):
    cid = chat.new_conversation(message="Box is late", assistantId=TEXT)
    chat.send_message(cid, body="A-1")
    org = org_of(app, chat.key)
    events = org.events.since(0, chat.customer_id)
    received = [e.payload for e in events if e.name == "onMessageReceived"]
    bots = [m for m in chat.messages(cid).json["messages"] if m["direction"] == "out"]
    assert received == bots and len(bots) == 4
    assert bots[0]["sentBy"] == {"type": "bot", "id": TEXT, "displayName": "Order Helper",
                                 "avatarUrl": "https://static.acme.example/assistants/ada.png"}
    ended = [e for e in events if e.name == "onAssistantEnded"]
    assert [e.payload for e in ended] == [{"conversationId": cid, "isInAssistantMode": False}]
    assert ended[0].customer_id == chat.customer_id
    created = next(e for e in events if e.name == "onConversationCreate")
    assert created.payload["isInAssistantMode"] is True
    assert chat.unread().json["total"] == 0  # assistant messages start read


# -- which assistant a conversation gets ---------------------------------------------------------

def test_plain_chats_stay_plain_in_the_default_org(chat):
    rv = chat.create_conversation(message="hello")
    assert rv.json["isInAssistantMode"] is False
    assert conversation(chat, rv.json["conversationId"])["assistant"] is None
    assert chat.call("GET", "/c/v1/chat/settings").json["activeAssistant"] is None


def test_the_kids_brand_has_a_default_assistant(client, key):
    kids = Chat(client, key)
    started = kids.start(brandId=KIDS_BRAND)
    assert started.json["assistantId"] == KIDS
    assert kids.call("GET", "/c/v1/chat/settings").json["activeAssistant"] == KIDS
    rv = kids.create_conversation(message="hi")
    assert rv.json["isInAssistantMode"] is True
    assert transcript(kids, rv.json["conversationId"])[:2] == [
        text("Hi from Acme Kids!"),
        ("out", "Is this about an order or a product?",
         {"templateType": "quick_replies", "body": "Is this about an order or a product?",
          "actions": [{"displayText": "An order", "value": "order", "valueType": "text"},
                      {"displayText": "A product", "value": "product", "valueType": "text"}]})]


@pytest.mark.parametrize(("options", "expected"), [
    ({"message": "hi", "brandId": KIDS_BRAND}, KIDS),
    ({"message": "hi", "brand": KIDS_BRAND, "assistantId": TEXT}, TEXT),
    ({"message": "hi", "assistant": BUTTON}, BUTTON),
    ({"message": "hi"}, None),
    ({"title": "Core", "brand": KIDS_BRAND}, None),         # a title-only Core session: only a named assistant
    ({"title": "Core", "assistant": TREE}, TREE),
])
def test_which_assistant_create_conversation_uses(chat, options, expected):
    rv = chat.create_conversation(**options)
    assert rv.status_code == 201 and rv.json["isInAssistantMode"] is (expected is not None)
    assert conversation(chat, rv.json["conversationId"])["assistantId"] == expected


def test_start_assistant_id_and_org_default_apply(app, client, key):
    named = Chat(client, key)
    named.start(assistantId=BUTTON)
    assert conversation(named, named.new_conversation())["assistantId"] == BUTTON
    org_of(app, key).settings["activeAssistant"] = TREE  # what PATCH settings does
    plain = Chat(client, key)
    assert plain.start().json["assistantId"] == TREE
    assert conversation(plain, plain.new_conversation())["assistantId"] == TREE
    kids = Chat(client, key)
    kids.start(brandId=KIDS_BRAND)
    assert conversation(kids, kids.new_conversation())["assistantId"] == KIDS  # the brand's beats the org's


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/c/v1/chat/sessions", {"message": "hi", "assistantId": "0" * 24}),
    ("POST", "/c/v1/chat/sessions", {"title": "Core", "assistant": "0" * 24}),
    ("POST", f"/c/v1/chat/assistants/{'0' * 24}/init", {}),
])
def test_unknown_assistants_answer_404(chat, method, path, body):
    before = chat.conversations().json["total"]
    rv = chat.call(method, path, json=body)
    assert rv.status_code == 404 and rv.json["errors"][0]["code"] == "unknown_assistant"
    assert chat.conversations().json["total"] == before


def test_start_with_an_unknown_assistant_answers_404(client, key):
    rv = Chat(client, key).start(assistantId="0" * 24)
    assert rv.status_code == 404 and rv.json["errors"][0]["code"] == "unknown_assistant"


@pytest.mark.private_app
def test_init_assistant_answers_the_opening_without_creating_anything(app, chat):
    clock_of(app).freeze(datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    before = chat.conversations().json["total"]
    rv = chat.call("POST", f"/c/v1/chat/assistants/{TREE}/init", json={"lang": "fr"})
    assert rv.status_code == 200
    common = {"direction": "out", "directionType": "initial", "importedAt": "2030-01-02T03:04:05.000Z",
              "trackingId": chat.customer_id, "lang": "fr"}
    assert rv.json == {
        "assistant": TREE, "dialog": "5f0c1a2b3c4d5e6f7a8bb103", "node": "issue_type",
        "initialMessages": [{"meta": {"template": t}, **common} for _, _, t in OPENING[TREE]],
        "attributes": {"avatarUrl": "https://static.acme.example/assistants/triage.png",
                       "publicName": "Acme Support Bot"}}
    assert chat.conversations().json["total"] == before
    assert chat.call("POST", f"/c/v1/chat/assistants/{TEXT}/init").json["initialMessages"][0]["lang"] == "en_us"


def test_ending_mid_flow_marks_the_assistant_ended(chat):
    cid = chat.new_conversation(message="hi", assistantId=BUTTON)
    assert chat.call("POST", f"/c/v1/chat/sessions/{cid}/end").status_code == 200
    assert conversation(chat, cid)["assistant"]["status"] == "ended"


def test_admin_lists_each_assistant_with_its_first_question_type(client, key):
    assistants = client.get(f"/__admin/orgs/{key}").json["assistants"]
    assert [(a["id"], a["name"], a["firstQuestion"]["type"]) for a in assistants] == [
        (TEXT, "Order Helper", "text"), (BUTTON, "Returns Desk", "button"), (TREE, "Issue Triage", "attribute"),
        (KIDS, "Kids Helper", "button")]


def _walk(seed: int) -> tuple:
    app = create_app({"TESTING": True, "SEED": seed})
    clock_of(app).freeze(datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    chat = Chat(app.test_client(), "same-key")
    chat.start()
    cid = chat.new_conversation(message="hi", assistantId=TREE)
    chat.send_message(cid, body="Returns", payload="returns")
    chat.send_message(cid, body="Wrong size", payload="wrong_size")
    return cid, chat.messages(cid).json["messages"]


def test_same_seed_gives_the_same_assistant_messages_and_ids():
    first, second, other = _walk(5), _walk(5), _walk(6)
    assert first == second
    assert len(first[1]) == 8 and all(m["messageId"] for m in first[1])
    assert other[0] != first[0] and [m["body"] for m in other[1]] == [m["body"] for m in first[1]]

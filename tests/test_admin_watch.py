"""The control API's org-wide views: keys seen, every conversation, one thread, the org's live events."""
from __future__ import annotations

import json

import pytest
import requests

from mock_server import create_app
from mock_server.testing.appcalls import Chat, clock_of, org_of

pytestmark = pytest.mark.private_app   # lists every org and freezes the clock
RETURNS = "5f0c1a2b3c4d5e6f7a8bb002"
ALEX = "5f0c1a2b3c4d5e6f7a8b9e01"
ADMIN = "watch-admin-token"


def test_orgs_lists_the_keys_seen_in_order_with_their_org_and_a_server_key(client):
    assert client.get("/__admin/orgs").json == {"orgs": [], "total": 0}
    Chat(client, "first-key").start()
    Chat(client, "acme-chat-key").start()
    body = client.get("/__admin/orgs").json
    assert body["total"] == 2
    first, chat_only = body["orgs"]
    assert first == {"key": "first-key", "name": "first-key", "roles": ["org.admin", "org.tracking"],
                     "serverKey": "first-key", "built": True, "conversations": first["conversations"]}
    assert first["conversations"] > 0   # the seed customers' past conversations
    # a chat-only key cannot call /v2.1; the fixtures give its org a key that can
    assert (chat_only["name"], chat_only["roles"], chat_only["serverKey"]) == (
        "acme-split", ["org.tracking"], "acme-rest-key")


def test_a_reset_org_stays_listed_as_not_built_and_a_full_reset_forgets_every_key(client):
    Chat(client, "k1").start()
    client.post("/__admin/reset?org=k1")
    assert client.get("/__admin/orgs").json["orgs"][0] == {
        "key": "k1", "name": "k1", "roles": ["org.admin", "org.tracking"], "serverKey": "k1",
        "built": False, "conversations": None}
    client.post("/__admin/reset")
    assert client.get("/__admin/orgs").json["total"] == 0


def test_conversations_of_the_org_newest_first_with_customer_unread_and_attributes(app, client, chat, key):
    clock = clock_of(app)
    clock.freeze()
    first = chat.new_conversation("Where is my order?", customAttributes={"orderNumberStr": "A-1"})
    clock.advance(1)
    other = Chat(client, key)
    other.start()
    second = other.new_conversation("Second customer here")
    clock.advance(1)
    client.post("/v2.1/chat/outbound/messages", headers={"Authorization": f"Bearer {key}"},
                json={"customerId": chat.customer_id, "from": ALEX, "session": first, "body": "On it"})
    rows = client.get(f"/__admin/orgs/{key}/conversations").json
    ids = [row["conversationId"] for row in rows["conversations"]]
    assert rows["total"] == len(ids) and ids[:2] == [first, second]   # the agent's reply made `first` the latest again
    row = rows["conversations"][0]
    assert row["customAttributes"] == {"orderNumberStr": "A-1"}
    assert (row["unread"], row["customerId"], row["customer"]["anonymous"]) == (1, chat.customer_id, True)
    assert (row["preview"], row["status"], row["ended"], row["assistant"], row["assistantName"]) == (
        "On it", "open", False, None, None)


def _pages(client, path: str) -> list[dict]:
    """Every page of an admin list, following `next` from `path`."""
    pages = [client.get(path).json]
    while "next" in pages[-1]:
        pages.append(client.get(pages[-1]["next"]).json)
    return pages


def test_conversations_come_in_pages_that_follow_each_other_with_next(app, client, key):
    org = org_of(app, key)
    customer = org.new_customer(name="Paged")
    while len(org.conversations) < 10 or len(org.conversations) % 3 != 1:   # a short last page
        org.new_conversation(customer, title="more")
    every = [r["conversationId"] for r in client.get(f"/__admin/orgs/{key}/conversations").json["conversations"]]
    pages = _pages(client, f"/__admin/orgs/{key}/conversations?pageSize=3")
    assert len(every) == len(org.conversations)
    assert [len(p["conversations"]) for p in pages] == [min(3, len(every) - at) for at in range(0, len(every), 3)]
    assert [r["conversationId"] for p in pages for r in p["conversations"]] == every   # newest first, no gap or repeat
    assert {p["total"] for p in pages} == {len(every)}
    assert pages[0]["next"] == f"/__admin/orgs/{key}/conversations?pageSize=3&page=2"
    past = client.get(f"/__admin/orgs/{key}/conversations?page=9&pageSize=3").json
    assert past == {"conversations": [], "total": len(every)}


def test_the_default_page_is_the_first_100_and_the_keys_page_too(app, client):
    org = org_of(app, "many-conversations")
    customer = org.new_customer(name="Many")
    for n in range(101):
        org.new_conversation(customer, title=f"c{n}")
    first = client.get("/__admin/orgs/many-conversations/conversations").json
    assert (len(first["conversations"]), first["total"]) == (100, len(org.conversations))
    assert first["next"] == "/__admin/orgs/many-conversations/conversations?page=2&pageSize=100"
    assert len(client.get(first["next"]).json["conversations"]) == len(org.conversations) - 100
    for n in range(3):
        Chat(client, f"paged-key-{n}").start()
    keys = _pages(client, "/__admin/orgs?pageSize=2")
    assert [[o["key"] for o in p["orgs"]] for p in keys] == [
        ["many-conversations", "paged-key-0"], ["paged-key-1", "paged-key-2"]]
    assert [p["total"] for p in keys] == [4, 4] and "next" not in keys[1]


def test_a_conversation_with_an_assistant_shows_its_state_and_name(client, chat, key):
    cid = chat.new_conversation("hello", assistantId=RETURNS)
    row = next(r for r in client.get(f"/__admin/orgs/{key}/conversations").json["conversations"]
               if r["conversationId"] == cid)
    assert (row["assistantName"], row["isInAssistantMode"]) == ("Returns Desk", True)
    assert row["assistant"] == {"id": RETURNS, "questionId": "reason", "status": "asking", "answers": {}}


def test_a_thread_has_every_message_oldest_first_with_templates_and_senders(client, chat, key):
    cid = chat.new_conversation("hello", assistantId=RETURNS)
    thread = client.get(f"/__admin/orgs/{key}/conversations/{cid}").json
    assert thread["conversation"]["conversationId"] == cid
    kinds = [(m["direction"], m["sentBy"]["type"], (m["meta"].get("template") or {}).get("templateType"))
             for m in thread["messages"]]
    assert kinds == [("out", "bot", "text"), ("out", "bot", "quick_replies"), ("in", "customer", None),
                     ("out", "bot", "quick_replies")]
    replies = thread["messages"][1]["meta"]["template"]["actions"]
    assert [a["value"] for a in replies] == ["start_return", "refund_status", "browsing"]


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/__admin/orgs/{key}/conversations/{missing}", 404, "not_found"),
    ("/__admin/orgs/{key}/conversations/{other}", 404, "not_found"),     # another org's conversation
    ("/__admin/orgs/{key}/events?lastEventId=1&nope=1", 400, "unknown_field"),
    ("/__admin/orgs/{key}/conversations?page=0", 400, "invalid_field"),
    ("/__admin/orgs/{key}/conversations?pageSize=1001", 400, "invalid_field"),
    ("/__admin/orgs/{key}/conversations?pageSize=x", 400, "invalid_field"),
    ("/__admin/orgs?page=-1", 400, "invalid_field"),
    ("/__admin/orgs?nope=1", 400, "unknown_field"),
])
def test_unknown_ids_and_bad_queries_answer_in_the_envelope(client, chat, key, path, status, code):
    other_org = Chat(client, f"{key}-other")
    other_org.start()
    rv = client.get(path.format(key=key, missing="0" * 24, other=other_org.new_conversation()))
    assert rv.status_code == status and rv.json["errors"][0]["code"] == code


def test_the_watch_routes_need_the_admin_token_when_one_is_set():
    client = create_app({"TESTING": True, "ADMIN_TOKEN": ADMIN}).test_client()
    for path in ("/__admin/orgs", "/__admin/orgs/k/conversations", "/__admin/orgs/k/events"):
        assert client.get(path).json["errors"][0]["code"] == "admin_token_required"
        assert client.get(path, headers={"Authorization": f"Bearer {ADMIN}"}).status_code == 200


def test_reading_is_neither_journaled_nor_faulted(client, chat, key):
    client.post("/__admin/faults", json={"respond": {"status": 503}})
    client.delete("/__admin/requests")
    assert client.get(f"/__admin/orgs/{key}/conversations").status_code == 200
    assert client.get("/__admin/orgs").status_code == 200
    assert client.get("/__admin/requests").json["total"] == 0


def _frames(response, count: int) -> list[dict]:
    """The first `count` data frames of an event stream (the stream markers included)."""
    found, data = [], ""
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            found.append(json.loads(data))
            data = ""
            if len(found) == count:
                break
    return found


def test_the_org_stream_carries_every_customers_events_over_a_real_socket(live_server):
    url, key = live_server.url, "watch-stream-key"
    requests.post(f"{url}/__admin/reset?org={key}", timeout=10)
    headers = {"Authorization": f"Bearer {key}"}
    tokens = [requests.post(f"{url}/c/v1/tracking/tokens", headers=headers, timeout=10).json()["trackingToken"]
              for _ in range(2)]
    with requests.get(f"{url}/__admin/orgs/{key}/events", stream=True, timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        for token, text in zip(tokens, ("from one", "from two")):
            requests.post(f"{url}/c/v1/chat/sessions", json={"message": text}, timeout=10,
                          headers={**headers, "x-kustomer-tracking-token": token})
        frames = [f for f in _frames(stream, 5) if f["name"] != "__stream"]
    created = [f["payload"] for f in frames if f["name"] == "onConversationCreate"]
    sent = [f["payload"]["body"] for f in frames if f["name"] == "onMessageSent"]
    assert len(created) == 2 and sent == ["from one", "from two"]   # both customers, messages hydrated


def test_the_org_stream_resumes_after_last_event_id(live_server):
    url, key = live_server.url, "watch-resume-key"
    requests.post(f"{url}/__admin/reset?org={key}", timeout=10)
    headers = {"Authorization": f"Bearer {key}"}
    token = requests.post(f"{url}/c/v1/tracking/tokens", headers=headers, timeout=10).json()["trackingToken"]
    for text in ("one", "two"):
        requests.post(f"{url}/c/v1/chat/sessions", json={"message": text}, timeout=10,
                      headers={**headers, "x-kustomer-tracking-token": token})
    with requests.get(f"{url}/__admin/orgs/{key}/events", headers={"Last-Event-ID": "2"}, stream=True,
                      timeout=10) as stream:
        frames = [f for f in _frames(stream, 3) if f["name"] != "__stream"]
    assert [(f["name"], f["payload"].get("body")) for f in frames] == [
        ("onConversationCreate", None), ("onMessageSent", "two")]

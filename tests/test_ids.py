"""Ids shaped and ordered like Kustomer's ObjectIds; seed threads that read like support."""
from __future__ import annotations

import pytest

from mock_server.domain.clock import parse_iso
from mock_server.domain.ids import is_id
from mock_server.state import get_state
from mock_server.testing.appcalls import Chat, org_of

pytestmark = pytest.mark.private_app   # reads the seeded orgs of a fresh app and imports id states
ISSUE_TRIAGE = "5f0c1a2b3c4d5e6f7a8bb003"   # greeting, a tree question, the answer, a re-ask: one request
FROZEN = "2030-01-02T03:04:05.000Z"


def _sorted_thread(messages):
    return sorted(messages, key=lambda m: (m["createdAt"], m["messageId"]))


@pytest.mark.parametrize("frozen", [True, False])
def test_sorting_a_thread_by_created_at_then_id_gives_write_order(client, key, frozen):
    if frozen:
        client.post("/__admin/clock", json={"freeze": FROZEN})
    chat = Chat(client, key)
    chat.start()
    cid = chat.new_conversation("My parcel is late", assistantId=ISSUE_TRIAGE)
    chat.send_message(cid, body="Late delivery", payload="shipping.late")
    for text in ("A-1042", "thanks", "one more", "and another"):
        assert chat.send_message(cid, body=text).status_code == 201
    messages = chat.messages(cid).json["messages"]
    assert len(messages) >= 8
    assert _sorted_thread(messages) == messages
    if frozen:   # one createdAt for all of them: the ids alone carry the order
        assert {m["createdAt"] for m in messages} == {FROZEN}
    client.post("/__admin/clock", json={"resume": True})


def test_ids_carry_the_time_they_were_made_and_a_growing_counter(client, key):
    client.post("/__admin/clock", json={"freeze": FROZEN})
    chat = Chat(client, key)
    chat.start()
    cid = chat.new_conversation()
    message = chat.messages(cid).json["messages"][0]
    seconds = int(parse_iso(FROZEN).timestamp())
    assert is_id(cid) and is_id(message["messageId"])
    assert cid[:8] == message["messageId"][:8] == f"{seconds:08x}"
    assert cid[8:18] == message["messageId"][8:18]              # the org's part
    assert int(message["messageId"][18:], 16) > int(cid[18:], 16)  # the counter
    client.post("/__admin/clock", json={"resume": True})


def test_seeded_ids_sort_by_their_times(app):
    org = org_of(app, "seeded-ids")
    for conversation in org.conversations.values():
        thread = [(m.created_at, m.id) for m in org.messages[conversation.id]]
        assert sorted(thread) == thread
        assert all(m.id[:8] == f"{int(parse_iso(m.created_at).timestamp()):08x}"
                   for m in org.messages[conversation.id])


def test_seed_threads_read_like_support(app):
    org = org_of(app, "seeded-words")
    templates = org_templates(app)
    for conversation in org.conversations.values():
        messages = org.messages[conversation.id]
        assert any(_matches(conversation.title, t["title"]) for t in templates), conversation.title
        assert messages[0].direction == "in" and messages[1].direction == "out"
        assert messages[1].sent_by["type"] == "user"
        assert "{" not in "".join(m.body for m in messages)
        assert conversation.custom.get("issueTypeTree")
        # a thread ends only on the agent's word
        assert not conversation.ended or messages[-1].direction == "out"


def org_templates(app):
    """The bundled thread templates."""
    return get_state(app).store.fixtures.data["seedThreads"]["templates"]


def _matches(title: str, template: str) -> bool:
    head = template.split("{")[0]
    return title.startswith(head)


@pytest.mark.parametrize(("ids", "pointer"), [
    ({"machine": "xyz", "counter": 1}, "/orgs/0/ids/machine"),
    ({"machine": "00000000aa", "counter": -1}, "/orgs/0/ids/counter"),
    ({"machine": "00000000aa", "counter": 2 ** 24}, "/orgs/0/ids/counter"),
])
def test_an_imported_id_state_is_checked(client, key, ids, pointer):
    Chat(client, key).start()
    document = client.get("/__admin/state").json
    document["orgs"][0]["ids"] = ids
    rv = client.put("/__admin/state", json=document)
    assert rv.status_code == 400
    assert ("invalid_field", {"pointer": pointer}) in [(e["code"], e.get("source")) for e in rv.json["errors"]]


def test_the_id_state_travels_with_an_export(client, key):
    Chat(client, key).start()
    exported = client.get("/__admin/state").json["orgs"][0]["ids"]
    assert set(exported) == {"machine", "counter"} and len(exported["machine"]) == 10

"""Stubs over HTTP (/__admin/stubs): any status, body and headers, with a fault rule's match, times and scope."""
from __future__ import annotations

import pytest

from mock_server import create_app
from mock_server.testing.appcalls import Chat

pytestmark = pytest.mark.private_app   # adds stubs, which every org of an app shares


def add(client, **rule):
    rv = client.post("/__admin/stubs", json=rule)
    assert rv.status_code == 201, rv.json
    return rv.json


def test_a_stub_answers_its_body_once_then_the_view_answers(client, chat):
    chat.new_conversation()
    stub = add(client, match={"operation": "getConversations"}, respond={"body": {"conversations": []}}, times=1)
    assert stub["id"] == "s1" and stub["respond"] == {"status": 200, "body": {"conversations": []}}
    stubbed = chat.conversations()
    assert stubbed.status_code == 200 and stubbed.json == {"conversations": []}
    assert stubbed.headers["x-kustomer-mock-stub"] == "s1"
    assert chat.conversations().json["total"] == 1          # times: 1 is used up
    entries = client.get("/__admin/requests", query_string={"operation": "getConversations"}).json["requests"]
    assert [(e["status"], e["stub"], e["responseBody"]) for e in entries][:1] == [(200, "s1", {"conversations": []})]
    assert client.get("/__admin/stubs").json["stubs"][0]["hits"] == 1


@pytest.mark.parametrize(("respond", "status", "content_type", "data"), [
    ({"status": 201, "body": [1, "two"]}, 201, "application/json", b'[1, "two"]'),
    ({"status": 202, "text": "queued", "headers": {"Content-Type": "text/csv", "X-Extra": "1"}}, 202, "text/csv",
     b"queued"),
    ({"status": 204}, 204, None, b""),
    ({"status": 302, "headers": {"Location": "/elsewhere"}}, 302, None, b""),
    ({"status": 418, "body": {"teapot": True}}, 418, "application/json", b'{"teapot": true}'),
])
def test_any_status_body_and_headers(client, chat, respond, status, content_type, data):
    add(client, match={"path": "/c/v1/chat/unread"}, respond=respond)
    rv = chat.unread()
    assert rv.status_code == status and rv.get_data() == data
    assert rv.headers.get("Content-Type") == content_type
    for name, value in (respond.get("headers") or {}).items():
        assert rv.headers[name] == value


def test_a_stub_is_scoped_to_its_org(client, chat):
    add(client, match={"operation": "getUnreadCount", "org": chat.key}, respond={"body": {"total": 99}})
    other = Chat(client, chat.key + "-other")
    other.start()
    assert chat.unread().json == {"total": 99}
    assert other.unread().json["total"] == 0


def test_a_fault_beats_a_stub_and_a_stubbed_create_creates_nothing(client, chat):
    add(client, match={"operation": "createConversation"}, respond={"status": 201, "body": {"conversationId": "x"}})
    client.post("/__admin/faults", json={"match": {"operation": "createConversation"}, "respond": {"status": 503},
                                         "times": 1})
    assert chat.create_conversation(message="hi").status_code == 503
    assert chat.create_conversation(message="hi").json == {"conversationId": "x"}
    assert chat.conversations().json["total"] == 0


def test_a_delay_fault_delays_a_stubbed_answer(client, chat):
    add(client, match={"operation": "getUnreadCount"}, respond={"body": {"total": 7}})
    client.post("/__admin/faults", json={"match": {"operation": "getUnreadCount"}, "delayMs": 1, "times": 1})
    assert chat.unread().json == {"total": 7}
    entry = client.get("/__admin/requests", query_string={"operation": "getUnreadCount"}).json["requests"][-1]
    assert (entry["fault"], entry["stub"]) == ("f1", "s1")


@pytest.mark.parametrize(("rule", "pointer", "code"), [
    ({}, "/respond", "missing_field"),
    ({"respond": {"status": 199}}, "/respond/status", "invalid_field"),
    ({"respond": {"status": 600}}, "/respond/status", "invalid_field"),
    ({"respond": {"body": {}, "text": "x"}}, "/respond/text", "invalid_field"),
    ({"respond": {"status": 204, "body": {}}}, "/respond/body", "invalid_field"),
    ({"respond": {"headers": {"bad name": "x"}}}, "/respond/headers", "invalid_field"),
    ({"respond": {}, "drop": "reset"}, "/drop", "unknown_field"),
    ({"respond": {}, "match": {"operation": "getConversation"}}, "/match/operation", "invalid_field"),
])
def test_bad_stubs_are_refused_with_a_pointer(client, rule, pointer, code):
    rv = client.post("/__admin/stubs", json=rule)
    assert rv.status_code == 400
    error = rv.json["errors"][0]
    assert error["source"]["pointer"].startswith(pointer) and error["code"] == code


def test_stubs_are_removed_one_by_one_or_all(client):
    first, second = add(client, respond={"status": 200}), add(client, respond={"status": 201})
    assert client.delete(f"/__admin/stubs/{first['id']}").json["id"] == "s1"
    assert client.delete("/__admin/stubs/s1").json["errors"][0]["code"] == "not_found"
    assert client.delete("/__admin/stubs").json == {"removed": 1}
    assert second["id"] == "s2" and add(client, respond={"status": 200})["id"] == "s1"


def test_a_scenario_may_carry_stubs(client, chat, tmp_path):
    body = {"stubs": [{"match": {"operation": "getUnreadCount"}, "respond": {"body": {"total": 5}}}]}
    rv = client.post("/__admin/faults/scenarios/mine", json=body)
    assert rv.status_code == 201 and rv.json["faults"] == [] and rv.json["stubs"][0]["scenario"] == "mine"
    assert chat.unread().json == {"total": 5}
    bad = client.post("/__admin/faults/scenarios/mine", json={"stubs": [{"respond": {"status": 7}}]})
    assert bad.json["errors"][0]["source"]["pointer"] == "/stubs/0/respond/status"


def test_a_scenario_file_with_stubs_loads_at_boot(tmp_path):
    file = tmp_path / "empty-history.yaml"
    file.write_text("stubs:\n  - match: {operation: getConversations}\n    respond: {body: {conversations: []}}\n")
    client = create_app({"TESTING": True, "FAULTS": str(file)}).test_client()
    assert client.get("/__admin/stubs").json["stubs"][0]["scenario"] == str(file)
    chat = Chat(client, "boot-key")
    chat.start()
    assert chat.conversations().json == {"conversations": []}

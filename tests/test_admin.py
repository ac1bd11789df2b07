"""The control API, first part: health, reset, org descriptions."""
from __future__ import annotations

from mock_server import __version__


def test_health(client):
    rv = client.get("/__admin/health")
    assert rv.status_code == 200
    assert rv.json["status"] == "ok" and rv.json["version"] == __version__


def test_org_description_for_tools(client):
    org = client.get("/__admin/orgs/describe-me").json
    assert org["key"] == "describe-me" and org["name"] == "describe-me"
    assert org["brands"][0]["name"] == "Acme Outfitters"
    assert org["settings"]["availability"] == "online"
    assert org["chatSecret"] == "kustomer-mock-chat-secret"
    assert {"id", "name"} <= set(org["users"][0])
    conversation = {a["name"]: a for a in org["klasses"]["conversation"]}
    assert {a["type"] for a in conversation.values()} >= {"str", "txt", "num", "bool", "at", "url", "tree"}
    tree = conversation["issueTypeTree"]["tree"]
    assert tree["children"][0]["children"][0]["id"] == "shipping.late"   # two levels
    assert "customer" in org["klasses"]
    for assistant in org["assistants"]:
        assert assistant["firstQuestion"]["type"] in ("text", "button", "attribute")


def test_reset_takes_a_body_of_nothing_but_an_object(client):
    assert client.post("/__admin/reset", json={}).status_code == 200


def test_reset_with_an_empty_org_is_400_and_resets_nothing(client, chat):
    conversation_id = chat.new_conversation()
    rv = client.post("/__admin/reset?org=")
    assert rv.status_code == 400
    assert [(e["code"], e["source"]) for e in rv.json["errors"]] == [("invalid_field", {"parameter": "org"})]
    assert chat.call("GET", f"/c/v1/chat/sessions/{conversation_id}").status_code == 200

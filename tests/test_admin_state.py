"""The control API's clock and run-time org settings."""
from __future__ import annotations

import pytest

from mock_server.domain.clock import parse_iso

pytestmark = pytest.mark.private_app   # moves the clock and imports whole states
ORDER_HELPER = "5f0c1a2b3c4d5e6f7a8bb001"


def test_clock_freeze_advance_resume(client, chat):
    rv = client.post("/__admin/clock", json={"freeze": "2030-01-02T03:04:05.000Z"})
    assert rv.json == {"now": "2030-01-02T03:04:05.000Z", "frozen": True, "offsetSeconds": 0.0}
    assert chat.create_conversation(message="hi").json["createdAt"] == "2030-01-02T03:04:05.000Z"
    assert client.post("/__admin/clock", json={"advanceSeconds": 90}).json["now"] == "2030-01-02T03:05:35.000Z"
    assert client.get("/__admin/clock").json["now"] == "2030-01-02T03:05:35.000Z"
    resumed = client.post("/__admin/clock", json={"resume": True}).json
    assert resumed["frozen"] is False and resumed["now"] != "2030-01-02T03:05:35.000Z"


@pytest.mark.parametrize(("body", "pointer", "code"), [
    ({}, "/freeze", "invalid_field"),
    ({"freeze": "soon"}, "/freeze", "invalid_field"),
    ({"advanceSeconds": -5}, "/advanceSeconds", "invalid_field"),
    ({"advanceSeconds": "ten"}, "/advanceSeconds", "invalid_field"),
    ({"resume": False}, "/resume", "invalid_field"),
    ({"freeze": "2030-01-01T00:00:00Z", "advanceSeconds": 1}, "/freeze", "invalid_field"),
    ({"rewind": 3}, "/rewind", "unknown_field"),
])
def test_bad_clock_changes(client, body, pointer, code):
    rv = client.post("/__admin/clock", json=body)
    assert rv.status_code == 400
    assert (pointer, code) in [(e["source"]["pointer"], e["code"]) for e in rv.json["errors"]]
    assert client.get("/__admin/clock").json["frozen"] is False


@pytest.mark.parametrize(("setup", "body", "pointer"), [
    (None, {"freeze": "0001-01-01T00:00:00Z"}, "/freeze"),
    (None, {"freeze": "1969-12-31T23:59:59Z"}, "/freeze"),
    (None, {"freeze": "0001-01-01T00:00:00+01:00"}, "/freeze"),
    ({"freeze": "9999-12-31T23:59:59.999Z"}, {"advanceSeconds": 1}, "/advanceSeconds"),
    ({"freeze": "9999-12-01T00:00:00Z"}, {"advanceSeconds": 315360000}, "/advanceSeconds"),
])
def test_the_clock_stays_within_1970_to_9999(client, chat, setup, body, pointer):
    if setup:
        assert client.post("/__admin/clock", json=setup).status_code == 200
    before = client.get("/__admin/clock").json
    rv = client.post("/__admin/clock", json=body)
    assert rv.status_code == 400
    assert [(e["code"], e["source"]["pointer"]) for e in rv.json["errors"]] == [("invalid_field", pointer)]
    assert client.get("/__admin/clock").json["frozen"] == before["frozen"]
    assert chat.create_conversation(message="still works").status_code == 201


def test_advancing_a_running_clock_for_ever_never_breaks_a_route(client, chat):
    answers = {client.post("/__admin/clock", json={"advanceSeconds": 315360000}).status_code for _ in range(800)}
    assert answers == {200, 400}
    now = client.get("/__admin/clock").json["now"]
    assert now.startswith("99") and now.endswith("Z")
    assert chat.create_conversation(message="hi").status_code == 201
    assert client.get("/__admin/requests").status_code == 200


def _patch(client, key, **body):
    return client.patch(f"/__admin/orgs/{key}/settings", json=body)


@pytest.mark.parametrize("mode", ["offline", "hidden", "disabled", "online"])
def test_availability_changes_what_the_sdk_sees(client, chat, mode):
    rv = _patch(client, chat.key, availability=mode)
    assert rv.status_code == 200 and rv.json["availability"] == mode
    assert chat.call("GET", "/c/v1/chat/availability").json == {"availability": mode}


def test_scheduled_follows_business_hours_on_the_mock_clock(client, chat):
    _patch(client, chat.key, availability="scheduled")
    client.post("/__admin/clock", json={"freeze": "2030-01-07T15:00:00Z"})   # a Monday, 10:00 in New York
    assert chat.call("GET", "/c/v1/chat/availability").json == {"availability": "online"}
    client.post("/__admin/clock", json={"advanceSeconds": 12 * 3600})
    assert chat.call("GET", "/c/v1/chat/availability").json == {"availability": "offline"}


def test_any_subset_and_the_answer_is_the_settings(client, key):
    rv = _patch(client, key, startDelayMs=250, allowEndConversation=False)
    assert rv.json["startDelayMs"] == 250 and rv.json["allowEndConversation"] is False
    assert rv.json["availability"] == "online" and "teamName" in rv.json
    assert client.get(f"/__admin/orgs/{key}").json["settings"] == rv.json


def test_ending_can_be_forbidden(client, chat):
    cid = chat.new_conversation()
    _patch(client, chat.key, allowEndConversation=False)
    rv = chat.call("POST", f"/c/v1/chat/sessions/{cid}/end")
    assert rv.status_code == 403 and rv.json["errors"][0]["code"] == "ending_not_allowed"


def test_default_assistant(client, chat):
    rv = _patch(client, chat.key, defaultAssistantId=ORDER_HELPER)
    assert rv.json["activeAssistant"] == ORDER_HELPER
    assert chat.start().json["assistantId"] == ORDER_HELPER
    assert _patch(client, chat.key, defaultAssistantId=None).json["activeAssistant"] is None


@pytest.mark.parametrize(("body", "status", "code", "pointer"), [
    ({"availability": "maybe"}, 400, "invalid_field", "/availability"),
    ({"startDelayMs": -1}, 400, "invalid_field", "/startDelayMs"),
    ({"startDelayMs": 60_001}, 400, "invalid_field", "/startDelayMs"),
    ({"allowEndConversation": "sometimes"}, 400, "invalid_field", "/allowEndConversation"),
    ({"defaultAssistantId": "5f0c1a2b3c4d5e6f7a8bbfff"}, 404, "unknown_assistant", "/defaultAssistantId"),
    ({"greeting": "hi"}, 400, "unknown_field", "/greeting"),
])
def test_bad_settings_change_nothing(client, key, body, status, code, pointer):
    before = client.get(f"/__admin/orgs/{key}").json["settings"]
    rv = _patch(client, key, **{"availability": "offline", **body})   # a good change beside the bad one
    assert rv.status_code == status
    assert (pointer, code) in [(e["source"]["pointer"], e["code"]) for e in rv.json["errors"]]
    assert client.get(f"/__admin/orgs/{key}").json["settings"] == before


def test_default_assistant_id_is_echoed_where_it_is_set_and_read(client, key):
    assistant = client.get(f"/__admin/orgs/{key}").json["assistants"][0]["id"]
    assert client.get(f"/__admin/orgs/{key}").json["settings"]["defaultAssistantId"] is None
    rv = _patch(client, key, defaultAssistantId=assistant)
    assert rv.status_code == 200
    assert rv.json["defaultAssistantId"] == assistant == rv.json["activeAssistant"]
    assert client.get(f"/__admin/orgs/{key}").json["settings"]["defaultAssistantId"] == assistant
    assert _patch(client, key, defaultAssistantId=None).json["defaultAssistantId"] is None


@pytest.mark.parametrize(("sent", "shown"), [(1500, 1500), (1500.0, 1500), (0, 0), (250.5, 250.5)])
def test_start_delay_stays_integral_where_it_was_sent_whole(client, key, sent, shown):
    rv = _patch(client, key, startDelayMs=sent)
    read = client.get(f"/__admin/orgs/{key}").json["settings"]["startDelayMs"]
    for value in (rv.json["startDelayMs"], read):
        assert value == shown and type(value) is type(shown)
    assert f'"startDelayMs":{shown}' in rv.get_data(as_text=True).replace(" ", "")


def test_freeze_now_stops_the_clock_where_it_is(client):
    client.post("/__admin/clock", json={"freeze": "2030-01-02T03:04:05.000Z"})
    assert client.post("/__admin/clock", json={"freeze": "now"}).json == {
        "now": "2030-01-02T03:04:05.000Z", "frozen": True, "offsetSeconds": 0.0}   # frozen stays put
    client.post("/__admin/clock", json={"resume": True})
    client.post("/__admin/clock", json={"advanceSeconds": 86400})   # running, a day ahead of real time
    before = parse_iso(client.get("/__admin/clock").json["now"])
    frozen = client.post("/__admin/clock", json={"freeze": "now"}).json
    assert frozen["frozen"] is True and parse_iso(frozen["now"]) >= before   # never backwards
    assert client.get("/__admin/clock").json == frozen
    client.post("/__admin/clock", json={"resume": True})


@pytest.mark.parametrize("word", ["Now", "now ", "today", ""])
def test_freeze_takes_only_the_word_now_beside_a_time(client, word):
    rv = client.post("/__admin/clock", json={"freeze": word})
    assert rv.status_code == 400
    assert [(e["source"]["pointer"], e["code"]) for e in rv.json["errors"]] == [("/freeze", "invalid_field")]

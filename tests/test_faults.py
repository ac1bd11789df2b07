"""Fault rules over HTTP: matching, respond, times/after/probability, validation, scenarios."""
from __future__ import annotations

import pytest

from mock_server import create_app
from mock_server.control.rules import MAX_DELAY_MS, Call, FaultSet
from mock_server.control.scenarios import InvalidScenario
from mock_server.testing.appcalls import Chat

pytestmark = pytest.mark.private_app   # adds fault rules, which every org of an app shares


def add(client, **rule):
    rv = client.post("/__admin/faults", json=rule)
    assert rv.status_code == 201, rv.json
    return rv.json


def test_a_rule_is_stored_with_an_id_and_listed(client):
    rule = add(client, match={"operation": "createConversation"}, respond={"status": 503}, times=2)
    assert rule["id"] == "f1" and rule["times"] == 2 and rule["probability"] == 1.0 and rule["hits"] == 0
    assert client.get("/__admin/faults").json == {"faults": [rule]}


def test_respond_answers_the_envelope_and_a_faulted_create_creates_nothing(client, chat):
    add(client, match={"operation": "createConversation"},
        respond={"status": 503, "code": "chat_down", "title": "Down", "detail": "planned", "headers": {"X-A": "1"}})
    rv = chat.create_conversation(message="hi")
    assert rv.status_code == 503
    assert rv.json["errors"][0] == {"status": 503, "code": "chat_down", "title": "Down", "detail": "planned",
                                    "meta": {"fault": "f1"}}
    assert rv.headers["X-A"] == "1" and rv.headers["x-kustomer-mock-fault"] == "f1"
    assert chat.conversations().json["total"] == 0


def test_a_429_carries_rate_limit_headers_unless_given(client, chat):
    add(client, match={"operation": "getUnreadCount"}, respond={"status": 429}, times=1)
    add(client, match={"operation": "getUnreadCount"}, respond={"status": 429, "headers": {"Retry-After": "7"}})
    first, second = chat.unread(), chat.unread()
    assert first.json["errors"][0]["code"] == "rate_limited"
    assert {k: first.headers[k] for k in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                                          "Retry-After")} == {"x-ratelimit-limit": "1000", "x-ratelimit-remaining": "0",
                                                              "x-ratelimit-reset": "1", "Retry-After": "1"}
    assert second.headers["Retry-After"] == "7" and second.headers["x-ratelimit-remaining"] == "0"


@pytest.mark.parametrize(("match", "hit"), [
    ({}, True),
    ({"operation": "getUnreadCount"}, True),
    ({"operation": "sendMessage"}, False),
    ({"method": "get"}, True),
    ({"method": "POST"}, False),
    ({"path": "/c/v1/chat/*"}, True),
    ({"path": "/v1/*"}, False),
    ({"org": "KEY"}, True),
    ({"org": "another-key"}, False),
    ({"operation": "getUnreadCount", "org": "another-key"}, False),
])
def test_match_fields(client, chat, match, hit):
    add(client, match={k: (chat.key if v == "KEY" else v) for k, v in match.items()}, respond={"status": 500})
    assert chat.unread().status_code == (500 if hit else 200)


def test_admin_calls_and_browser_files_are_never_faulted(client):
    add(client, respond={"status": 500})
    assert client.get("/__admin/health").status_code == 200
    assert client.get("/chat-web/widget.js").status_code != 500


def test_times_expires_the_rule(client, chat):
    add(client, match={"operation": "getUnreadCount"}, respond={"status": 503}, times=2)
    assert [chat.unread().status_code for _ in range(4)] == [503, 503, 200, 200]
    rule = client.get("/__admin/faults").json["faults"][0]
    assert rule["hits"] == 2 and rule["expired"] is True


def test_after_lets_the_first_calls_through(client, chat):
    add(client, match={"operation": "getUnreadCount"}, respond={"status": 503}, after=2, times=1)
    assert [chat.unread().status_code for _ in range(4)] == [200, 200, 503, 200]


def test_first_rule_that_fires_wins_in_the_order_added(client, chat):
    add(client, match={"operation": "getUnreadCount"}, respond={"status": 502}, after=1)
    add(client, match={"operation": "getUnreadCount"}, respond={"status": 503})
    assert [chat.unread().status_code for _ in range(3)] == [503, 502, 502]


def _pattern(seed: int, rule_seed: str | None = None) -> list[int]:
    client = create_app({"TESTING": True, "SEED": seed}).test_client()
    chat = Chat(client, "probability-key")
    chat.start()
    add(client, match={"operation": "getUnreadCount"}, respond={"status": 503}, probability=0.5,
        **({"seed": rule_seed} if rule_seed else {}))
    return [chat.unread().status_code for _ in range(40)]


def test_probability_repeats_exactly_with_the_same_seed():
    first = _pattern(seed=7)
    assert first == _pattern(seed=7)
    assert 5 < first.count(503) < 35 and first != _pattern(seed=8)
    assert _pattern(seed=7, rule_seed="x") == _pattern(seed=8, rule_seed="x") != first


def test_clear_restarts_ids_so_a_rerun_draws_the_same(client, chat):
    def run():
        add(client, match={"operation": "getUnreadCount"}, respond={"status": 503}, probability=0.3)
        codes = [chat.unread().status_code for _ in range(20)]
        assert client.delete("/__admin/faults").json == {"removed": 1}
        return codes
    assert run() == run()


def test_remove_one_rule(client, chat):
    add(client, match={"operation": "getUnreadCount"}, respond={"status": 503})
    assert client.delete("/__admin/faults/f1").json["id"] == "f1"
    assert chat.unread().status_code == 200
    rv = client.delete("/__admin/faults/f1")
    assert rv.status_code == 404 and rv.json["errors"][0]["code"] == "not_found"


def test_a_delay_alone_lets_the_view_answer(client, chat):
    add(client, match={"operation": "getUnreadCount"}, delayMs=1, times=1)
    assert chat.unread().status_code == 200
    assert client.get("/__admin/requests?operation=getUnreadCount").json["requests"][-1]["fault"] == "f1"


def test_delays_are_drawn_in_range():
    faults = FaultSet(seed=3)
    faults.add([{"delayMs": {"min": 10, "max": 20}}])
    call = Call("start", "POST", "/c/v1/tracking/tokens")
    delays = [faults.decide(call).delay_ms for _ in range(50)]
    assert all(10 <= d <= 20 for d in delays) and len(set(delays)) > 1


def test_delay_above_the_maximum_is_clamped_when_stored(client):
    assert add(client, delayMs=10 * MAX_DELAY_MS)["delayMs"] == MAX_DELAY_MS
    assert add(client, delayMs={"min": 0, "max": 10 * MAX_DELAY_MS})["delayMs"] == {"min": 0, "max": MAX_DELAY_MS}


@pytest.mark.parametrize(("rule", "pointer", "code"), [
    ({"match": {"operation": "x"}}, "/respond", "invalid_field"),
    ({"respond": {"status": 200}}, "/respond/status", "invalid_field"),
    ({"respond": {"status": "oops"}}, "/respond/status", "invalid_field"),
    ({"respond": {}}, "/respond/status", "missing_field"),
    ({"respond": {"status": 500, "code": "Not Snake"}}, "/respond/code", "invalid_field"),
    ({"respond": {"status": 500, "headers": {"X-A": 1}}}, "/respond/headers/X-A/value", "invalid_field"),
    ({"drop": "explode"}, "/drop", "invalid_field"),
    ({"delayMs": -1}, "/delayMs", "invalid_field"),
    ({"delayMs": "slow"}, "/delayMs", "invalid_field"),
    ({"delayMs": {"min": 5}}, "/delayMs/max", "missing_field"),
    ({"delayMs": {"min": 9, "max": 1}}, "/delayMs/min", "invalid_field"),
    ({"drop": "reset", "times": 0}, "/times", "invalid_field"),
    ({"drop": "reset", "after": -1}, "/after", "invalid_field"),
    ({"drop": "reset", "probability": 1.5}, "/probability", "invalid_field"),
    ({"drop": "reset", "match": {"method": "FETCH"}}, "/match/method", "invalid_field"),
    ({"drop": "reset", "match": {"operation": ""}}, "/match/operation", "invalid_field"),
    ({"drop": "reset", "match": {"verb": "GET"}}, "/match/verb", "unknown_field"),
    ({"drop": "reset", "when": "always"}, "/when", "unknown_field"),
])
def test_bad_rules_answer_400_pointing_at_the_field(client, rule, pointer, code):
    rv = client.post("/__admin/faults", json=rule)
    assert rv.status_code == 400
    assert {"pointer": pointer, "code": code} in [{"pointer": e["source"]["pointer"], "code": e["code"]}
                                                  for e in rv.json["errors"]]
    assert client.get("/__admin/faults").json == {"faults": []}


def test_a_drop_without_a_socket_says_so(client, chat):
    add(client, match={"operation": "getUnreadCount"}, drop="reset")
    rv = chat.unread()
    assert rv.status_code == 502 and rv.json["errors"][0]["code"] == "connection_dropped"


def test_malformed_answers_a_truncated_json_body(client, chat):
    add(client, match={"operation": "getUnreadCount"}, drop="malformed")
    rv = chat.unread()
    assert rv.status_code == 200 and rv.content_type == "application/json"
    with pytest.raises(ValueError):
        rv.get_json(force=True)


def test_scenarios_are_listed_and_loaded_by_name(client, chat):
    names = {s["name"] for s in client.get("/__admin/faults/scenarios").json["scenarios"]}
    assert {"flaky-network", "chat-outage", "slow-assistant", "rate-limit-storm"} <= names
    rv = client.post("/__admin/faults/scenarios/chat-outage")
    assert rv.status_code == 201 and rv.json["faults"][0]["scenario"] == "chat-outage"
    assert chat.unread().status_code == 503
    assert client.get("/__admin/health").status_code == 200


def test_every_bundled_scenario_loads(client):
    for name in ("flaky-network", "chat-outage", "slow-assistant", "rate-limit-storm"):
        assert client.post(f"/__admin/faults/scenarios/{name}").status_code == 201


def test_an_inline_scenario_is_checked_as_a_whole(client):
    rv = client.post("/__admin/faults/scenarios/mine", json={"faults": [{"drop": "reset"},
                                                                        {"respond": {"status": 99}}]})
    assert rv.status_code == 400 and rv.json["errors"][0]["source"]["pointer"] == "/faults/1/respond/status"
    assert client.get("/__admin/faults").json["faults"] == []
    rv = client.post("/__admin/faults/scenarios/mine", json={"faults": [{"drop": "reset", "times": 1}]})
    assert rv.status_code == 201 and rv.json["faults"][0]["scenario"] == "mine"


def test_an_unknown_scenario_is_404_naming_the_known_ones(client):
    rv = client.post("/__admin/faults/scenarios/no-such")
    assert rv.status_code == 404 and "chat-outage" in rv.json["errors"][0]["detail"]


def test_a_scenario_loads_at_boot():
    client = create_app({"TESTING": True, "FAULTS": "chat-outage"}).test_client()
    assert client.get("/__admin/faults").json["faults"][0]["scenario"] == "chat-outage"
    assert Chat(client, "boot-key").start().status_code == 503


@pytest.mark.parametrize("value", [".nan", ".inf", "{min: 0, max: .inf}", "{min: .nan, max: 5}"])
def test_a_scenario_file_with_a_non_finite_delay_is_refused(tmp_path, value):
    # YAML, unlike JSON, has NaN and infinity: the rule schema refuses them itself
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: bad\nfaults:\n  - delayMs: {value}\n", encoding="utf-8")
    with pytest.raises(InvalidScenario) as caught:
        create_app({"TESTING": True, "FAULTS": str(path)})
    assert "delayMs" in str(caught.value)


@pytest.mark.parametrize(("match", "pointer", "hint"), [
    ({"operation": "creatConversation"}, "/match/operation", "createConversation"),
    ({"operation": "createconversation"}, "/match/operation", "createConversation"),
    ({"operation": "getConversation"}, "/match/operation", "getConversations"),
    ({"operation": "reset"}, "/match/operation", ""),              # the control API is never faulted
    ({"operation": "widgetJs"}, "/match/operation", ""),
    ({"path": "[["}, "/match/path", "["),
    ({"path": "/c/[a-"}, "/match/path", "["),
    ({"path": "c/*"}, "/match/path", "/"),
])
def test_a_match_that_could_never_fire_is_refused(client, match, pointer, hint):
    rv = client.post("/__admin/faults", json={"match": match, "drop": "reset"})
    assert rv.status_code == 400, rv.json
    assert [(e["code"], e["source"]["pointer"]) for e in rv.json["errors"]] == [("invalid_field", pointer)]
    assert hint in rv.json["errors"][0]["detail"]
    assert client.get("/__admin/faults").json == {"faults": []}


@pytest.mark.parametrize("match", [
    {"operation": "createConversation"}, {"operation": "eventStream"}, {"operation": "sdkWarning"},
    {"operation": "createConversationV1"}, {"operation": "createOutboundMessage"},
    {"path": "/c/*"}, {"path": "*/messages"}, {"path": "/v1/[cm]*"}, {"path": "/c/[!x]*"},
])
def test_known_operations_and_sound_globs_are_taken(client, match):
    assert client.post("/__admin/faults", json={"match": match, "drop": "reset"}).status_code == 201


def test_a_scenario_with_an_unknown_operation_is_refused_as_a_whole(client):
    rv = client.post("/__admin/faults/scenarios/mine", json={"faults": [
        {"drop": "reset"}, {"match": {"operation": "sendMesage"}, "drop": "reset"}]})
    assert rv.status_code == 400 and rv.json["errors"][0]["source"]["pointer"] == "/faults/1/match/operation"
    assert "sendMessage" in rv.json["errors"][0]["detail"]
    assert client.get("/__admin/faults").json["faults"] == []

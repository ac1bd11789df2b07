"""MockOrg and its parts (mock_server.testing: org.py, helpers.py), through the plugin's own kustomer_mock fixture."""
from __future__ import annotations

import pytest

from mock_server.testing import ApiCallError, MockOrg
from mock_server.testing import http_json

ALEX, SAM = "5f0c1a2b3c4d5e6f7a8b9e01", "5f0c1a2b3c4d5e6f7a8b9e02"  # the fixtures' first two agents


def test_the_widget_script_tag_names_the_mock_and_the_key(kustomer_mock):
    assert kustomer_mock.widget_script_tag() == (
        f'<script src="{kustomer_mock.url}/chat-web/widget.js" data-kustomer-api-key="{kustomer_mock.key}"></script>')
    assert f'src="{kustomer_mock.url}/chat-web/core.js"' in kustomer_mock.widget_script_tag("core.js")


def test_an_agent_replies_types_and_ends_the_conversation(kustomer_mock):
    customer = kustomer_mock.customer()
    conversation = customer.create_conversation("Where is my parcel?")["conversationId"]
    reply = kustomer_mock.agent_reply(conversation, "Alex here, looking into it")
    assert reply["attributes"]["sentBy"]["id"] == ALEX
    kustomer_mock.agent_reply(conversation, "Sam too", user_id=SAM)
    assert [m["body"] for m in customer.messages(conversation)] == [
        "Where is my parcel?", "Alex here, looking into it", "Sam too"]
    kustomer_mock.agent_typing(conversation)
    kustomer_mock.assert_called("sendAgentTyping", times=1, status=200, typing=True, **{"from": ALEX})
    assert kustomer_mock.end_conversation(conversation)["attributes"]["ended"] is True
    with pytest.raises(ApiCallError) as refused:
        customer.send_message(conversation, "hello?")
    assert (refused.value.status, refused.value.code) == (409, "conversation_ended")


def test_the_customer_of_a_conversation_the_helpers_did_not_create_is_looked_up(kustomer_mock):
    started = kustomer_mock.call("POST", "/c/v1/tracking/tokens")
    created = kustomer_mock.call("POST", "/c/v1/chat/sessions", {"message": "from a browser"},
                                 {"x-kustomer-tracking-token": started["trackingToken"]})
    kustomer_mock.agent_reply(created["conversationId"], "Hi")
    assert kustomer_mock.customer_of(created["conversationId"]) == started["customerId"]
    kustomer_mock.assert_called("getConversationV1", times=1, status=200)


def test_faults_match_this_org_only_and_clear_removes_only_its_own(kustomer_mock):
    rule = kustomer_mock.faults.add(match={"operation": "start"}, respond={"status": 503})
    assert rule["match"] == {"org": kustomer_mock.key, "operation": "start"}
    other = kustomer_mock.admin.add_fault(match={"org": "someone-else", "operation": "start"}, respond={"status": 500})
    try:
        with pytest.raises(ApiCallError) as failed:
            kustomer_mock.customer()
        assert (failed.value.status, failed.value.code) == (503, "service_unavailable")
        assert http_json(kustomer_mock.url, "POST", "/c/v1/tracking/tokens", f"{kustomer_mock.key}-other")["trackingToken"]
        assert kustomer_mock.faults.clear() == 1
        assert [f["id"] for f in kustomer_mock.admin.faults()] == [other["id"]]
        kustomer_mock.customer()
    finally:
        kustomer_mock.admin.remove_fault(other["id"])


def test_a_drop_fault_is_an_error_without_a_status(kustomer_mock):
    kustomer_mock.faults.add(match={"operation": "start"}, drop="reset", times=1)
    with pytest.raises(ApiCallError) as dropped:
        kustomer_mock.customer()
    assert dropped.value.status is None and dropped.value.code is None
    assert kustomer_mock.requests("start")[0]["status"] is None


def test_the_clock_freezes_advances_and_is_resumed_when_the_org_closes(kustomer_mock):
    kustomer_mock.clock.freeze("2030-01-02T03:04:05.000Z")
    assert kustomer_mock.customer().create_conversation("hi")["createdAt"] == "2030-01-02T03:04:05.000Z"
    kustomer_mock.clock.advance(90)
    assert kustomer_mock.clock.now() == "2030-01-02T03:05:35.000Z"
    kustomer_mock.close()
    assert kustomer_mock.admin.clock()["frozen"] is False and kustomer_mock.clock.touched is False


def test_a_login_token_logs_the_customer_in(kustomer_mock):
    customer = kustomer_mock.customer()
    answer = customer.call("POST", "/c/v1/identity", {"jwtToken": kustomer_mock.login_token(email="jane@example.com")})
    assert answer["identified"] is True and answer["email"] == "jane@example.com"
    assert customer.call("POST", "/c/v1/identity", {"jwtToken": kustomer_mock.login_token(external_id="ext-7")})


def test_settings_change_this_org(kustomer_mock):
    kustomer_mock.settings(availability="offline")
    assert kustomer_mock.customer().call("GET", "/c/v1/chat/availability") == {"availability": "offline"}
    assert kustomer_mock.org()["settings"]["availability"] == "offline"


def test_assert_called_counts_returns_the_matches_and_matches_subsets(kustomer_mock):
    customer = kustomer_mock.customer()
    for text in ("one", "two"):
        customer.create_conversation(text, customAttributes={"orderNumberStr": "A-1"})
    found = kustomer_mock.assert_called("createConversation", times=2, customAttributes={"orderNumberStr": "A-1"},
                                        response={"ended": False}, method="POST")
    assert [e["requestBody"]["message"] for e in found] == ["one", "two"]
    kustomer_mock.assert_called("sendMessage", times=0)
    with pytest.raises(AssertionError, match=r"\(exactly 1 time\) .* found 2 matching of 2"):
        kustomer_mock.assert_called("createConversation", times=1)


def test_wait_for_returns_each_entry_once_and_explains_a_timeout(kustomer_mock):
    customer = kustomer_mock.customer()
    conversation = customer.create_conversation("first")["conversationId"]
    customer.send_message(conversation, "second")
    customer.send_message(conversation, "third")
    assert kustomer_mock.wait_for("sendMessage")["requestBody"] == {"body": "second"}
    assert kustomer_mock.wait_for("sendMessage")["requestBody"] == {"body": "third"}
    with pytest.raises(AssertionError) as timed_out:
        kustomer_mock.wait_for("sendMessage", timeout=0.1, body={"body": "fourth"})
    assert str(timed_out.value).startswith("waited 0.1s for a new call: expected sendMessage with body={'body': "
                                           "'fourth'} (at least once)")


def test_sdk_warnings_fail_the_assertion_with_their_reasons(kustomer_mock):
    kustomer_mock.assert_no_sdk_warnings()
    kustomer_mock.call("POST", "/c/v1/diagnostics", {"method": "createConversation", "reason": "called before start",
                                                     "pageUrl": "http://shop.test/"})
    with pytest.raises(AssertionError) as failed:
        kustomer_mock.assert_no_sdk_warnings()
    assert str(failed.value) == (f"the fake SDK reported 1 integration warning(s) for org {kustomer_mock.key!r}:\n"
                                 "  createConversation: called before start (page http://shop.test/)")
    assert kustomer_mock.admin.clear_sdk_warnings(kustomer_mock.key) == 1
    kustomer_mock.assert_no_sdk_warnings()


def test_closing_resets_the_org(kustomer_mock):
    other = MockOrg(kustomer_mock.url, f"{kustomer_mock.key}-closing", kustomer_mock.admin)
    customer = other.customer()
    customer.create_conversation("hi")
    other.close()
    with pytest.raises(ApiCallError) as gone:
        customer.conversations()
    assert gone.value.code == "not_started"   # the org was rebuilt from its fixtures: the token is unknown


def test_a_stub_answers_this_org_alone_and_goes_with_the_test(kustomer_mock):
    customer = kustomer_mock.customer()
    customer.create_conversation("kept")
    stub = kustomer_mock.stub("getConversations", body={"conversations": [], "total": 0}, times=1)
    assert stub["match"] == {"operation": "getConversations", "org": kustomer_mock.key}
    assert customer.conversations() == []
    assert len(customer.conversations()) == 1                      # times=1: the real answer again
    kustomer_mock.assert_called("getConversations", times=1, stub=stub["id"], status=200)
    kustomer_mock.close(reset=False)
    assert stub["id"] not in {s["id"] for s in kustomer_mock.admin.stubs()}

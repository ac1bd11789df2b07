"""Matching journal entries and explaining the nearest calls (mock_server.control.journal_match)."""
from __future__ import annotations

import pytest

from mock_server.control.journal_match import describe_expectation, differences, explain

ENTRY = {"id": 7, "operation": "createConversation", "method": "POST", "path": "/c/v1/chat/sessions",
         "query": {"page": "1"}, "status": 201, "fault": None, "drop": None,
         "requestBody": {"message": "hi", "customAttributes": {"orderNumberStr": "A-1", "giftBool": True}},
         "responseBody": {"conversationId": "c1", "ended": False}}


def _entry(entry_id: int, operation: str = "createConversation", status: int = 201, message: str = "hi") -> dict:
    return {**ENTRY, "id": entry_id, "operation": operation, "status": status, "requestBody": {"message": message}}


@pytest.mark.parametrize(("expected", "lines"), [
    ({}, []),
    ({"status": 201, "method": "POST"}, []),
    ({"status": 400}, ["status: expected 400, got 201"]),
    ({"message": "hi"}, []),
    ({"message": "hello"}, ["body.message: expected 'hello', got 'hi'"]),
    ({"assistantId": "x"}, ["body.assistantId: expected 'x', got nothing (absent)"]),
    ({"customAttributes": {"orderNumberStr": "A-1"}}, []),        # dicts match as subsets
    ({"customAttributes": {"orderNumberStr": "B-2"}},
     ["body.customAttributes: expected {'orderNumberStr': 'B-2'}, got {'orderNumberStr': 'A-1', 'giftBool': True}"]),
    ({"body": {"message": "hi"}, "response": {"ended": False}}, []),
    ({"response": {"ended": True}}, ["response: expected {'ended': True}, got {'conversationId': 'c1', 'ended': False}"]),
    ({"query": {"page": "1"}}, []),
    ({"fault": lambda f: f is not None}, ["fault: expected <lambda>, got None"]),
    ({"status": lambda s: s >= 200}, []),
])
def test_differences(expected, lines):
    assert differences(ENTRY, expected) == lines


def test_a_body_that_is_not_an_object_has_no_fields():
    assert differences({**ENTRY, "requestBody": "not json"}, {"message": "hi"}) == [
        "body.message: expected 'hi', got nothing (absent)"]


@pytest.mark.parametrize(("expected", "times", "text"), [
    ({}, None, "start (at least once)"),
    ({"status": 201}, 1, "start with status=201 (exactly 1 time)"),
    ({}, 0, "start (exactly 0 times)"),
])
def test_describe_expectation(expected, times, text):
    assert describe_expectation("start", expected, times) == text


def test_explain_lists_the_nearest_calls_first_and_counts_the_rest():
    entries = [_entry(1, status=503, message="x"), _entry(2, message="x"), _entry(3, status=503),
               _entry(4, status=503, message="y"), _entry(5, "start")]
    assert explain("createConversation", {"message": "hi", "status": 201}, None, entries, "k", "http://m") == (
        "expected createConversation with message='hi', status=201 (at least once) for org 'k'; "
        "found 0 matching of 4 createConversation calls.\n"
        "Nearest other calls (fields that differ):\n"
        "  #3 POST /c/v1/chat/sessions -> 503\n"
        "      status: expected 201, got 503\n"
        "  #2 POST /c/v1/chat/sessions -> 201\n"
        "      body.message: expected 'hi', got 'x'\n"
        "  #4 POST /c/v1/chat/sessions -> 503\n"
        "      body.message: expected 'hi', got 'y'\n"
        "      status: expected 201, got 503\n"
        "  ... and 1 more")


def test_explain_shows_the_matches_when_the_count_is_wrong():
    entries = [_entry(1), {**_entry(2), "status": None, "fault": "f1", "drop": "reset"}]
    assert explain("createConversation", {}, 1, entries, "k", "http://m") == (
        "expected createConversation (exactly 1 time) for org 'k'; found 2 matching of 2 createConversation calls.\n"
        "Matching calls:\n"
        "  #1 POST /c/v1/chat/sessions -> 201\n"
        "  #2 POST /c/v1/chat/sessions -> dropped, fault f1")


def test_explain_names_the_operations_seen_when_none_is_the_expected_one():
    entries = [_entry(1, "start"), _entry(2, "getChatSettings"), _entry(3, "start")]
    assert explain("createConversation", {}, None, entries, "k", "http://m").endswith(
        "found 0 matching of 0 createConversation calls.\nCalls seen for this org: start x2, getChatSettings x1.")


def test_explain_without_any_call_asks_about_the_key_and_the_url():
    assert explain("start", {}, None, [], "k", "http://m").endswith(
        "The mock journaled no call at all for this org: does the code under test use the key 'k' "
        "and the mock at http://m?")

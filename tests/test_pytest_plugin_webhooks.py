"""The kustomer_webhooks fixture in a project of its own, run by pytester in a subprocess."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow   # a pytester run in a child process

pytest_plugins = ["pytester"]

USER_TESTS = '''
import hashlib, hmac, json

def test_a_new_conversation_reaches_the_backend(kustomer_mock, kustomer_webhooks):
    conversation = kustomer_mock.customer().create_conversation("Where is my order?")["conversationId"]
    event = kustomer_webhooks.wait_for("kustomer.conversation.create", id=conversation)
    signature = hmac.new(kustomer_webhooks.token.encode(), event.body, hashlib.sha256).hexdigest()
    assert event.headers.get("X-Kustomer-Webhook-Signature") == signature

def test_a_failing_backend_gets_the_retry_when_the_clock_moves(kustomer_mock, kustomer_webhooks):
    kustomer_mock.clock.freeze("2031-01-01T00:00:00.000Z")
    kustomer_webhooks.answer(500, times=1, event="kustomer.conversation.create")
    kustomer_mock.customer().create_conversation("hello")
    failed = kustomer_webhooks.wait_for("kustomer.conversation.create", answered=500)
    kustomer_mock.clock.advance(60)
    assert kustomer_webhooks.wait_for("kustomer.conversation.create", answered=200).id == failed.id

def test_a_forged_signature_fails_wait_for(kustomer_mock, kustomer_webhooks):
    kustomer_webhooks.token = "not-the-token"
    kustomer_mock.customer()
    kustomer_webhooks.wait_for("kustomer.customer.create")
'''


def test_the_fixture_receives_checks_signatures_and_drives_retries(pytester):
    pytester.makepyfile(test_backend=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*kustomer.customer.create *: the X-Kustomer-Webhook-Signature header does not "
                                 "match the body signed with the webhook's token"])

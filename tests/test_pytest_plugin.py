"""The pytest plugin, run by pytester on generated test files: in-process, under xdist, against a served mock."""
from __future__ import annotations

import pytest

from mock_server.client import MockClient
from mock_server.testing.serve import serving

pytestmark = pytest.mark.slow   # pytester runs of their own, in child processes

pytest_plugins = ["pytester"]
# every inner run is a subprocess: an inline run restores sys.modules afterwards, and the mock's modules
# it imported would then exist twice in this process

# Each test writes its key and conversation id into SHARED, then proves no other test's
# conversation is visible through its own key (404, as an unknown id) and its journal holds only its calls.
ISOLATION = '''
import os, pytest
from mock_server.testing import ApiCallError

SHARED = {shared!r}

@pytest.mark.parametrize("n", range(4))
def test_isolated(kustomer_mock, n):
    assert kustomer_mock.requests() == []
    conversation = kustomer_mock.customer().create_conversation(f"hello from test {{n}}")["conversationId"]
    others = [name for name in os.listdir(SHARED)]
    with open(os.path.join(SHARED, conversation), "w") as out:
        out.write(kustomer_mock.key)
    for other in others:
        with pytest.raises(ApiCallError) as refused:
            kustomer_mock.call("GET", f"/v1/conversations/{{other}}")
        assert refused.value.status == 404 and refused.value.code == "not_found"
    kustomer_mock.assert_called("createConversation", times=1, message=f"hello from test {{n}}", status=201)
    assert {{e["org"] for e in kustomer_mock.requests()}} == {{kustomer_mock.key}}
'''

FAILURES = '''
import pytest
from mock_server.testing import ApiCallError

def test_a_fault_fails_only_this_org(kustomer_mock):
    customer = kustomer_mock.customer()
    kustomer_mock.faults.add(match={"operation": "createConversation"}, respond={"status": 503}, times=1)
    with pytest.raises(ApiCallError) as failed:
        customer.create_conversation("first try")
    assert failed.value.status == 503
    customer.create_conversation("second try")
    kustomer_mock.assert_called("createConversation", times=1, status=503, fault=lambda f: f is not None)
    kustomer_mock.assert_called("createConversation", times=1, status=201, message="second try")

def test_assert_called_explains(kustomer_mock):
    kustomer_mock.customer().create_conversation("hi there")
    kustomer_mock.assert_called("createConversation", message="hello", status=201)

def test_nothing_called(kustomer_mock):
    kustomer_mock.assert_called("sendMessage")

def test_a_server_error_fails_the_test(kustomer_mock, monkeypatch):
    from mock_server.domain import chat
    def broken(*args, **kwargs):
        raise RuntimeError("boom inside the mock")
    monkeypatch.setattr(chat.ChatSession, "create_conversation", broken)
    customer = kustomer_mock.customer()
    with pytest.raises(ApiCallError) as failed:
        customer.create_conversation("hi")
    assert failed.value.code == "internal_error"   # the test itself passes: the plugin fails it
'''


def _isolation_file(pytester, shared) -> None:
    shared.mkdir()
    pytester.makepyfile(test_isolation=ISOLATION.format(shared=str(shared)))


def _keys(shared) -> list[str]:
    return [path.read_text() for path in shared.iterdir()]


def test_tests_get_orgs_of_their_own_and_faults_and_assertions_work(pytester, tmp_path):
    _isolation_file(pytester, tmp_path / "shared")
    pytester.makepyfile(test_failures=FAILURES)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=3)
    keys = _keys(tmp_path / "shared")
    assert len(set(keys)) == 4 and all(key.startswith("kmock-main-") for key in keys)
    result.stdout.fnmatch_lines([
        "*expected createConversation with message='hello', status=201 (at least once) for org 'kmock-main-*"
        "-test_assert_called_explains'; found 0 matching of 1 createConversation call.",
        "*Nearest other calls (fields that differ):",
        "*#* POST /c/v1/chat/sessions -> 201",
        "*body.message: expected 'hello', got 'hi there'",
    ])
    result.stdout.fnmatch_lines([
        "*expected sendMessage (at least once) for org 'kmock-main-*-test_nothing_called'; "
        "found 0 matching of 0 sendMessage calls.",
        "*The mock journaled no call at all for this org: does the code under test use the key "
        "'kmock-main-*-test_nothing_called' and the mock at http://127.0.0.1:*?",
    ])
    result.stdout.fnmatch_lines([
        "*the mock failed unexpectedly during this test (1 error(s)):",
        "POST /c/v1/chat/sessions (org kmock-main-*-test_a_server_error_fails_the_test):",
        "*RuntimeError: boom inside the mock",
    ])


def test_xdist_workers_never_share_an_org(pytester, tmp_path):
    _isolation_file(pytester, tmp_path / "shared")
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    keys = _keys(tmp_path / "shared")
    assert len(set(keys)) == 4
    assert {key.split("-")[1] for key in keys} == {"gw0", "gw1"}


@pytest.fixture
def served():
    """A real `kustomer-mock serve --port 0` process with an admin token; yields its URL."""
    with serving(env={"KUSTOMER_MOCK_ADMIN_TOKEN": "ci-token"}) as url:
        yield url


EXTERNAL = '''
import os

def test_uses_the_served_mock(kustomer_mock):
    assert kustomer_mock.url == os.environ["EXPECTED_URL"]
    conversation = kustomer_mock.customer().create_conversation("over there")["conversationId"]
    kustomer_mock.faults.add(match={"operation": "sendMessage"}, respond={"status": 500})
    kustomer_mock.agent_reply(conversation, "Hi from an agent")
    kustomer_mock.assert_called("createOutboundMessage", times=1, status=201, body={"body": "Hi from an agent"})
    kustomer_mock.clock.advance(3600)
'''


def test_kustomer_mock_url_uses_a_running_server_and_cleans_up_after_each_test(pytester, served, monkeypatch):
    monkeypatch.setenv("KUSTOMER_MOCK_ADMIN_TOKEN", "ci-token")
    monkeypatch.setenv("EXPECTED_URL", served)
    pytester.makepyfile(test_external=EXTERNAL)
    result = pytester.runpytest_subprocess("--kustomer-mock-url", served, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    admin = MockClient(served, "ci-token")
    entries = admin.requests(operation="createConversation")["requests"]
    assert len(entries) == 1 and entries[0]["org"].startswith("kmock-main-")
    assert admin.faults() == []                        # the test's rule was removed
    assert admin.clock()["offsetSeconds"] == 0         # the clock it moved was resumed


def test_the_environment_names_the_mock_and_an_unreachable_one_stops_the_run(pytester, monkeypatch):
    monkeypatch.setenv("KUSTOMER_MOCK_URL", "http://127.0.0.1:9")
    pytester.makepyfile(test_any="def test_any(kustomer_mock):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["*--kustomer-mock-url / KUSTOMER_MOCK_URL: cannot reach the mock at http://127.0.0.1:9*"])


def test_a_guarded_mock_without_the_token_stops_the_run_and_the_option_supplies_it(pytester, served, monkeypatch):
    monkeypatch.delenv("KUSTOMER_MOCK_ADMIN_TOKEN", raising=False)
    pytester.makepyfile(test_any="def test_any(kustomer_mock):\n    kustomer_mock.faults.clear()\n")
    result = pytester.runpytest_subprocess("--kustomer-mock-url", served, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines([f"*the mock at {served} wants an admin token (401): pass "
                                 "--kustomer-mock-admin-token TOKEN or set KUSTOMER_MOCK_ADMIN_TOKEN*"])
    wrong = pytester.runpytest_subprocess("--kustomer-mock-url", served, "--kustomer-mock-admin-token", "nope",
                                          "-p", "no:cacheprovider")
    assert wrong.ret == pytest.ExitCode.USAGE_ERROR
    wrong.stdout.fnmatch_lines([f"*the mock at {served} refused the admin token (403): pass "
                                "--kustomer-mock-admin-token TOKEN or set KUSTOMER_MOCK_ADMIN_TOKEN*"])
    right = pytester.runpytest_subprocess("--kustomer-mock-url", served, "--kustomer-mock-admin-token", "ci-token",
                                          "-p", "no:cacheprovider")
    right.assert_outcomes(passed=1)


def test_the_session_ends_without_a_traceback(pytester):
    pytester.makepyfile(test_one="def test_one(kustomer_mock):\n    kustomer_mock.customer().create_conversation('hi')\n")
    for _ in range(3):
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        result.assert_outcomes(passed=1)
        output = "\n".join(result.outlines + result.errlines)
        assert "Traceback" not in output and "Bad file descriptor" not in output


def test_a_failing_helper_call_shows_the_test_s_line_not_the_client_s_frames(pytester):
    pytester.makepyfile(test_refused='''
def test_refused(kustomer_mock):
    customer = kustomer_mock.customer()
    kustomer_mock.faults.add(match={"operation": "createConversation"}, respond={"status": 503})
    customer.create_conversation("hi")
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['>*customer.create_conversation("hi")',
                                 "E*ApiCallError: POST /c/v1/chat/sessions: 503 'service_unavailable'"])
    output = result.stdout.str()
    assert "testing/helpers.py" not in output and "mock_server/client.py" not in output

"""The pytest plugin (entry point pytest11 `kustomer_mock`): a mock per session, an org of its own per test."""
from __future__ import annotations

import itertools
import os
import re
import secrets

import pytest

from ..client import AdminError, MockClient
from ..state import get_state
from .org import MockOrg
from .webhooks import ALL_EVENTS, WebhookReceiver

URL_ENV = "KUSTOMER_MOCK_URL"
TOKEN_ENV = "KUSTOMER_MOCK_ADMIN_TOKEN"
RECEIVER_HOST_ENV = "KUSTOMER_MOCK_RECEIVER_HOST"
_tests = itertools.count(1)
_RUN = secrets.token_hex(3)  # keeps keys of two runs against one long-lived mock apart


def pytest_addoption(parser):
    """--kustomer-mock-url: use a running mock instead of starting one."""
    group = parser.getgroup("kustomer-mock")
    group.addoption("--kustomer-mock-url", default=None, metavar="URL",
                    help=f"use the mock running at URL instead of starting one in-process (env {URL_ENV}); "
                         "its admin token, if any, comes from --kustomer-mock-admin-token")
    group.addoption("--kustomer-mock-admin-token", default=None, metavar="TOKEN",
                    help=f"the admin token of the mock --kustomer-mock-url names (env {TOKEN_ENV})")


class SessionMock:
    """The mock of this test session: in-process (with its app, to read unexpected errors) or external."""

    def __init__(self, url: str, admin: MockClient, app=None, server=None):
        self.url, self.admin, self.app, self._server = url, admin, app, server

    @classmethod
    def start(cls) -> "SessionMock":
        """Serve a fresh mock on a free loopback port from a daemon thread."""
        from .. import create_app
        from ..serving import ServerThread
        app = create_app({"THREADS": 64, "JOURNAL_SIZE": 20000})  # 16 of the threads stay free of event streams
        server = ServerThread(app, kind="waitress").start()
        return cls(server.url, MockClient(server.url), app, server)

    @classmethod
    def connect(cls, url: str, admin_token: str | None = None) -> "SessionMock":
        """A mock that runs elsewhere; fails the session at once when it does not answer or refuses the token."""
        admin = MockClient(url, admin_token)
        try:
            admin.health()
        except AdminError as error:
            pytest.exit(f"--kustomer-mock-url / {URL_ENV}: {error}", returncode=pytest.ExitCode.USAGE_ERROR)
        try:
            admin.clock()  # health needs no token: one guarded read, else every test would error with 401
        except AdminError as error:
            if error.status not in (401, 403):
                raise
            problem = "refused the admin token" if admin.admin_token else "wants an admin token"
            pytest.exit(f"--kustomer-mock-url / {URL_ENV}: the mock at {admin.url} {problem} ({error.status}): "
                        f"pass --kustomer-mock-admin-token TOKEN or set {TOKEN_ENV}",
                        returncode=pytest.ExitCode.USAGE_ERROR)
        return cls(admin.url, admin)

    def take_server_errors(self, org: MockOrg) -> list[str]:
        """Unexpected errors of the mock since the last call: tracebacks in-process, else journaled 500s."""
        if self.app is not None:
            seen = get_state(self.app).unexpected
            taken = []
            while seen:
                error = seen.popleft()
                taken.append(f"{error['method']} {error['path']} (org {error['org']}):\n{error['traceback']}")
            return taken
        return [f"{e['method']} {e['path']}: 500 internal_error (see the mock's log)"
                for e in org.requests(status="500") if not e.get("fault")
                and _code(e.get("responseBody")) == "internal_error"]

    def stop(self) -> None:
        """Stop the in-process server (an external one is left running)."""
        if self._server is not None:
            self._server.stop()   # the server's own loop closes its sockets: no EBADF at the end of the session


def _code(body):
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors[0].get("code") if errors else None


@pytest.fixture(scope="session")
def kustomer_mock_server(request) -> SessionMock:
    """The session's mock: started in-process once (per xdist worker), or the one --kustomer-mock-url names."""
    url = request.config.getoption("kustomer_mock_url") or os.environ.get(URL_ENV)
    token = request.config.getoption("kustomer_mock_admin_token")   # else MockClient reads the environment
    mock = SessionMock.connect(url, token) if url else SessionMock.start()
    yield mock
    mock.stop()


def _key(request) -> str:
    # xdist gives its workers `workerinput`; its environment variable would leak into nested runs
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    name = re.sub(r"[^A-Za-z0-9_]+", "-", request.node.name)[:40].strip("-")
    return f"kmock-{worker}-{_RUN}-{next(_tests)}-{name}"


@pytest.fixture
def kustomer_mock(kustomer_mock_server, request) -> MockOrg:
    """A fresh org of the session's mock for this test alone (mock_server.testing.MockOrg).

    Its key is unique to this test and xdist worker, so tests never see each other's data.
    Faults added through it match only its org and are removed afterwards; the org is reset.
    Its clock is the org's own: a test that freezes or advances it moves no other test's time,
    and has it resumed at teardown.
    Unexpected errors inside the mock fail the test, with the mock's traceback.
    """
    org = MockOrg(kustomer_mock_server.url, _key(request), kustomer_mock_server.admin)
    kustomer_mock_server.take_server_errors(org)  # left over from before this test: not its own
    yield org
    org.close()


@pytest.fixture
def kustomer_webhooks(kustomer_mock) -> WebhookReceiver:
    """A local receiver registered over REST as this test org's webhook for every event.

    wait_for("kustomer.conversation.create") answers the next such event with its signature checked;
    answer(500) / answer(200, delay=3) / hold() make the endpoint fail, slow or hang, to drive retries.
    """
    host = os.environ.get(RECEIVER_HOST_ENV)   # a mock in a container: the name it reaches this machine by
    with WebhookReceiver(host="0.0.0.0" if host else "127.0.0.1", advertise=host) as receiver:
        created = kustomer_mock.call("POST", "/v1/outbound-webhooks", {
            "name": "pytest receiver", "url": receiver.url, "events": ALL_EVENTS})["data"]
        receiver.token, receiver.webhook_id = created["attributes"]["token"], created["id"]
        yield receiver


@pytest.fixture
def kustomer_mock_intercept(kustomer_mock, kustomer_mock_server) -> MockOrg:
    """`kustomer_mock`, with requests and httpx calls to Kustomer's API hosts routed into the session's mock.

    No base URL changes: https://ORG.api.kustomerapp.com/v1/... lands in this test's org whatever key the
    code under test sends, so the journal, faults, stubs and helpers of `kustomer_mock` apply to it.
    """
    from .interception import Interception
    server = kustomer_mock_server
    with Interception(server.app, key=kustomer_mock.key, url=None if server.app is not None else server.url):
        yield kustomer_mock


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test that made the mock fail unexpectedly, even when the test itself passed."""
    org = getattr(item, "funcargs", {}).get("kustomer_mock")
    try:
        result = yield
    except BaseException:
        if isinstance(org, MockOrg):
            errors = item.funcargs["kustomer_mock_server"].take_server_errors(org)
            if errors:
                item.add_report_section("call", "kustomer-mock errors", "\n".join(errors))
        raise
    if isinstance(org, MockOrg):
        errors = item.funcargs["kustomer_mock_server"].take_server_errors(org)
        if errors:
            pytest.fail(f"the mock failed unexpectedly during this test ({len(errors)} error(s)):\n"
                        + "\n".join(errors), pytrace=False)
    return result

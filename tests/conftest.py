"""Shared fixtures: the session's mock and a fresh key per test, a Flask client, a chat helper, a live server."""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from flask import Flask, request_finished

from mock_server import create_app
from mock_server.control.faults import get_faults
from mock_server.control.stubs import get_stubs
from mock_server.serving import ServerThread
from mock_server.testing.appcalls import AppClient, Chat, clock_of
from mock_server.testing.redisserver import redis_server, replicas

from . import spec_check, suite_store

_keys = itertools.count(1)
BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_addoption(parser):
    """--store: the store every app of the suite keeps its orgs in."""
    parser.addoption("--store", choices=suite_store.STORES, default=os.environ.get(suite_store.STORE_ENV) or "memory",
                     help="memory (default), or redis: every app and `serve` child of the suite on a database of "
                          f"its own of a real redis-server per test process (env {suite_store.STORE_ENV}); "
                          "tests marked memory_store are deselected")


def pytest_report_header(config):
    """Say which store the run is on."""
    return f"store: {config.getoption('store')}"


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ is a browser test (-m "not browser" runs the rest); on redis,
    the tests marked memory_store are deselected."""
    on_redis, kept, deselected = config.getoption("store") == "redis", [], []
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
        (deselected if on_redis and item.get_closest_marker("memory_store") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def suite_on_its_store(request):
    """On --store redis, every app and `serve` child the suite makes gets a database of its own (tests/suite_store.py)."""
    if request.config.getoption("store") != "redis":
        yield None
        return
    databases = suite_store.install(request.getfixturevalue("redis_url"))
    yield databases
    suite_store.uninstall()


@pytest.fixture(autouse=True)
def databases_handed_back(suite_on_its_store):
    """The databases a test's apps and children took are flushed and handed out again when it ends."""
    if suite_on_its_store is None:
        yield
        return
    suite_on_its_store.open_window()
    yield
    suite_on_its_store.close_window()


@pytest.fixture(scope="session")
def shared_app():
    """The mock most tests share: each test's fresh key is its isolation, as the product promises."""
    return create_app({"TESTING": True})


@pytest.fixture
def app(request, shared_app):
    """The session's shared mock, or a fresh one (bundled fixtures, seed 1) for a test marked private_app.

    A test that moves the clock, adds faults or stubs, or reads or changes what every org shares
    (the whole journal, the org list, an export, a global reset) is marked private_app; a test on
    the shared mock that leaves the clock moved or a rule behind fails here, and the mock is restored.
    """
    if request.node.get_closest_marker("private_app"):
        yield create_app({"TESTING": True})
        return
    yield shared_app
    left = _left_behind(shared_app)
    if left:
        pytest.fail(f"{request.node.nodeid} changed the shared mock ({', '.join(left)}): mark it private_app",
                    pytrace=False)


def _left_behind(app) -> list[str]:
    """What a test changed of the shared mock's process-wide state, undone here so the next test starts clean."""
    left, clock = [], clock_of(app)
    if clock.describe()["frozen"] or clock.describe()["offsetSeconds"]:
        left.append("the clock")
        clock.resume()
    for name, rules in (("faults", get_faults(app)), ("stubs", get_stubs(app))):
        if rules.list():
            left.append(name)
            rules.clear()
    return left


@pytest.fixture(autouse=True)
def responses_closed(monkeypatch):
    """Every test client a test makes closes its responses when the test ends (mock_server.testing.AppClient).

    A served file or the spooled body of a large upload is then released at once, not at garbage
    collection in some later test, where filterwarnings = error would fail that test instead.
    """
    made = []

    class Closing(AppClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(Flask, "test_client_class", Closing)
    yield
    for client in made:
        client.close_responses()


@pytest.fixture
def client(app):
    """Flask's test client of the test's mock (shared or private)."""
    return app.test_client()


@pytest.fixture
def key():
    """A key no other test uses, so its org is fresh."""
    return f"test-key-{next(_keys)}"


@pytest.fixture
def chat(client, key):
    """A started chat session (customer) on a fresh org."""
    session = Chat(client, key)
    session.start()
    return session


@pytest.fixture(scope="module")
def server():
    """A mock of the module's own, served by waitress (a module that drives faults or the clock)."""
    with ServerThread(create_app(), kind="waitress") as served:
        yield served


@pytest.fixture(scope="session")
def live_server():
    """The mock served over a real socket for the whole session."""
    with ServerThread(create_app(), kind="waitress") as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """One real redis-server per test process (started on first use, on a free port): its URL."""
    with redis_server(tmp_path_factory.mktemp("redis"), databases=suite_store.DATABASES) as redis:
        yield redis.url


@pytest.fixture(scope="module")
def two(redis_url):
    """Two `serve --store REDIS` processes (A and B) sharing the process's redis-server: their URLs."""
    with replicas(redis_url, 2) as urls:
        yield urls


@pytest.fixture(autouse=True)
def answers_match_the_spec():
    """Every answer of every app during a test matches /__admin/openapi.json (tests/spec_check.py)."""
    spec_check.mismatches.clear()
    request_finished.connect(spec_check.record)
    yield
    request_finished.disconnect(spec_check.record)
    found, spec_check.mismatches[:] = list(spec_check.mismatches), []
    assert found == [], "answers the OpenAPI document does not describe:\n" + "\n".join(found[:20])

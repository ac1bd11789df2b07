"""Shared fixtures: an app per test, a Flask client, a chat actions helper, a live server."""
from __future__ import annotations

import itertools

import pytest
from flask import request_finished

from mock_server import create_app
from mock_server.serving import ServerThread

from . import spec_check
from .helpers import Chat

_keys = itertools.count(1)


@pytest.fixture
def app():
    """A fresh mock with the bundled fixtures and seed 1."""
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    """Flask's test client of the fresh mock."""
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


@pytest.fixture(autouse=True)
def answers_match_the_spec():
    """Every answer of every app during a test matches /__admin/openapi.json (tests/spec_check.py)."""
    spec_check.mismatches.clear()
    request_finished.connect(spec_check.record)
    yield
    request_finished.disconnect(spec_check.record)
    found, spec_check.mismatches[:] = list(spec_check.mismatches), []
    assert found == [], "answers the OpenAPI document does not describe:\n" + "\n".join(found[:20])

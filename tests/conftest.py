"""Shared fixtures: an app per test, a Flask client, a chat actions helper, a live server."""
from __future__ import annotations

import itertools

import pytest

from mock_server import create_app
from mock_server.serving import ServerThread

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

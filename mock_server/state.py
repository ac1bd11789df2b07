"""The shared state of one app: fixtures, clock and store, kept in app.extensions."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import Flask, current_app

from .domain.assistant_flow import check_fixtures
from .domain.clock import Clock
from .domain.fixtures import Fixtures
from .store import make_store
from .store.memory import MemoryStore

EXTENSION = "kustomer_mock"


@dataclass
class MockState:
    """What every surface of one mock shares."""

    fixtures: Fixtures
    clock: Clock
    store: MemoryStore
    started_at: float = field(default_factory=time.time)


def init_app(app: Flask) -> MockState:
    """Load the fixtures, make the clock and the store, and keep them on the app."""
    fixtures = Fixtures.load(app.config.get("FIXTURES"))
    check_fixtures(fixtures)  # a broken assistant stops the mock at boot, not at an org's first request
    clock = Clock()
    store = make_store(app.config["STORE"], fixtures, int(app.config["SEED"]), clock)
    app.extensions[EXTENSION] = state = MockState(fixtures, clock, store)
    return state


def get_state(app: Flask | None = None) -> MockState:
    """The MockState of `app` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION]

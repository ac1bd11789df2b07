"""The shared state of one app: fixtures, clock and store, kept in app.extensions."""
from __future__ import annotations

import os
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
    store.idle_seconds = float(app.config.get("ORG_IDLE_SECONDS") or 0)
    app.extensions[EXTENSION] = state = MockState(fixtures, clock, store)
    return state


def resident_bytes() -> int | None:
    """The memory the process holds now (Linux), or None where that cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def get_state(app: Flask | None = None) -> MockState:
    """The MockState of `app` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION]

"""The shared state of one app, kept in app.extensions as one object: fixtures, clock, store, and the parts
the control wing, the webhooks and the live streams hang on it at boot."""
from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from .domain.assistant_flow import check_fixtures
from .domain.clock import Clock
from .domain.fixtures import Fixtures
from .domain.store import OrgStore
from .store import make_store

if TYPE_CHECKING:   # the parts below import this module to find their place on the app
    from .control.faults import FaultSet
    from .control.journal import Journal
    from .webhooks import Webhooks

EXTENSION = "kustomer_mock"


@dataclass
class MockState:
    """What every surface of one mock shares."""

    fixtures: Fixtures
    clock: Clock
    store: OrgStore
    started_at: float = field(default_factory=time.time)
    faults: FaultSet | None = None        # control/faults.py: the fault rules
    stubs: FaultSet | None = None         # control/stubs.py: the stub rules
    journal: Journal | None = None        # control/journal.py: the recorded calls
    webhooks: Webhooks | None = None      # webhooks/: capture and delivery of outbound events
    streams: Any = None                   # api/live.py: the open event streams' slots
    unexpected: deque = field(default_factory=lambda: deque(maxlen=100))  # errors.py: the last 500s

    def close(self) -> None:
        """The server is stopping: deliveries stop, event streams end, journal long polls answer now."""
        if self.webhooks is not None:   # first: its loop reads the store, which must still be there
            self.webhooks.dispatcher.stop(wait=2.0)
        self.store.close()
        if self.journal is not None:
            self.journal.close()


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

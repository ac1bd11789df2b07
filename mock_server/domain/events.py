"""Live events of an org, kept in order so a reconnecting stream resumes without loss."""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One event for one customer (or for every watcher of the org when customer_id is None)."""

    id: int
    name: str
    customer_id: str | None
    payload: dict


class EventLog:
    """A bounded, ordered log with a condition to wait on for new events."""

    def __init__(self, limit: int = 5000):
        self._events: deque[Event] = deque(maxlen=limit)
        self._next_id = 1
        self._changed = threading.Condition()
        self.closed = False

    def emit(self, name: str, payload: dict, customer_id: str | None = None) -> Event:
        """Append an event and wake every waiting stream."""
        with self._changed:
            event = Event(self._next_id, name, customer_id, payload)
            self._next_id += 1
            self._events.append(event)
            self._changed.notify_all()
            return event

    def since(self, last_id: int, customer_id: str | None = None) -> list[Event]:
        """Events after `last_id`, for one customer (None: all of them)."""
        with self._changed:
            return [e for e in self._events if e.id > last_id
                    and (customer_id is None or e.customer_id in (None, customer_id))]

    def wait(self, last_id: int, timeout: float) -> bool:
        """Block until an event after `last_id` exists or `timeout` passes."""
        with self._changed:
            return self._changed.wait_for(lambda: self.closed or self._next_id - 1 > last_id, timeout)

    def close(self) -> None:
        """End every wait for good: the org was dropped or the server is stopping."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    @property
    def last_id(self) -> int:
        """The id of the newest event (0 when none)."""
        return self._next_id - 1

    def names(self) -> list[str]:
        """Every event name in order, for tests."""
        with self._changed:
            return [e.name for e in self._events]

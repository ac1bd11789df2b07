"""Live events of an org, kept in order so a reconnecting stream resumes without loss."""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Callable

ALL = "*"  # the waiters that watch every customer (the dashboard's org stream)


@dataclass(frozen=True)
class Event:
    """One event for one customer (or for every watcher of the org when customer_id is None)."""

    id: int
    name: str
    customer_id: str | None
    payload: dict


def _after(events: deque, last_id: int) -> list[Event]:
    """The events of an ordered deque with an id above `last_id`, scanning from the newest end."""
    found = []
    for event in reversed(events):
        if event.id <= last_id:
            break
        found.append(event)
    found.reverse()
    return found


class EventLog:
    """A bounded, ordered log indexed by customer, with a condition per waiting customer.

    A stream waits only for its own customer's events (and those for everyone), so an event wakes
    the streams it concerns instead of every open stream of the org, and reading what is new costs
    the new events, not the whole log.
    """

    def __init__(self, limit: int = 5000, per_customer: int = 1000):
        self._lock = threading.Lock()
        self._events: deque[Event] = deque(maxlen=limit)
        self._broadcast: deque[Event] = deque(maxlen=per_customer)
        self._by_customer: dict[str, deque[Event]] = {}
        self._waiting: dict[str, threading.Condition] = {}
        self._per_customer = per_customer
        self._next_id = 1
        self.closed = False

    def emit(self, name: str, payload: dict, customer_id: str | None = None) -> Event:
        """Append an event and wake the streams it concerns."""
        with self._lock:
            return self._append(Event(self._next_id, name, customer_id, payload))

    def add(self, event: Event) -> Event:
        """Append an event numbered elsewhere (a store shared by processes numbers them), in id order."""
        with self._lock:
            return self._append(event)

    def _append(self, event: Event) -> Event:
        """Append under the lock held by the caller, and wake the streams the event concerns."""
        self._next_id = max(self._next_id, event.id + 1)
        self._events.append(event)
        if event.customer_id is None:
            self._broadcast.append(event)
            woken = list(self._waiting.values())
        else:
            self._by_customer.setdefault(event.customer_id, deque(maxlen=self._per_customer)).append(event)
            # two lookups, not a scan of every waiting customer: an org may hold a thousand open streams
            woken = filter(None, (self._waiting.get(event.customer_id), self._waiting.get(ALL)))
        for condition in woken:
            condition.notify_all()
        return event

    def since(self, last_id: int, customer_id: str | None = None) -> list[Event]:
        """Events after `last_id`, for one customer (None: all of them)."""
        with self._lock:
            if customer_id is None:
                return _after(self._events, last_id)
            mine = _after(self._by_customer.get(customer_id, ()), last_id)
            shared = _after(self._broadcast, last_id)
            return sorted(mine + shared, key=lambda e: e.id) if shared else mine

    def _newest_for(self, customer_id: str | None) -> int:
        if customer_id is None:
            return self._next_id - 1
        mine = self._by_customer.get(customer_id)
        return max(mine[-1].id if mine else 0, self._broadcast[-1].id if self._broadcast else 0)

    def wait(self, last_id: int, timeout: float, customer_id: str | None = None,
             stop: Callable[[], bool] | None = None) -> bool:
        """Block until an event after `last_id` for `customer_id` (None: any) exists, or `timeout` passes.

        `stop` ends the wait early once it answers True after a `wake` (a stream whose client hung up).
        """
        with self._lock:
            condition = self._waiting.get(customer_id or ALL)
            if condition is None:
                condition = self._waiting[customer_id or ALL] = threading.Condition(self._lock)
            return condition.wait_for(lambda: self.closed or self._newest_for(customer_id) > last_id
                                      or (stop is not None and stop()), timeout)

    def wake(self, customer_id: str | None = None) -> None:
        """Wake the waits for `customer_id` (None: the org's watchers) so they check their `stop`."""
        with self._lock:
            condition = self._waiting.get(customer_id or ALL)
            if condition is not None:
                condition.notify_all()

    def close(self) -> None:
        """End every wait for good: the org was dropped or the server is stopping."""
        with self._lock:
            self.closed = True
            for condition in self._waiting.values():
                condition.notify_all()

    @property
    def last_id(self) -> int:
        """The id of the newest event (0 when none)."""
        return self._next_id - 1

    def names(self) -> list[str]:
        """Every event name in order, for tests."""
        with self._lock:
            return [e.name for e in self._events]

"""Live events to browsers: one server-sent-events stream per tracking token, resumable by event id.

A stream holds a server thread while it is open, so it is bounded twice: it ends after a window
(`STREAM_SECONDS`, the browser's EventSource reconnects with `Last-Event-ID` and loses nothing),
and only `THREADS - STREAM_RESERVE` streams are open at once; one more is told to retry later.
API calls therefore always find a free thread, whatever the number of open tabs.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Callable, Iterator, TYPE_CHECKING

from .domain.events import Event, EventLog
from .serving import client_gone

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .domain.org import Org

HEARTBEAT_SECONDS = 15.0     # a comment line keeps proxies and idle timeouts from closing the stream
CHECK_SECONDS = 1.0          # how often a waiting stream asks `alive()`, so a closed tab frees its slot soon
RETRY_MS = 1000              # EventSource's reconnect delay after a window ends
BUSY_RETRY_MS = 3000         # reconnect delay for a stream refused because every stream slot is taken
MESSAGE_EVENTS = ("onMessageSent", "onMessageReceived")


class StreamSlots:
    """Counts open streams so they never take the threads API calls need."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self._open = 0
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        """Take a slot, or False when every slot is taken."""
        with self._lock:
            if self._open >= self.limit:
                return False
            self._open += 1
            return True

    def release(self) -> None:
        """Give a slot back."""
        with self._lock:
            self._open = max(0, self._open - 1)

    @property
    def open(self) -> int:
        """Streams open now."""
        return self._open


def frame(event_id: int, name: str, payload: dict) -> str:
    """One event in the text/event-stream format; the id is the org's event id."""
    data = json.dumps({"name": name, "payload": payload}, separators=(",", ":"))
    return f"id: {event_id}\ndata: {data}\n\n"


def marker(cursor: int, state: str) -> str:
    """A stream event (not for listeners) that moves the browser's last event id to `cursor`.

    Without it a stream that ends before any event of its customer would reconnect without
    Last-Event-ID, and events written during the reconnect would be missed.
    """
    return frame(cursor, "__stream", {"state": state, "cursor": cursor})


def start_cursor(log: EventLog, last_event_id: str | None) -> int:
    """Where a stream starts: after Last-Event-ID, or at the newest event for a new stream."""
    try:
        wanted = int(last_event_id) if last_event_id not in (None, "") else None
    except ValueError:
        wanted = None
    if wanted is None or wanted < 0:
        return log.last_id
    return min(wanted, log.last_id)  # an id from before a reset cannot be ahead of the log


def stream(log: EventLog, customer_id: str, cursor: int, *, window: float,
           hydrate: Callable[[Event], dict], alive: Callable[[], bool],
           cut_after: int | None = None, clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """The customer's events after `cursor` until the window ends, with heartbeats in between.

    `cut_after` (a fault) ends the stream abruptly after that many events, as a dropped connection would.
    """
    yield f"retry: {RETRY_MS}\n\n" + marker(cursor, "open")
    deadline, sent = clock() + window, 0
    quiet_since = clock()
    while alive():
        head = log.last_id
        for event in log.since(cursor, customer_id):
            if cut_after is not None and sent >= cut_after:
                return
            yield frame(event.id, event.name, hydrate(event))
            sent, quiet_since = sent + 1, clock()
            cursor = max(cursor, event.id)
        cursor = max(cursor, head)
        remaining = deadline - clock()
        if remaining <= 0:
            yield marker(cursor, "window-end")
            return
        if not log.wait(cursor, min(CHECK_SECONDS, remaining), customer_id) \
                and clock() - quiet_since >= HEARTBEAT_SECONDS:
            yield ": heartbeat\n\n"
            quiet_since = clock()


def slotted(slots: StreamSlots, make: Callable[[], Iterator[str]]) -> Iterator[str]:
    """A stream body that takes its slot only once the server starts sending it, and always gives it back.

    A HEAD (or a client gone before the body) never starts the body, so it never holds a slot;
    a started body releases it when it ends, when the server closes it (client gone, shutdown) or on error.
    """
    if not slots.acquire():
        yield busy()
        return
    try:
        yield from make()
    finally:
        slots.release()


def busy() -> str:
    """The whole answer to a stream refused for lack of slots: reconnect later."""
    return f"retry: {BUSY_RETRY_MS}\n: every stream slot is taken; reconnecting later\n\n"


def watching(org: Org, store, sock=None) -> Callable[[], bool]:
    """Whether a stream of `org` goes on: the org was not reset or closed, and its client is still there."""
    def alive() -> bool:
        if org.events.closed or not any(o is org for o in store.orgs().values()):
            return False
        return sock is None or not client_gone(sock)
    return alive

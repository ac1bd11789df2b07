"""Live events to browsers: one server-sent-events stream per tracking token, resumable by event id.

A stream is bounded twice: it ends after a window (`STREAM_SECONDS`, the browser's EventSource
reconnects with `Last-Event-ID` and loses nothing), and only `STREAM_SLOTS` streams (1,000 by default)
are open at once; one more is told to retry later. On waitress a started stream leaves the server's
threads and I/O loop (handoff.py), so open tabs never take the threads API calls need; on werkzeug it
holds a thread of its own (werkzeug makes one per connection).
"""
from __future__ import annotations

import json
import select
import threading
import time
from typing import Callable, Iterator, TYPE_CHECKING

from .config import DefaultSettings
from .domain.events import Event, EventLog
from .serving import HANDOFF_KEY, client_gone

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


def stream(log: EventLog, customer_id: str | None, cursor: int, *, window: float,
           hydrate: Callable[[Event], dict], alive: Callable[[], bool],
           cut_after: int | None = None, clock: Callable[[], float] = time.monotonic,
           sock=None) -> Iterator[str]:
    """The customer's events after `cursor` until the window ends, with heartbeats in between.

    `cut_after` (a fault) ends the stream abruptly after that many events, as a dropped connection would.
    `sock` (the client's socket) is watched while the stream is open, so the stream ends as soon as its
    client hangs up and otherwise sleeps until an event of its own, a heartbeat or the window's end.
    """
    hangup = HANGUPS.watch(sock, lambda: log.wake(customer_id)) if sock is not None else None
    try:
        yield from _events(log, customer_id, cursor, window, hydrate, alive, cut_after, clock, hangup)
    finally:
        if hangup is not None:
            HANGUPS.forget(hangup)


def _events(log, customer_id, cursor, window, hydrate, alive, cut_after, clock, hangup) -> Iterator[str]:
    yield f"retry: {RETRY_MS}\n\n" + marker(cursor, "open")
    deadline, sent = clock() + window, 0
    quiet_since = clock()
    stop = None if hangup is None else hangup.is_gone
    while alive() and not (hangup is not None and hangup.gone):
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
        # a watched stream needs no tick to notice a closed tab: it sleeps until its next heartbeat
        pause = CHECK_SECONDS if hangup is None else max(0.0, quiet_since + HEARTBEAT_SECONDS - clock())
        if not log.wait(cursor, min(pause, remaining), customer_id, stop) \
                and clock() - quiet_since >= HEARTBEAT_SECONDS:
            yield ": heartbeat\n\n"
            quiet_since = clock()


class Hangup:
    """One watched stream socket: `gone` turns True (and `wake` is called) when its client hangs up."""

    __slots__ = ("fd", "wake", "gone")

    def __init__(self, fd: int, wake: Callable[[], None]):
        self.fd, self.wake, self.gone = fd, wake, False

    def is_gone(self) -> bool:
        """Whether the client has hung up."""
        return self.gone


class Hangups:
    """One thread that watches the sockets of every open stream (epoll) and wakes a stream whose client left.

    A stream otherwise learns of a closed tab only when it next looks (its heartbeat, or a write that
    fails): its slot and its server thread would stay taken until then.
    """

    # the peer's FIN (a closed tab) or an error/reset; one shot: the watch ends at its first report
    MASK = getattr(select, "EPOLLRDHUP", 0) | getattr(select, "EPOLLHUP", 0) | getattr(select, "EPOLLERR", 0) \
        | getattr(select, "EPOLLONESHOT", 0)

    def __init__(self):
        self._lock = threading.Lock()
        self._poll = None
        self._watched: dict[int, Hangup] = {}

    def watch(self, sock, wake: Callable[[], None]) -> Hangup | None:
        """Watch `sock` until `forget`; None when this system or socket cannot be watched (streams then poll)."""
        try:
            fd = sock.fileno()
        except (AttributeError, OSError, ValueError):
            return None
        if fd < 0 or not hasattr(select, "epoll") or not hasattr(select, "EPOLLRDHUP"):
            return None
        hangup = Hangup(fd, wake)
        with self._lock:
            if self._poll is None:
                self._poll = select.epoll()
                threading.Thread(target=self._run, args=(self._poll,), daemon=True,
                                 name="kustomer-mock-hangups").start()
            try:
                self._poll.register(fd, self.MASK)
            except FileExistsError:   # the same connection's previous stream, or a descriptor since reused
                self._poll.modify(fd, self.MASK)
            except OSError:
                return None
            self._watched[fd] = hangup
        return hangup

    def forget(self, hangup: Hangup) -> None:
        """Stop watching a stream's socket (its stream ended)."""
        with self._lock:
            if self._watched.get(hangup.fd) is not hangup:
                return
            del self._watched[hangup.fd]
            try:
                self._poll.unregister(hangup.fd)
            except OSError:   # already closed: the kernel dropped it from the set
                pass

    def _run(self, poll) -> None:
        while True:
            for fd, _ in poll.poll():
                with self._lock:
                    hangup = self._watched.pop(fd, None)
                    try:
                        poll.unregister(fd)
                    except OSError:
                        pass
                if hangup is not None:
                    hangup.gone = True
                    hangup.wake()


HANGUPS = Hangups()


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


def slot_limit(config) -> int:
    """How many streams may be open at once: STREAM_SLOTS (1,000 by default)."""
    configured = config.get("STREAM_SLOTS")
    return max(1, int(configured if configured not in (None, "") else DefaultSettings.STREAM_SLOTS))


def hand_off(environ: dict) -> None:
    """Ask the server to write this GET's stream from a thread of the mock's own (waitress only).

    Read the client socket (SOCKET_KEY) only once the stream runs: a handed-off stream gets a new one.
    A HEAD, or a server without the key, keeps the server's own path.
    """
    ask = environ.get(HANDOFF_KEY)
    if ask is not None and environ.get("REQUEST_METHOD") == "GET":
        ask()


def busy() -> str:
    """The whole answer to a stream refused for lack of slots: reconnect later."""
    return f"retry: {BUSY_RETRY_MS}\n: every stream slot is taken; reconnecting later\n\n"


def watching(org: Org, store, sock=None) -> Callable[[], bool]:
    """Whether a stream of `org` goes on: the org was not reset or closed, and its client is still there."""
    def alive() -> bool:
        if org.events.closed or store.built(org.name) is not org:   # reset, evicted or dropped
            return False
        return sock is None or not client_gone(sock)
    return alive

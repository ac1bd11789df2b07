"""Live events across processes: an org's events in a Redis stream, numbered by one counter per org."""
from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING

from ..domain.errors import ApiError
from ..domain.events import Event, EventLog
from .redis_format import key
from .redis_replica import SharedLock

if TYPE_CHECKING:   # the store makes the reader and hands itself
    from .redis import RedisStore

REFRESH_SECONDS = 1.0   # how often the reader catches up every replica (a reset elsewhere ends streams here)
EVENTS_KEPT = 5000   # the live events an org's stream keeps for reconnects (EventLog's own bound)
# KEYS: event counter, event stream; ARGV: the stream's length, the publisher's cursor, then name, customer,
# payload of each event. Answers the stream after the cursor: the publisher's log holds its events at once.
PUBLISH = """
for i = 3, #ARGV, 3 do
  local id = redis.call('INCR', KEYS[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'id', id, 'name', ARGV[i], 'customer', ARGV[i + 1],
             'payload', ARGV[i + 2])
end
return redis.call('XRANGE', KEYS[2], '(' .. ARGV[2], '+')
"""


class LiveEvents:
    """The process's side of the org streams: publishing, and one reader thread for every replica's log."""

    def __init__(self, store: RedisStore):
        self.store = store
        self._publish = store.redis.register_script(PUBLISH)
        self._stopping = threading.Event()
        self._reader: threading.Thread | None = None

    def publish(self, log: SharedEvents, events: list[tuple]) -> None:
        """Number and append live events (name, payload, customer id) to the org's stream, in one script.

        The publishing process's log receives them (and any before them) at once, as the memory store's
        does: a call that emitted an event finds it in its own process, not only after the reader's next read.
        """
        name = log.shared.org.name
        args: list = [EVENTS_KEPT, log.cursor]
        for event_name, payload, customer_id in events:
            args += [event_name, customer_id or "", json.dumps(payload, separators=(",", ":"))]
        entries = self.store.call(self._publish, keys=[key(name, "eventseq"), key(name, "events")], args=args)
        log.receive([(entry_id, dict(zip(flat[::2], flat[1::2]))) for entry_id, flat in entries])

    def after(self, name: str, cursor: str) -> list:
        """The org's live events after stream id `cursor`."""
        return self.store.call(self.store.redis.xrange, key(name, "events"), min=f"({cursor}", count=EVENTS_KEPT)

    def start(self, events: SharedEvents) -> None:
        """Fill a new replica's log with the org's recent events; start the reader on first use."""
        name = events.shared.org.name
        entries = self.store.call(self.store.redis.xrevrange, key(name, "events"), count=EVENTS_KEPT)
        events.receive(list(reversed(entries)))
        if self._reader is None:
            self._reader = threading.Thread(target=self._run, daemon=True, name="kustomer-mock-redis-events")
            self._reader.start()

    def stop(self) -> None:
        """End the reader (the server is stopping)."""
        self._stopping.set()
        if self._reader is not None:
            self._reader.join(timeout=10)   # its read blocks 200 ms at most (longer on a loaded machine)

    def _run(self) -> None:
        """Every replica's new live events, from the org streams, into its local log."""
        store, refreshed = self.store, time.monotonic()
        while not self._stopping.is_set():
            try:
                store.clocks.poll()   # a clock moved by another process reaches a process that serves nothing
                if time.monotonic() - refreshed >= REFRESH_SECONDS:
                    refreshed = time.monotonic()
                    store.refresh()   # a reset made elsewhere ends this process's streams of that org
            except ApiError:
                pass   # Redis is away: the read below waits
            replicas = {key(s.org.name, "events"): s for s in store.replicas()}
            if not replicas:
                self._stopping.wait(0.2)
                continue
            try:
                answer = store.redis.xread({k: s.org.events.cursor for k, s in replicas.items()}, count=1000,
                                           block=200)
            except (store.errors, ValueError):   # ValueError: the client closed under a read at shutdown
                self._stopping.wait(0.5)   # Redis is away: calls answer 503 meanwhile, streams wait
                continue
            for stream, entries in answer:
                shared = replicas[stream.decode()]
                try:
                    shared.catch_up()   # a stream shows the records its events name (hydration reads them)
                except ApiError:
                    pass   # Redis went away meanwhile: the events still reach the streams, less hydrated
                shared.org.events.receive(entries)


def _stream_id(text: str) -> tuple[int, int]:
    milliseconds, _, sequence = text.partition("-")
    return int(milliseconds), int(sequence or 0)


class SharedEvents(EventLog):
    """An org's live events for every process: published to a Redis stream, received by the store's reader.

    Ids come from one counter per org in Redis, so Last-Event-ID means the same on every process.
    """

    def __init__(self, store: RedisStore, shared: SharedLock):
        super().__init__(limit=EVENTS_KEPT)
        self.store, self.shared = store, shared
        self.cursor = "0-0"   # the Redis stream id of the newest event received
        self._receiving = threading.Lock()

    def emit(self, name: str, payload: dict, customer_id: str | None = None) -> Event:
        """Publish an event; it reaches this log (and every other process's) through the store's reader.

        Emitted inside a write, it waits for the write to be saved (and goes nowhere if the write fails).
        The answer's id is 0: the id is drawn when the event is published.
        """
        if self.shared.holder == threading.get_ident():
            self.shared.pending.append((name, payload, customer_id))
        else:
            self.store.live.publish(self, [(name, payload, customer_id)])
        return Event(0, name, customer_id, payload)

    def receive(self, entries: list) -> None:
        """Stream entries (id, fields) into this log, in order, each once (the reader and `last_id` both read)."""
        with self._receiving:
            for entry_id, fields in entries:
                entry_id = entry_id.decode()
                if _stream_id(entry_id) <= _stream_id(self.cursor):
                    continue
                customer = fields[b"customer"].decode()
                self.add(Event(int(fields[b"id"]), fields[b"name"].decode(), customer or None,
                               json.loads(fields[b"payload"])))
                self.cursor = entry_id

    @property
    def last_id(self) -> int:
        """The newest event's id, after reading what the stream holds beyond this log (so Last-Event-ID holds)."""
        entries = self.store.live.after(self.shared.org.name, self.cursor)
        if entries:
            self.shared.catch_up()   # the records these events name, for the stream's hydration
            self.receive(entries)
        return super().last_id

"""The request journal shared by every process on one Redis: one stream of entries, one id counter.

Each entry is one stream item whose id is `N-0`, N drawn from one counter in the same script, so ids
grow across processes and `?after=ID` means the same on each. The stream keeps the newest JOURNAL_SIZE
entries (MAXLEN, exact). A long poll blocks on the stream (XREAD BLOCK), so it wakes for any process's call.

The stream always holds one run of ids (trimmed at its start, emptied by a clear), and an entry never
changes once written: each process keeps the entries it read, and a read fetches only the newer ones
with the stream's oldest id (one round trip), so polling the journal does not decode it whole each time.
"""
from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .redis import RedisStore

ROOT = "km:journal:{journal}"   # one hash tag: the stream and its counter sit in one cluster slot
BLOCK_SLICE_SECONDS = 1.0        # a long poll blocks this long at most per Redis call (shutdown is seen then)

# KEYS: id counter, stream; ARGV: the stream's length, then each entry's JSON. Answers the last id.
RECORD = """
local id = 0
for i = 2, #ARGV do
  id = redis.call('INCR', KEYS[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], id .. '-0', 'e', ARGV[i])
end
return id
"""
# KEYS: stream; answers how many entries went (the counter stays: ids keep growing)
CLEAR = "local n = redis.call('XLEN', KEYS[1]) redis.call('DEL', KEYS[1]) return n"


class SharedRing:
    """The journal's entries in Redis, for control/journal.py's Journal (which filters and waits)."""

    def __init__(self, store: RedisStore, size: int):
        self.store, self.size = store, max(1, size)
        self.stream = f"{ROOT}:entries"
        self._record = store.redis.register_script(RECORD)
        self._clear = store.redis.register_script(CLEAR)
        self._kept: dict[int, dict] = {}   # the entries this process read, by id, oldest first
        self._lock = threading.RLock()   # entries() reads again, once, after Redis lost its data

    def add(self, entries: list[dict]) -> int:
        """Append finished entries (without ids) for every process; answers the last id given (0: none).

        While Redis is away the entries are lost: the call was answered (a 503 store_unavailable, as a rule),
        and the journal step must not turn that answer into a 500.
        """
        args = [self.size, *(json.dumps(entry, separators=(",", ":")) for entry in entries)]
        try:
            return int(self._record(keys=[f"{ROOT}:ids", self.stream], args=args))
        except self.store.errors:
            return 0

    def entries(self, after: int | None = None) -> list[dict]:
        """Every kept entry (newer than `after`), oldest first, each with its id."""
        with self._lock:
            newest = next(reversed(self._kept), 0)
            pipe = self.store.redis.pipeline(transaction=True)
            pipe.xrange(self.stream, min=f"({newest}-0").xrange(self.stream, count=1)
            found, oldest = self.store.call(pipe.execute)
            first = _number(oldest[0][0]) if oldest else None
            if self._kept and first is not None and first < next(iter(self._kept)):
                self._kept.clear()   # ids started again (a Redis that lost its data): read it whole
                return self.entries(after)
            for stale in [i for i in self._kept if first is None or i < first]:   # trimmed, or cleared
                del self._kept[stale]
            for item_id, fields in found:
                self._kept[_number(item_id)] = {"id": _number(item_id), **json.loads(fields[b"e"])}
            return [entry for entry in self._kept.values() if after is None or entry["id"] > after]

    def newest(self) -> int:
        """The id of the newest kept entry (0: none)."""
        found = self.store.call(self.store.redis.xrevrange, self.stream, count=1)
        return _number(found[0][0]) if found else 0

    def wait_newer(self, after: int, seconds: float, stopping: Callable[[], bool]) -> None:
        """Block until an entry newer than `after` exists (any process's), `seconds` pass, or `stopping()`."""
        left = seconds
        while left > 0 and not stopping():
            block = min(left, BLOCK_SLICE_SECONDS)
            try:
                if self.store.redis.xread({self.stream: f"{after}-0"}, count=1, block=max(1, int(block * 1000))):
                    return
            except (self.store.errors, ValueError):   # Redis away, or the client closed at shutdown:
                return                                  # the journal's next read answers for it
            left -= block

    def clear(self) -> int:
        """Forget every entry, for every process (ids keep growing, so a follower never sees one twice)."""
        return int(self.store.call(self._clear, keys=[self.stream], args=[]))


def _number(item_id: bytes) -> int:
    return int(item_id.split(b"-")[0])

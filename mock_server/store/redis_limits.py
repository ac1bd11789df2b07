"""Rate-limit windows in Redis: an org's budget and per-customer caps counted once for every process.

The counting steps of domain/ratelimit.OrgLimits run as Lua scripts on one hash per org
(`km:{ORG}:limits`), on the time of the org's clock that the caller passes, so two processes spend one
budget. A reset of the org deletes the hash with the org.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.ratelimit import CREATES_PER_CUSTOMER, WINDOW_SECONDS, OrgLimits
from .redis_format import key

if TYPE_CHECKING:   # the store makes the counters and hands itself
    from .redis import RedisStore

# Times are kept as the caller's exact text (Lua's own number printing keeps 14 digits, which would move a
# window's end by microseconds and make an advance of exactly 60 s land inside the old window).
# KEYS: the org's limits hash; ARGV: window name, limit, now, window seconds -> {spent, start, used}
SPEND = """
local now, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local start, used = ARGV[3], 0
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local kept = cjson.decode(raw)
  if now < tonumber(kept[1]) + window then start, used = kept[1], kept[2] end
end
if used >= tonumber(ARGV[2]) then return {0, start, used} end
used = used + 1
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({start, used}))
return {1, start, used}
"""
# KEYS: the org's limits hash; ARGV: field, now, window seconds, cap -> {recorded, oldest}
STAMP = """
local now, window = tonumber(ARGV[2]), tonumber(ARGV[3])
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local kept = {}
if raw then
  for _, stamp in ipairs(cjson.decode(raw)) do
    if tonumber(stamp) > now - window then table.insert(kept, stamp) end
  end
end
if #kept >= tonumber(ARGV[4]) then return {0, kept[1]} end
table.insert(kept, ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(kept))
return {1, ''}
"""


class SharedLimits(OrgLimits):
    """One org's rate-limit counters, kept in Redis for every process."""

    def __init__(self, store: RedisStore, name: str):
        super().__init__()
        self.store, self.key = store, key(name, "limits")

    def spend(self, what: str, limit: int, now: float) -> tuple[bool, float, int]:
        """Count one call in the shared window of `what`: (spent, start, used)."""
        spent, start, used = self.store.call(self.store.scripts["spend"], keys=[self.key],
                                             args=[what, limit, repr(now), WINDOW_SECONDS])
        return bool(spent), float(start), int(used)

    def stamp(self, customer_id: str, kind: str, now: float) -> float | None:
        """Record one creation in the shared sliding window; None, or the oldest stamp once the cap is reached."""
        recorded, oldest = self.store.call(self.store.scripts["stamp"], keys=[self.key],
                                           args=[f"create:{kind}:{customer_id}", repr(now), WINDOW_SECONDS,
                                                 CREATES_PER_CUSTOMER])
        return None if recorded else float(oldest)


def register(store: RedisStore) -> dict:
    """The scripts the counters run, registered once per store."""
    return {"spend": store.redis.register_script(SPEND), "stamp": store.redis.register_script(STAMP)}

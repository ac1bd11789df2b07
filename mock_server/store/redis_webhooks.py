"""Outbound webhook deliveries in Redis: every process queues, claims and logs them in the org's keys.

An org's pending deliveries are a sorted set by queue order (`wh:order`) with their state (`wh:meta`,
JSON) and bodies (`wh:bodies`); a dispatcher claims the due ones in one Lua script (`wh:claims`, with a
lease in `wh:leases`, so the claim of a process that died comes back), and ends each attempt in another
that logs it and queues the retry, or lets it go. Every key carries the org's hash tag; `km:webhooks`
names the orgs with deliveries, which every process's dispatcher looks at. Registrations are not here:
they are the org's `outbound_webhooks` part (store/redis_format.py).
"""
from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from ..domain.errors import NotFound
from ..domain.ids import COUNTER_SPAN, MAX_SECONDS
from ..domain.webhook_outbox import EVENTS_KEPT, HOLD_SECONDS, LOG_SIZE, Delivery, Outbox, iso_seconds
from ..domain.clock import parse_iso
from .redis_format import PREFIX, key

if TYPE_CHECKING:   # the store hands itself and its replicas
    from ..domain.org import Org
    from .redis import RedisStore
    from .redis_replica import SharedLock

ORGS = f"{PREFIX}:webhooks"   # the orgs with deliveries queued (a set of org names)
# a claim lasts this long unless its dispatcher renews it (every round, at least once a second): a process
# killed mid-attempt gives its deliveries back to the others after this long
LEASE_SECONDS = 10
PARTS = ("wh:order", "wh:meta", "wh:bodies", "wh:held", "wh:claims", "wh:leases", "wh:seq", "wh:events",
         "wh:eventorder", "wh:log", "wh:logseq", "org", "wh:ids", "born")
FORGOTTEN = tuple(p for p in PARTS if p.startswith("wh:"))   # what a reset of the org deletes with the org
META = ("id", "event_id", "event", "webhook_id", "first_due", "attempts", "redelivery", "faulted")

# Every script gets the keys of PARTS in that order, then ORGS. Their shared helpers:
_HELPERS = """
local function log(entry, size)
  local n = redis.call('INCR', KEYS[11])
  redis.call('RPUSH', KEYS[10], '{"id":' .. n .. ',' .. string.sub(entry, 2))
  redis.call('LTRIM', KEYS[10], -tonumber(size), -1)
end
local function forget(id)
  redis.call('ZREM', KEYS[1], id) redis.call('HDEL', KEYS[2], id) redis.call('HDEL', KEYS[3], id)
  redis.call('SREM', KEYS[4], id)
end
"""
# Nothing is queued for an org reset since the replica that made the event loaded it (its incarnation).
# ARGV: org name, events kept, event id, event JSON, incarnation, then id, meta, body of each delivery
QUEUE = """
if redis.call('GET', KEYS[14]) ~= ARGV[5] then return 0 end
if redis.call('HSET', KEYS[8], ARGV[3], ARGV[4]) == 1 then
  redis.call('RPUSH', KEYS[9], ARGV[3])
  while redis.call('LLEN', KEYS[9]) > tonumber(ARGV[2]) do redis.call('HDEL', KEYS[8], redis.call('LPOP', KEYS[9])) end
end
for i = 6, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[7]), ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
end
if #ARGV >= 6 then redis.call('SADD', KEYS[15], ARGV[1]) end
return 1
"""
# For each webhook no attempt is under way for (in any process), its oldest due delivery, claimed for a
# lease; a reorder fault's held delivery goes once nothing is queued to overtake it (Outbox.take_due).
# ARGV: org name, now (the org's clock, epoch seconds), hold seconds, lease ms, claim token.
# Answers {id, meta, body of each claimed, the next due time of the rest (or false)}.
TAKE = """
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', ms)) do
  redis.call('HDEL', KEYS[5], id) redis.call('ZREM', KEYS[6], id)
end
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
if #ids == 0 then redis.call('SREM', KEYS[15], ARGV[1]) return {{}, false} end
local now, hold = tonumber(ARGV[2]), tonumber(ARGV[3])
local meta, raw = {}, redis.call('HGETALL', KEYS[2])
for i = 1, #raw, 2 do meta[raw[i]] = cjson.decode(raw[i + 1]) end
local claimed, busy, held, behind = {}, {}, {}, {}
for _, id in ipairs(redis.call('HKEYS', KEYS[5])) do
  claimed[id] = true
  if meta[id] then busy[meta[id].webhook_id] = true end
end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[4])) do held[id] = true end
for _, id in ipairs(ids) do
  if meta[id] and not held[id] and not claimed[id] then behind[meta[id].webhook_id] = true end
end
local chosen, taken = {}, {}
for _, id in ipairs(ids) do
  local m = meta[id]
  if m and not claimed[id] then
    local w = m.webhook_id
    if held[id] and (not behind[w] or now >= m.due + hold) then held[id] = nil redis.call('SREM', KEYS[4], id) end
    if m.due <= now and not held[id] and not busy[w] and not chosen[w] then chosen[w] = id taken[#taken + 1] = id end
  end
end
for id in pairs(held) do
  if meta[id] and chosen[meta[id].webhook_id] then held[id] = nil redis.call('SREM', KEYS[4], id) end
end
local out, nextdue = {}, nil
for _, id in ipairs(taken) do
  claimed[id] = true
  redis.call('HSET', KEYS[5], id, ARGV[5]) redis.call('ZADD', KEYS[6], ms + tonumber(ARGV[4]), id)
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id)
  out[#out + 1] = redis.call('HGET', KEYS[3], id) or ''
end
for _, id in ipairs(ids) do
  local m = meta[id]
  if m and not claimed[id] then
    local due = m.due
    if held[id] then due = due + hold end
    if nextdue == nil or due < nextdue then nextdue = due end
  end
end
return {out, nextdue and string.format('%.6f', nextdue) or false}
"""
# End an attempt under our claim: log it; queue the retry while the webhook is still registered and on
# (another process may have deleted it meanwhile), else let the delivery go.
# ARGV: delivery id, claim token, entry JSON ('' none), retry (1/0), new meta, webhook id, log size,
#       entry JSON without a retry
FINISH = _HELPERS + """
if redis.call('HGET', KEYS[5], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[5], ARGV[1]) redis.call('ZREM', KEYS[6], ARGV[1])
local again = false
if ARGV[4] == '1' then
  local raw = redis.call('HGET', KEYS[12], 'part:outbound_webhooks')
  for _, w in ipairs(raw and cjson.decode(raw) or {}) do
    if w.id == ARGV[6] and w.enabled == true then again = true end
  end
end
if again then redis.call('HSET', KEYS[2], ARGV[1], ARGV[5]) else forget(ARGV[1]) end
local entry = again and ARGV[3] or ARGV[8]
if entry ~= '' then log(entry, ARGV[7]) end
return again and 2 or 1
"""
# A reorder fault: the claimed delivery goes back in line last, held. ARGV: id, token, entry, meta, log size
HOLD = _HELPERS + """
if redis.call('HGET', KEYS[5], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[5], ARGV[1]) redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[7]), ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1]) redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
log(ARGV[3], ARGV[5])
return 1
"""
RECORD = _HELPERS + "log(ARGV[1], ARGV[2]) return 1"   # ARGV: entry, log size
# ARGV: lease ms, then id, token of each claim to extend
RENEW = """
local t = redis.call('TIME')
local until_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[5], ARGV[i]) == ARGV[i + 1] then redis.call('ZADD', KEYS[6], until_ms, ARGV[i]) end
end
return 1
"""
# the pending deliveries of one webhook that no attempt holds go. ARGV: webhook id
CANCEL = _HELPERS + """
local gone = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local raw = redis.call('HGET', KEYS[2], id)
  if raw and redis.call('HEXISTS', KEYS[5], id) == 0 and cjson.decode(raw).webhook_id == ARGV[1] then
    forget(id) gone = gone + 1
  end
end
return gone
"""
# the orgs still holding deliveries (the others leave the set). ARGV: the key prefix
ACTIVE = """
local found = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. '{' .. name .. '}:wh:order') == 1 then found[#found + 1] = name
  else redis.call('SREM', KEYS[1], name) end
end
return found
"""


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _meta(delivery: Delivery) -> str:
    """A delivery's state as the scripts read it (its due time included); the body is kept apart."""
    return _json({**{name: getattr(delivery, name) for name in META}, "due": delivery.due})


def _delivery(meta: bytes, body: bytes, **extra) -> Delivery:
    """A Delivery from its state and body as Redis holds them."""
    values = json.loads(meta)
    fields = {name: values[name] for name in META if name in values and name != "faulted"}
    return Delivery(**fields, body=body.decode(), faulted=list(values.get("faulted") or []), **extra)


class Deliveries:
    """The store's side of webhook deliveries: the scripts, the orgs with deliveries, a replica's outbox."""

    def __init__(self, store: RedisStore):
        self.store = store
        scripts = {"queue": QUEUE, "take": TAKE, "finish": FINISH, "hold": HOLD, "record": RECORD,
                   "cancel": CANCEL, "renew": RENEW}
        self.scripts = {name: store.redis.register_script(text) for name, text in scripts.items()}
        self._active = store.redis.register_script(ACTIVE)

    def attach(self, org: Org, replica: SharedLock) -> None:
        """Give a replica its shared outbox; what an imported org brought in its own is written to Redis first."""
        carried = org.webhooks.outbox
        shared = org.webhooks.outbox = SharedOutbox(self, org, replica)
        if isinstance(carried, Outbox) and (carried.pending or carried.events or carried.log):
            shared.restore(carried.export())

    def run(self, name: str, org_name: str, args: list):
        """One script over an org's keys."""
        keys = [key(org_name, part) for part in PARTS] + [ORGS]
        return self.store.call(self.scripts[name], keys=keys, args=args)

    def orgs(self) -> list[Org]:
        """The orgs with deliveries queued by any process, each current (the dispatcher's round)."""
        names = [n.decode() for n in self.store.call(self._active, keys=[ORGS], args=[f"{PREFIX}:"])]
        return list(self.store.current(names).values()) if names else []


class SharedOutbox:
    """One replica's handle on its org's deliveries in Redis: the methods of domain/webhook_outbox.Outbox."""

    def __init__(self, deliveries: Deliveries, org: Org, replica: SharedLock):
        self.deliveries, self.org, self.name, self.replica = deliveries, org, org.name, replica
        self.redis = deliveries.store.redis
        self._claims: dict[str, str] = {}   # delivery id -> the token of this process's claim
        self._next_due: float | None = None

    def _key(self, part: str) -> str:
        return key(self.name, part)

    def _call(self, function, *args):
        return self.deliveries.store.call(function, *args)

    def ids(self, org: Org, count: int) -> list[str]:
        """Fresh ids from one counter per org in Redis, so no two processes give the same one.

        ObjectId-shaped as the org's own, with one bit of its per-org part flipped: they never meet a record's.
        """
        last = self._call(self.redis.incrby, self._key("wh:ids"), count)
        seconds = min(max(int(org.clock.now().timestamp()), 0), MAX_SECONDS)
        machine = org.ids.machine ^ 1
        return [f"{seconds:08x}{machine:010x}{n % COUNTER_SPAN:06x}" for n in range(last - count + 1, last + 1)]

    def queue(self, event: dict, deliveries: list[Delivery]) -> None:
        """Keep the event for redelivery and queue its deliveries, in one script."""
        args: list = [self.name, EVENTS_KEPT, event["id"], _json(event), self.replica.incarnation or ""]
        for delivery in deliveries:
            args += [delivery.id, _meta(delivery), delivery.body]
        self.deliveries.run("queue", self.name, args)

    def event(self, event_id: str) -> dict:
        """A recent event by id, or NotFound."""
        found = self._call(self.redis.hget, self._key("wh:events"), event_id)
        if found is None:
            raise NotFound(f"no recent webhook event {event_id}", parameter="eventId")
        return json.loads(found)

    @property
    def events(self) -> dict[str, dict]:
        """The recent events by id, oldest first."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.lrange(self._key("wh:eventorder"), 0, -1).hgetall(self._key("wh:events"))
        order, found = self._call(pipe.execute)
        return {i.decode(): json.loads(found[i]) for i in order if i in found}

    def take_due(self, now: float, busy: set) -> list[Delivery]:
        """Claim, for each webhook with no attempt under way in any process, its oldest due delivery."""
        token = uuid.uuid4().hex
        found, next_due = self.deliveries.run("take", self.name, [self.name, repr(now), HOLD_SECONDS,
                                                                  LEASE_SECONDS * 1000, token])
        self._next_due = None if next_due is None else float(next_due)
        taken = []
        for index in range(0, len(found), 3):
            delivery = _delivery(found[index + 1], found[index + 2])
            self._claims[delivery.id] = token
            taken.append(delivery)
        return taken

    def next_due(self) -> float | None:
        """When the earliest queued delivery is due, as the last take_due found it."""
        return self._next_due

    def finish(self, delivery: Delivery, entry: dict | None, retry: bool) -> None:
        """End an attempt under this process's claim: log it, and queue the retry (or let it go)."""
        token = self._claims.pop(delivery.id, "")
        plain = "" if entry is None else _json(entry)
        without = "" if entry is None else _json({**entry, "nextRetryAt": None})
        self.deliveries.run("finish", self.name, [delivery.id, token, plain, int(retry), _meta(delivery),
                                                  delivery.webhook_id, LOG_SIZE, without])

    def hold(self, delivery: Delivery, entry: dict) -> None:
        """A reorder fault: back in line, held, after the deliveries queued so far."""
        token = self._claims.pop(delivery.id, "")
        self.deliveries.run("hold", self.name, [delivery.id, token, _json(entry), _meta(delivery), LOG_SIZE])

    def renew(self) -> None:
        """Extend the leases of this process's attempts under way, so no other process takes them over."""
        claims = list(self._claims.items())
        if claims:
            self.deliveries.run("renew", self.name, [LEASE_SECONDS * 1000, *(v for pair in claims for v in pair)])

    def record(self, entry: dict) -> None:
        """Log one attempt (the first of a duplicate fault's two)."""
        self.deliveries.run("record", self.name, [_json(entry), LOG_SIZE])

    def cancel(self, webhook_id: str) -> int:
        """Drop every pending delivery of a webhook (an attempt under way ends without a retry)."""
        return int(self.deliveries.run("cancel", self.name, [webhook_id]))

    def count(self, webhook_id: str | None = None) -> int:
        """How many deliveries are pending and not under way (to one webhook, or to any)."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.hgetall(self._key("wh:meta")).hkeys(self._key("wh:claims"))
        metas, claimed = self._call(pipe.execute)
        claimed = set(claimed)
        return sum(1 for i, raw in metas.items() if i not in claimed
                   and (webhook_id is None or json.loads(raw)["webhook_id"] == webhook_id))

    def attempts(self) -> list[dict]:
        """The attempt log of every process, oldest first."""
        return [json.loads(e) for e in self._call(self.redis.lrange, self._key("wh:log"), 0, -1)]

    def export(self) -> dict:
        """Pending deliveries (those under way too), recent events and the log, as Outbox.export answers."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.zrange(self._key("wh:order"), 0, -1, withscores=True).hgetall(self._key("wh:meta"))
        pipe.hgetall(self._key("wh:bodies")).smembers(self._key("wh:held"))
        order, metas, bodies, held = self._call(pipe.execute)
        pending = []
        for raw_id, seq in order:
            if raw_id in metas:
                delivery = _delivery(metas[raw_id], bodies.get(raw_id, b""), seq=int(seq), held=raw_id in held)
                plain = {k: v for k, v in vars(delivery).items() if k != "first_due"}
                pending.append({**plain, "firstDue": iso_seconds(delivery.first_due)})
        return {"pending": pending, "events": list(self.events.values()), "log": self.attempts()}

    def restore(self, raw: dict) -> None:
        """Replace everything with exported data (state import)."""
        pending = raw.get("pending") or []
        log = raw.get("log") or []
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(*[self._key(part) for part in FORGOTTEN if part != "wh:ids"])
        for item in pending:
            values = {k: v for k, v in item.items() if k in Delivery.__dataclass_fields__}
            values["first_due"] = parse_iso(item["firstDue"]).timestamp()
            delivery = Delivery(**values)
            pipe.zadd(self._key("wh:order"), {delivery.id: delivery.seq})
            pipe.hset(self._key("wh:meta"), delivery.id, _meta(delivery))
            pipe.hset(self._key("wh:bodies"), delivery.id, delivery.body)
            if delivery.held:
                pipe.sadd(self._key("wh:held"), delivery.id)
        pipe.set(self._key("wh:seq"), max([item.get("seq") or 0 for item in pending] + [0]))
        for event in (raw.get("events") or [])[-EVENTS_KEPT:]:
            pipe.hset(self._key("wh:events"), event["id"], _json(event)).rpush(self._key("wh:eventorder"), event["id"])
        for entry in log[-LOG_SIZE:]:
            pipe.rpush(self._key("wh:log"), _json(entry))
        pipe.set(self._key("wh:logseq"), max([e.get("id", 0) for e in log] + [0]))
        if pending:
            pipe.sadd(ORGS, self.name)
        self._call(pipe.execute)

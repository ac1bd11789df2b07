"""Fault and stub rules shared by every process on one Redis: one list, one id counter, counts kept once.

The rules live in Redis (per set, f for faults and s for stubs: an id counter, the ids in order, each
rule's spec and seed, its `seen` and `hits`), with one version for both sets, bumped by every add, remove
and clear. A process keeps the rules it last read and learns the version once per request (faults.before),
in the round trip that finds the call's org current (RedisStore.read_along) or, for a call without a key,
with a GET of its own; when it moved, it reads the lists again. Matching is done here, in Python;
whether a matching rule fires (times, after, probability) is decided by one Lua script that counts and
draws in Redis, so a `times=2` rule fires twice however many processes see the calls. The script refuses
to decide on rules read before the version moved (a rule removed since is never acted on), and the
process reads them again.
"""
from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

from ..control.rules import Call, Decision, Rule, WebhookCall, not_found

from .redis import StoreUnavailable

if TYPE_CHECKING:
    from .redis import RedisStore

ROOT = "km:rules:{rules}"   # one hash tag: every key of the rules sits in one cluster slot, for the scripts
STALE_RETRIES = 20           # reads of a moving rule list before a decision is given up (no rule acts)

# KEYS: version, seen, hits; ARGV: the version the candidates were read at, then per candidate its id,
# times (-1: unbounded), after, probability and seed. Answers {1, id, n} (n: the call's number), {0} or {-1}.
DECIDE = """
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return {-1} end
for i = 2, #ARGV, 5 do
  local id, times = ARGV[i], tonumber(ARGV[i + 1])
  if times < 0 or tonumber(redis.call('HGET', KEYS[3], id) or '0') < times then
    local seen = redis.call('HINCRBY', KEYS[2], id, 1)
    if seen > tonumber(ARGV[i + 2]) then
      local hex = string.sub(redis.sha1hex(ARGV[i + 4] .. ':p:' .. seen), 1, 13)
      if tonumber(hex, 16) / 4503599627370496 < tonumber(ARGV[i + 3]) then
        redis.call('HINCRBY', KEYS[3], id, 1)
        return {1, id, seen}
      end
    end
  end
end
return {0}
"""
# KEYS: version, ids, order, specs, seeds, booted; ARGV: prefix, mock seed, boot name ('' for none), then
# per rule its document (JSON) and its own seed ('' for none). Answers the new ids (none: booted already).
ADD = """
if ARGV[3] ~= '' and redis.call('SADD', KEYS[6], ARGV[3]) == 0 then return {} end
local ids = {}
for i = 4, #ARGV, 2 do
  local id = ARGV[1] .. redis.call('INCR', KEYS[2])
  local seed = ARGV[2] .. ':' .. id
  if ARGV[i + 1] ~= '' then seed = 'rule:' .. ARGV[i + 1] end
  redis.call('HSET', KEYS[4], id, ARGV[i])
  redis.call('HSET', KEYS[5], id, seed)
  redis.call('RPUSH', KEYS[3], id)
  ids[#ids + 1] = id
end
if #ids > 0 then redis.call('INCR', KEYS[1]) end
return ids
"""
# KEYS: version, order, specs, seeds, seen, hits; ARGV: id. Answers {document, seen, hits}, or false.
REMOVE = """
local doc = redis.call('HGET', KEYS[3], ARGV[1])
if not doc then return false end
local seen = redis.call('HGET', KEYS[5], ARGV[1]) or '0'
local hits = redis.call('HGET', KEYS[6], ARGV[1]) or '0'
redis.call('LREM', KEYS[2], 0, ARGV[1])
for k = 3, 6 do redis.call('HDEL', KEYS[k], ARGV[1]) end
redis.call('INCR', KEYS[1])
return {doc, seen, hits}
"""
# KEYS: version, then every key of one set; answers how many rules went
CLEAR = """
local count = redis.call('LLEN', KEYS[2])
redis.call('DEL', unpack(KEYS, 2))
redis.call('INCR', KEYS[1])
return count
"""
PARTS = ("order", "specs", "seeds", "seen", "hits", "ids", "booted")


def _key(prefix: str, part: str) -> str:
    return f"{ROOT}:{prefix}:{part}"


class SharedRules:
    """What this process last read of the shared rules (both sets), and the scripts that change them."""

    def __init__(self, store: RedisStore, seed: int):
        self.store, self.seed = store, seed
        self.version = ""                    # the version the cached lists were read at ("": none yet)
        self.rules: dict[str, list[Rule]] = {"f": [], "s": []}
        self._lock = threading.Lock()
        redis = store.redis
        self.scripts = {name: redis.register_script(text)
                        for name, text in (("decide", DECIDE), ("add", ADD), ("remove", REMOVE), ("clear", CLEAR))}
        self.faults, self.stubs = RedisRules(self, "f"), RedisRules(self, "s")
        store.read_along.append((f"{ROOT}:version", self.heard))

    def refresh(self, via=None) -> None:
        """Learn the version (the lists again when another process changed them): in the org's round trip
        when `via` (the request's caller) has a key and so an org, else with one read of its own."""
        if via is not None and via.key:
            via.org   # the store reads the rules' version along with the org's (RedisStore.read_along)
            return
        self.heard(self.store.call(self.store.redis.get, f"{ROOT}:version"))

    def heard(self, version: bytes | None) -> None:
        """The version as just read: read the lists again when it moved."""
        if (version or b"").decode() != self.version:
            self.reload()

    def reload(self) -> None:
        """Read both lists and the version they belong to, in one transaction."""
        pipe = self.store.redis.pipeline(transaction=True)
        pipe.get(f"{ROOT}:version")
        for prefix in ("f", "s"):
            pipe.lrange(_key(prefix, "order"), 0, -1).hgetall(_key(prefix, "specs")).hgetall(_key(prefix, "seeds"))
        version, *lists = self.store.call(pipe.execute)
        rules = {prefix: _rules(*lists[3 * i:3 * i + 3]) for i, prefix in enumerate(("f", "s"))}
        with self._lock:
            self.rules, self.version = rules, (version or b"").decode()

    def decide(self, prefix: str, fits, skip: tuple = ()) -> Decision | None:
        """The first rule of the set that `fits` and fires, counted in Redis; retried on a list read too early."""
        for _ in range(STALE_RETRIES):
            with self._lock:
                version, candidates = self.version, [r for r in self.rules[prefix] if r.id not in skip and fits(r)]
            if not candidates:
                return None
            args = [version]
            for rule in candidates:
                spec = rule.spec
                args += [rule.id, -1 if spec.get("times") is None else spec["times"], spec.get("after", 0),
                         repr(float(spec.get("probability", 1.0))), rule.seed]
            answer = self.store.call(self.scripts["decide"], keys=[f"{ROOT}:version", _key(prefix, "seen"),
                                                                   _key(prefix, "hits")], args=args)
            if answer[0] == 1:
                rule = next(r for r in candidates if r.id == answer[1].decode())
                return rule.decision(int(answer[2]))
            if answer[0] == 0:
                return None
            self.reload()
        return None


def _rules(order: list, specs: dict, seeds: dict) -> list[Rule]:
    rules = []
    for raw in order:
        document = specs.get(raw)
        if document is not None:
            loaded = json.loads(document)
            rules.append(Rule(raw.decode(), loaded["spec"], seeds[raw].decode(), extra=loaded["extra"]))
    return rules


class RedisRules:
    """One set of shared rules (faults "f" or stubs "s") behind FaultSet's methods."""

    def __init__(self, shared: SharedRules, prefix: str):
        self.shared, self.prefix, self.seed = shared, prefix, shared.seed

    def _keys(self, *parts: str) -> list[str]:
        return [f"{ROOT}:version", *(_key(self.prefix, part) for part in parts)]

    @property
    def has_rules(self) -> bool:
        """Whether the set held rules at this process's last refresh (no Redis call)."""
        return bool(self.shared.rules[self.prefix])

    def refresh(self, via=None) -> None:
        """Learn the rules' version (both sets), and the rules when they changed: once per request."""
        self.shared.refresh(via)

    def add(self, specs: list[dict], boot: str | None = None, **extra) -> list[dict]:
        """Store already-validated rules in Redis (all or none, ids from Redis); answers them with their ids."""
        args: list = [self.prefix, self.seed, boot or ""]
        for spec in specs:
            args += [json.dumps({"spec": spec, "extra": extra}), spec.get("seed", "")]
        ids = self.shared.store.call(self.shared.scripts["add"], keys=self._keys("ids", "order", "specs", "seeds",
                                                                                  "booted"), args=args)
        return [Rule(rule_id.decode(), spec, "", extra=dict(extra)).describe() for rule_id, spec in zip(ids, specs)]

    def remove(self, rule_id: str) -> dict:
        """Remove one rule for every process, or NotFound."""
        answer = self.shared.store.call(self.shared.scripts["remove"], keys=self._keys(
            "order", "specs", "seeds", "seen", "hits"), args=[rule_id])
        if not answer:
            raise not_found(self.prefix, rule_id)
        loaded = json.loads(answer[0])
        return Rule(rule_id, loaded["spec"], "", int(answer[1]), int(answer[2]), loaded["extra"]).describe()

    def clear(self) -> int:
        """Remove every rule for every process; ids start again from f1 (s1)."""
        return int(self.shared.store.call(self.shared.scripts["clear"], keys=self._keys(*PARTS), args=[]))

    def list(self) -> list[dict]:
        """Every rule with its counters, as Redis holds them now."""
        pipe = self.shared.store.redis.pipeline(transaction=True)
        for part in ("order", "specs", "seeds", "seen", "hits"):
            key = _key(self.prefix, part)
            pipe.lrange(key, 0, -1) if part == "order" else pipe.hgetall(key)
        order, specs, seeds, seen, hits = self.shared.store.call(pipe.execute)
        rules = _rules(order, specs, seeds)
        for rule in rules:
            rule.seen, rule.hits = int(seen.get(rule.id.encode(), 0)), int(hits.get(rule.id.encode(), 0))
        return [rule.describe() for rule in rules]

    def decide(self, call: Call) -> Decision | None:
        """The action of the first rule that matches and fires (counted once across processes), or None."""
        return self.shared.decide(self.prefix, lambda rule: rule.matches(call))

    def decide_webhook(self, call: WebhookCall, skip: tuple = ()) -> Decision | None:
        """The action of the first webhook rule (not in `skip`) that matches a delivery and fires, or None."""
        try:
            self.shared.refresh()   # deliveries run outside requests: learn the rules here
            return self.shared.decide(self.prefix, lambda rule: rule.matches_webhook(call), skip)
        except StoreUnavailable:   # Redis is away: the attempt goes out unfaulted rather than being lost
            return None

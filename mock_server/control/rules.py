"""Fault rules: which call a rule matches, whether it fires (after, probability, times), what it does."""
from __future__ import annotations

import copy
import fnmatch
import hashlib
import threading
from dataclasses import dataclass, field

from ..domain.errors import NotFound

MAX_DELAY_MS = 60_000       # delayMs above this is clamped: a fault must never stall a suite for long
MAX_HANG_SECONDS = 120.0    # a hang ends (as an empty reply) after this even if the client waits on
DROPS = ("reset", "empty", "malformed", "hang", "cut")  # cut: an event stream ends after cutAfter events
TARGETS = ("request", "webhook")   # a rule acts on incoming requests (default) or on webhook deliveries
WEBHOOK_ACTIONS = ("fail", "duplicate", "reorder", "drop")


@dataclass(frozen=True)
class Call:
    """What a rule can match on: one incoming request."""

    operation: str | None
    method: str
    path: str
    org_key: str | None = None
    org_name: str | None = None


@dataclass(frozen=True)
class WebhookCall:
    """What a webhook rule can match on: one delivery attempt."""

    event: str
    url: str
    webhook_id: str
    org_names: tuple = ()   # the org's name and its keys


@dataclass(frozen=True)
class Decision:
    """What a fired rule does to one call."""

    rule_id: str
    respond: dict | None
    delay_ms: float
    drop: str | None
    cut_after: int | None = None  # drop "cut": events an event stream sends before it is cut
    action: str | None = None     # webhook rules: fail, duplicate, reorder or drop


def draw(seed: str, n: int, what: str = "p") -> float:
    """The number in [0, 1) the n-th matching call of a rule draws: from the rule's seed and n alone.

    `what` is "p" (probability) or "d" (delay). The first 52 bits of SHA-1, so the Lua script of the redis
    store (store/redis_rules.py: redis.sha1hex) draws the very same number on any process.
    """
    return int(hashlib.sha1(f"{seed}:{what}:{n}".encode()).hexdigest()[:13], 16) / 2 ** 52


def rule_seed(mock_seed: int | str, rule_id: str, spec: dict) -> str:
    """A rule's own seed stands alone; else the mock's seed and the rule id make one."""
    return f"rule:{spec['seed']}" if "seed" in spec else f"{mock_seed}:{rule_id}"


@dataclass
class Rule:
    """A stored rule with its counters and its seed (the n-th matching call draws draw(seed, n))."""

    id: str
    spec: dict
    seed: str
    seen: int = 0       # matching calls, including those let through by `after` or `probability`
    hits: int = 0       # calls the rule acted on
    extra: dict = field(default_factory=dict)

    def matches(self, call: Call) -> bool:
        """Whether every field of `match` fits the call (absent fields match anything)."""
        match = self.spec.get("match") or {}
        if self.spec.get("target", "request") != "request":
            return False
        if "operation" in match and match["operation"] != call.operation:
            return False
        if "method" in match and match["method"] != call.method:
            return False
        if "path" in match and not fnmatch.fnmatchcase(call.path, match["path"]):
            return False
        return "org" not in match or match["org"] in (call.org_key, call.org_name)

    def matches_webhook(self, call: WebhookCall) -> bool:
        """Whether a webhook rule's match fits a delivery: event and endpoint are globs, org a key or name."""
        match = self.spec.get("match") or {}
        if self.spec.get("target") != "webhook":
            return False
        if "event" in match and not fnmatch.fnmatchcase(call.event, match["event"]):
            return False
        if "endpoint" in match and not (fnmatch.fnmatchcase(call.url, match["endpoint"])
                                        or match["endpoint"] == call.webhook_id):
            return False
        return "org" not in match or match["org"] in call.org_names

    @property
    def expired(self) -> bool:
        """Whether `times` hits are used up."""
        return self.spec.get("times") is not None and self.hits >= self.spec["times"]

    def fire(self) -> bool:
        """Count a matching call and say whether the rule acts on it."""
        self.seen += 1
        if self.seen <= self.spec.get("after", 0):
            return False
        if draw(self.seed, self.seen) >= self.spec.get("probability", 1.0):
            return False
        self.hits += 1
        return True

    def decision(self, n: int) -> Decision:
        """What the rule does to the n-th matching call (the one that fired)."""
        spec = self.spec
        if self.target == "webhook":
            return Decision(self.id, copy.deepcopy(spec.get("respond")), self.delay(n), None,
                            action=spec.get("action"))
        return Decision(self.id, copy.deepcopy(spec.get("respond")), self.delay(n), spec.get("drop"),
                        spec.get("cutAfter"))

    @property
    def target(self) -> str:
        """"request" or "webhook"."""
        return self.spec.get("target", "request")

    def delay(self, n: int) -> float:
        """The delay of the n-th matching call in ms: fixed, or drawn from {min, max}; clamped."""
        delay = self.spec.get("delayMs")
        if delay is None:
            return 0.0
        if isinstance(delay, dict):
            delay = delay["min"] + (delay["max"] - delay["min"]) * draw(self.seed, n, "d")
        return float(min(max(delay, 0), MAX_DELAY_MS))

    def describe(self) -> dict:
        """The rule as the control API shows it."""
        return {"id": self.id, **copy.deepcopy(self.spec), "hits": self.hits, "seen": self.seen,
                "expired": self.expired, **self.extra}


class FaultSet:
    """The rules of one mock, in the order added; the first rule that fires wins.

    The stubs are a second FaultSet with the prefix "s": the same matching, counters and ids. With the
    redis store, store/redis_rules.py keeps them in Redis behind the same methods.
    """

    def __init__(self, seed: int = 1, prefix: str = "f"):
        self.seed, self.prefix = seed, prefix
        self._rules: list[Rule] = []
        self._next = 1
        self._booted: set[str] = set()
        self._lock = threading.Lock()

    @property
    def has_rules(self) -> bool:
        """Whether any rule is set (read without the lock: every call asks, and most mocks have none)."""
        return bool(self._rules)

    def refresh(self, via=None) -> None:
        """Learn the rules other processes changed (rules in this process's memory: nothing to learn).

        `via`: the request's caller, whose org's read the shared rules ride along with.
        """

    def add(self, specs: list[dict], boot: str | None = None, **extra) -> list[dict]:
        """Store already-validated rules (all or none); answers them with their ids.

        `boot`: the --faults scenario's name; its rules are added once until the next clear.
        """
        with self._lock:
            if boot is not None and boot in self._booted:
                return []
            self._booted.update([boot] if boot is not None else [])
            added = []
            for spec in specs:
                rule_id = f"{self.prefix}{self._next}"
                self._next += 1
                added.append(Rule(rule_id, copy.deepcopy(spec), rule_seed(self.seed, rule_id, spec),
                                  extra=dict(extra)))
            self._rules.extend(added)
            return [rule.describe() for rule in added]

    def remove(self, rule_id: str) -> dict:
        """Remove one rule, or NotFound."""
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.id == rule_id:
                    return self._rules.pop(index).describe()
        raise not_found(self.prefix, rule_id)

    def clear(self) -> int:
        """Remove every rule; ids start again from f1 (s1) so a re-run draws the same numbers."""
        with self._lock:
            count, self._rules, self._next = len(self._rules), [], 1
            self._booted.clear()
            return count

    def list(self) -> list[dict]:
        """Every rule with its counters."""
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def decide(self, call: Call) -> Decision | None:
        """The action of the first rule that matches and fires, or None."""
        with self._lock:
            for rule in self._rules:
                if not rule.expired and rule.matches(call) and rule.fire():
                    return rule.decision(rule.seen)
        return None

    def decide_webhook(self, call: WebhookCall, skip: tuple = ()) -> Decision | None:
        """The action of the first webhook rule (not in `skip`) that matches a delivery and fires, or None."""
        with self._lock:
            for rule in self._rules:
                if rule.id not in skip and not rule.expired and rule.matches_webhook(call) and rule.fire():
                    return rule.decision(rule.seen)
        return None


def not_found(prefix: str, rule_id: str) -> NotFound:
    """The 404 of an unknown rule id."""
    return NotFound(f"no {'stub' if prefix == 's' else 'fault'} {rule_id}", parameter="id")

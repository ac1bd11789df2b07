"""Fault rules: which call a rule matches, whether it fires (after, probability, times), what it does."""
from __future__ import annotations

import copy
import fnmatch
import random
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


@dataclass
class Rule:
    """A stored rule with its counters and its own seeded generator."""

    id: str
    spec: dict
    rng: random.Random
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
        probability = self.spec.get("probability", 1.0)
        # drawn even at 1.0 so adding or removing a probability does not shift the other draws
        if self.rng.random() >= probability:
            return False
        self.hits += 1
        return True

    def delay(self) -> float:
        """The delay of this hit in ms: fixed, or drawn from {min, max}; clamped."""
        delay = self.spec.get("delayMs")
        if delay is None:
            return 0.0
        if isinstance(delay, dict):
            delay = self.rng.uniform(delay["min"], delay["max"])
        return float(min(max(delay, 0), MAX_DELAY_MS))

    def describe(self) -> dict:
        """The rule as the control API shows it."""
        return {"id": self.id, **copy.deepcopy(self.spec), "hits": self.hits, "seen": self.seen,
                "expired": self.expired, **self.extra}


class FaultSet:
    """The rules of one mock, in the order added; the first rule that fires wins.

    The stubs are a second FaultSet with the prefix "s": the same matching, counters and ids.
    """

    def __init__(self, seed: int = 1, prefix: str = "f"):
        self.seed, self.prefix = seed, prefix
        self._rules: list[Rule] = []
        self._next = 1
        self._lock = threading.Lock()

    @property
    def has_rules(self) -> bool:
        """Whether any rule is set (read without the lock: every call asks, and most mocks have none)."""
        return bool(self._rules)

    def add(self, specs: list[dict], **extra) -> list[dict]:
        """Store already-validated rules (all or none); answers them with their ids."""
        with self._lock:
            added = []
            for spec in specs:
                rule_id = f"{self.prefix}{self._next}"
                self._next += 1
                # a rule's own seed stands alone; else the mock's seed and the rule id make one
                seed = f"rule:{spec['seed']}" if "seed" in spec else f"{self.seed}:{rule_id}"
                added.append(Rule(rule_id, copy.deepcopy(spec), random.Random(seed),
                                  extra=dict(extra)))
            self._rules.extend(added)
            return [rule.describe() for rule in added]

    def remove(self, rule_id: str) -> dict:
        """Remove one rule, or NotFound."""
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.id == rule_id:
                    return self._rules.pop(index).describe()
        raise NotFound(f"no {'stub' if self.prefix == 's' else 'fault'} {rule_id}", parameter="id")

    def clear(self) -> int:
        """Remove every rule; ids start again from f1 (s1) so a re-run draws the same numbers."""
        with self._lock:
            count, self._rules, self._next = len(self._rules), [], 1
            return count

    def list(self) -> list[dict]:
        """Every rule with its counters."""
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def decide(self, call: Call) -> Decision | None:
        """The action of the first rule that matches and fires, or None."""
        with self._lock:
            for rule in self._rules:
                if rule.expired or not rule.matches(call) or not rule.fire():
                    continue
                return Decision(rule.id, copy.deepcopy(rule.spec.get("respond")), rule.delay(),
                                rule.spec.get("drop"), rule.spec.get("cutAfter"))
        return None

    def decide_webhook(self, call: WebhookCall, skip: tuple = ()) -> Decision | None:
        """The action of the first webhook rule (not in `skip`) that matches a delivery and fires, or None."""
        with self._lock:
            for rule in self._rules:
                if rule.id in skip or rule.expired or not rule.matches_webhook(call) or not rule.fire():
                    continue
                return Decision(rule.id, copy.deepcopy(rule.spec.get("respond")), rule.delay(), None,
                                action=rule.spec.get("action"))
        return None

"""What an org still has to deliver to its webhooks, Kustomer's retry schedule, and the log of attempts."""
from __future__ import annotations

import copy
import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from .clock import iso, parse_iso
from .errors import NotFound

# Kustomer's schedule (developer docs, "Delivery and retries"): retries after 1, 1, 2, 5, 10, 15, 30 minutes.
RETRY_SECONDS = (60, 60, 120, 300, 600, 900, 1800)
MAX_ATTEMPTS = 1 + len(RETRY_SECONDS)
LOG_SIZE = 2000       # attempts kept per org, newest last
EVENTS_KEPT = 1000    # events kept per org for redelivery
HOLD_SECONDS = 60     # a delivery held back by a reorder fault goes anyway after this (mock clock)


@dataclass
class Delivery:
    """One event on its way to one webhook; the body is fixed when the event is made, so retries match."""

    id: str
    event_id: str
    event: str
    webhook_id: str
    body: str
    first_due: float           # mock-clock epoch seconds of the first attempt
    seq: int = 0               # order among the deliveries to the same webhook
    attempts: int = 0
    redelivery: bool = False
    held: bool = False         # a reorder fault holds it back until another delivery overtakes it
    faulted: list = field(default_factory=list)  # ids of rules that already acted on this delivery

    @property
    def due(self) -> float:
        """When the next attempt is due: the first, or the retry after the attempts so far."""
        return self.first_due + sum(RETRY_SECONDS[:self.attempts])

    @property
    def exhausted(self) -> bool:
        """Whether every attempt of the schedule has been made."""
        return self.attempts >= MAX_ATTEMPTS


class Outbox:
    """An org's pending deliveries (due on the mock clock), its recent events and its attempt log, in this process.

    The dispatcher takes due deliveries (`take_due`) and ends each attempt with `finish` (or `hold`,
    `record`); a store shared by processes provides the same methods over Redis
    (store/redis_webhooks.py).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: list[Delivery] = []
        self.events: dict[str, dict] = {}     # event id -> {id, name, body}, the newest EVENTS_KEPT
        self.log: deque = deque(maxlen=LOG_SIZE)
        self._seq = itertools.count(1)
        self._attempt_ids = itertools.count(1)

    def ids(self, org, count: int) -> list[str]:
        """`count` fresh ids for an event and its deliveries, from the org's own generator."""
        return [org.new_id() for _ in range(count)]

    def queue(self, event: dict, deliveries: list[Delivery]) -> None:
        """Keep the event for redelivery and queue its deliveries, in order."""
        self.remember(event)
        for delivery in deliveries:
            self.add(delivery)

    def remember(self, event: dict) -> None:
        """Keep an event (id, name, body) so it can be redelivered."""
        with self.lock:
            self.events[event["id"]] = event
            while len(self.events) > EVENTS_KEPT:
                self.events.pop(next(iter(self.events)))

    def event(self, event_id: str) -> dict:
        """A recent event by id, or NotFound."""
        found = self.events.get(event_id)
        if found is None:
            raise NotFound(f"no recent webhook event {event_id}", parameter="eventId")
        return found

    def add(self, delivery: Delivery) -> Delivery:
        """Queue a delivery after the ones already queued."""
        with self.lock:
            delivery.seq = next(self._seq)
            self.pending.append(delivery)
        return delivery

    def retry(self, delivery: Delivery) -> None:
        """Put a failed delivery back in its place; it is due again on the retry schedule."""
        with self.lock:
            self.pending.append(delivery)

    def hold(self, delivery: Delivery, entry: dict) -> None:
        """A reorder fault: the delivery waits until the next one queued to its webhook has gone (or a minute)."""
        with self.lock:
            delivery.held = True
            delivery.seq = next(self._seq)
            self.pending.append(delivery)
        self.record(entry)

    def finish(self, delivery: Delivery, entry: dict | None, retry: bool) -> None:
        """End an attempt taken off the queue: log it (`entry`), and put it back when it is `retry`-ed."""
        if retry:
            self.retry(delivery)
        if entry is not None:
            self.record(entry)

    def renew(self) -> None:
        """Keep the claims of attempts under way: nothing to do in one process (a shared store's claims expire)."""

    def take_due(self, now: float, busy: set) -> list[Delivery]:
        """For each webhook not busy, its oldest due delivery (taken off the queue): event order per endpoint."""
        with self.lock:
            chosen: dict[str, Delivery] = {}
            behind = {d.webhook_id for d in self.pending if not d.held}
            for delivery in sorted(self.pending, key=lambda d: d.seq):
                if delivery.held and (delivery.webhook_id not in behind or now >= delivery.due + HOLD_SECONDS):
                    delivery.held = False   # nothing queued to overtake it (or held long enough): it goes
                if delivery.due <= now and not delivery.held and delivery.webhook_id not in busy \
                        and delivery.webhook_id not in chosen:
                    chosen[delivery.webhook_id] = delivery
            for delivery in chosen.values():
                self.pending.remove(delivery)
            for delivery in self.pending:  # what was held now comes after the delivery that overtook it
                if delivery.held and delivery.webhook_id in chosen:
                    delivery.held = False
            return list(chosen.values())

    def cancel(self, webhook_id: str) -> int:
        """Drop every pending delivery of a webhook (deleted or disabled)."""
        with self.lock:
            kept = [d for d in self.pending if d.webhook_id != webhook_id]
            cancelled, self.pending = len(self.pending) - len(kept), kept
            return cancelled

    def count(self, webhook_id: str | None = None) -> int:
        """How many deliveries are pending (to one webhook, or to any)."""
        with self.lock:
            return sum(1 for d in self.pending if webhook_id is None or d.webhook_id == webhook_id)

    def record(self, entry: dict) -> dict:
        """Log one attempt (or a drop) with a sequential id."""
        with self.lock:
            entry = {"id": next(self._attempt_ids), **entry}
            self.log.append(entry)
            return entry

    def attempts(self) -> list[dict]:
        """The attempt log, oldest first."""
        with self.lock:
            return [dict(e) for e in self.log]

    def next_due(self) -> float | None:
        """When the earliest queued delivery is due (mock-clock seconds), if any."""
        with self.lock:
            return min((d.due + HOLD_SECONDS if d.held else d.due for d in self.pending), default=None)

    def export(self) -> dict:
        """Pending deliveries, recent events and the log as plain data (state export)."""
        with self.lock:
            pending = [{**_plain(d), "firstDue": iso_seconds(d.first_due)} for d in self.pending]
            return {"pending": pending, "events": copy.deepcopy(list(self.events.values())),
                    "log": [dict(e) for e in self.log]}

    def restore(self, raw: dict) -> None:
        """Replace everything with exported data (state import)."""
        with self.lock:
            self.pending = []
            for item in raw.get("pending") or []:
                values = {k: v for k, v in item.items() if k in Delivery.__dataclass_fields__}
                values["first_due"] = parse_iso(item["firstDue"]).timestamp()
                self.pending.append(Delivery(**values))
            self.events = {e["id"]: dict(e) for e in raw.get("events") or []}
            self.log = deque((dict(e) for e in raw.get("log") or []), maxlen=LOG_SIZE)
            start = max([d.seq for d in self.pending] + [0]) + 1
            self._seq = itertools.count(start)
            self._attempt_ids = itertools.count(max([e.get("id", 0) for e in self.log] + [0]) + 1)


def _plain(delivery: Delivery) -> dict:
    """A delivery without its epoch-seconds due time (exported as an ISO time instead)."""
    return {k: v for k, v in asdict(delivery).items() if k != "first_due"}


def iso_seconds(seconds: float) -> str:
    """Epoch seconds on the mock clock as Kustomer writes times."""
    return iso(datetime.fromtimestamp(seconds, timezone.utc))

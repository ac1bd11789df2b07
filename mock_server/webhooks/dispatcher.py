"""The background worker: takes due deliveries off every org's outbox and posts them, one at a time per endpoint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

import threading
from concurrent.futures import ThreadPoolExecutor

from ..control.rules import Decision, FaultSet, WebhookCall
from ..domain.errors import ApiError
from ..domain.webhook_outbox import Delivery, iso_seconds
from . import sender

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from ..domain.org import Org

MAX_WAIT_SECONDS = 1.0   # a running clock is checked at least this often (a clock change wakes it at once)
WORKERS = 8          # endpoints served at once; one slow endpoint never holds up another


class Dispatcher:
    """Delivers what is due on the mock clock; started on first use, so an idle mock runs no thread.

    `orgs()` answers the orgs to look at. With `poll` (a store shared by processes, whose worker starts at
    boot), it looks at least every MAX_WAIT_SECONDS even with nothing queued here: others queue too.
    """

    def __init__(self, orgs: Callable[[], Iterable[Org]], faults: FaultSet, timeout: float, poll: bool = False):
        self.orgs, self.faults, self.timeout, self.poll = orgs, faults, timeout, poll
        self._wake = threading.Condition()
        self._busy: set[tuple[int, str]] = set()   # (id of the org, webhook id) with an attempt under way
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._woken = False   # a wake that came while the worker was busy dispatching is not lost

    def wake(self) -> None:
        """Look for due deliveries now (after an event is queued or the clock moved)."""
        if self._thread is None:
            with self._wake:
                if self._thread is None and not self._stopped:
                    self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="kustomer-mock-webhook")
                    self._thread = threading.Thread(target=self._run, name="kustomer-mock-webhooks", daemon=True)
                    self._thread.start()
        with self._wake:
            self._woken = True
            self._wake.notify()

    def stop(self, wait: float = 0.0) -> None:
        """End the worker, waiting up to `wait` seconds for its loop (attempts under way finish on their own)."""
        with self._wake:
            self._stopped = True
            self._wake.notify()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=wait)

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopped:
                    return
            try:
                wait = self._dispatch()
            except ApiError:   # a shared store that is away (store/redis.py): try again soon
                wait = 1.0
            if self.poll and wait is None:
                wait = MAX_WAIT_SECONDS
            with self._wake:
                if not self._stopped and not self._woken:   # until the next retry is due, an event or a clock change
                    self._wake.wait(None if wait is None else min(max(wait, 0.01), MAX_WAIT_SECONDS))
                self._woken = False

    def _dispatch(self) -> float | None:
        """Start every due delivery; answers the seconds until the next queued one is due (None: nothing queued).

        Each org's deliveries fall due on that org's clock (its own, once a test froze or advanced it).
        """
        next_wait = None
        for org in list(self.orgs()):
            now = org.clock.timestamp()
            org.webhooks.outbox.renew()   # attempts under way stay this process's
            with self._wake:
                busy = {webhook for owner, webhook in self._busy if owner == id(org)}
            for delivery in org.webhooks.outbox.take_due(now, busy):
                with self._wake:
                    self._busy.add((id(org), delivery.webhook_id))
                try:
                    self._pool.submit(self._attempt, org, delivery)
                except RuntimeError:   # the pool is shut down: the mock is stopping
                    return None
            due = org.webhooks.outbox.next_due()
            if due is not None and (next_wait is None or due - now < next_wait):
                next_wait = due - now
        return next_wait

    def _attempt(self, org, delivery: Delivery) -> None:
        try:
            deliver(org, delivery, self.faults, org.clock, self.timeout)
        finally:
            with self._wake:
                self._busy.discard((id(org), delivery.webhook_id))
                self._woken = True
                self._wake.notify()


def deliver(org: Org, delivery: Delivery, faults: FaultSet, clock, timeout: float) -> None:
    """One attempt of a delivery, with the faults that match it; then retry, disable or done."""
    outbox, webhook = org.webhooks.outbox, org.webhooks.webhooks.get(delivery.webhook_id)
    if webhook is None or not webhook.enabled:
        outbox.finish(delivery, None, retry=False)
        return  # deleted or turned off since it was queued: deliveries stop
    call = WebhookCall(delivery.event, webhook.url, webhook.id, (org.name, *org.roles))
    decision = faults.decide_webhook(call, skip=tuple(delivery.faulted))
    base = _entry(org, delivery, webhook)
    if decision is not None:
        if decision.action == "reorder":
            delivery.faulted.append(decision.rule_id)
            outbox.hold(delivery, {**base, "outcome": "held", "fault": decision.rule_id, "time": clock.now_iso()})
            return
        if decision.action == "drop":
            outbox.finish(delivery, {**base, "outcome": "dropped", "fault": decision.rule_id, "time": clock.now_iso()},
                          retry=False)
            return
        if decision.delay_ms:
            clock.sleep(decision.delay_ms / 1000)
    body = delivery.body.encode()
    outcome = _send(webhook, delivery, body, decision, timeout)
    if decision is not None and decision.action == "duplicate":
        _finish(org, delivery, webhook, outcome, decision, clock, retry=False, duplicate=False)
        outcome = _send(webhook, delivery, body, None, timeout)
        _finish(org, delivery, webhook, outcome, decision, clock, retry=True, duplicate=True)
        return
    _finish(org, delivery, webhook, outcome, decision, clock, retry=True)


def _send(webhook, delivery: Delivery, body: bytes, decision: Decision | None, timeout: float) -> sender.Outcome:
    """The POST, or the failure a fault stands in for (nothing is sent then)."""
    if decision is not None and (decision.action == "fail" or decision.respond):
        status = (decision.respond or {}).get("status")
        return sender.Outcome(status, None if status else f"fault {decision.rule_id}: fail", 0.0)
    sent = sender.headers(delivery.event, webhook.token, body, webhook.headers)
    return sender.post(webhook.url, body, sent, timeout)


def _entry(org: Org, delivery: Delivery, webhook) -> dict:
    return {"org": org.name, "webhookId": webhook.id, "url": webhook.url, "eventId": delivery.event_id,
            "event": delivery.event, "deliveryId": delivery.id, "attempt": delivery.attempts + 1,
            "scheduledAt": iso_seconds(delivery.due), "redelivery": delivery.redelivery}


def _finish(org: Org, delivery: Delivery, webhook, outcome: sender.Outcome, decision: Decision | None, clock,
            retry: bool, duplicate: bool = False) -> None:
    """Log the attempt; on failure queue the next retry, or disable the webhook once the schedule is spent."""
    outbox = org.webhooks.outbox
    entry = {**_entry(org, delivery, webhook), "time": clock.now_iso(), "status": outcome.status,
             "error": outcome.error, "durationMs": outcome.duration_ms,
             "outcome": "delivered" if outcome.ok else "failed", "nextRetryAt": None, "duplicate": duplicate,
             "fault": decision.rule_id if decision is not None else None}
    if not retry:
        outbox.record(entry)
        return
    delivery.attempts += 1
    again = False
    if not outcome.ok and not delivery.redelivery:   # a redelivery is one attempt, as a replay is
        if delivery.exhausted:
            entry["webhookDisabled"] = True
            org.webhooks.disable(webhook.id, "failures")
            outbox.cancel(webhook.id)
        elif org.webhooks.receiving(webhook.id):
            entry["nextRetryAt"] = iso_seconds(delivery.due)
            again = True
    outbox.finish(delivery, entry, retry=again)

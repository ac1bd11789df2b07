"""From domain writes to queued deliveries: changes gathered per request, one event per record touched."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import g, has_request_context

from ..domain.webhook_outbox import Delivery
from ..domain.webhooks import KINDS, event_name
from .resource import changes, encode, envelope, webhook_resource

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from ..domain.org import Org

PENDING_KEY = "webhook_changes"


class Capture:
    """The listener every org calls after a write; events leave at the end of the request.

    Why per request: one call often writes a record several times (a conversation is created, then its
    first message moves its counters); a backend gets one event per record and call, built from the
    final state, with `changes` measured from before the call's first write.
    """

    def __init__(self, wake):
        self._wake = wake

    def __call__(self, org, kind: str, record, before) -> None:
        if kind not in KINDS or not org.webhooks.webhooks:
            return  # no webhook in this org: nothing to build
        key = (id(org), kind, _id(record))
        touched = g.setdefault(PENDING_KEY, {}) if has_request_context() else {}
        if key not in touched:
            with org.reading():
                old = None if before is None else webhook_resource(org, kind, before)
            touched[key] = (org, kind, record, old, before is None)
        if not has_request_context():
            self.flush(touched)

    def flush(self, touched: dict | None = None) -> int:
        """Emit the events of the changes gathered (this request's by default); answers how many."""
        touched = g.pop(PENDING_KEY, {}) if touched is None else touched
        emitted = sum(emit(*entry) for entry in touched.values())
        if emitted:
            self._wake()
        return emitted


def _id(record) -> str:
    return record["id"] if isinstance(record, dict) else record.id


def emit(org: Org, kind: str, record, before: dict | None, created: bool) -> int:
    """Queue one event for every webhook subscribed to it; answers the deliveries queued."""
    name = event_name(kind, created)
    subscribers = org.webhooks.subscribers(name)
    if not subscribers:
        return 0
    with org.reading():
        data = webhook_resource(org, kind, record)
    change = None if created else changes(before or {}, data)
    if change is not None and not any(change.values()):
        return 0  # nothing a backend can see changed (a read flag, the assistant's private state)
    ids = [w.id for w in subscribers]
    event_id, *delivery_ids = org.webhooks.outbox.ids(org, 1 + len(ids))
    now = org.now()
    event = {"id": event_id, "name": name, "body": encode(envelope(org, event_id, name, data, change, now)),
             "webhookIds": ids}
    return queue(org, event, ids, delivery_ids=delivery_ids)


def queue(org: Org, event: dict, webhook_ids: list[str], redelivery: bool = False,
          delivery_ids: list[str] | None = None) -> int:
    """Put one event on its way to each webhook, due now on the mock clock."""
    outbox, due = org.webhooks.outbox, org.clock.timestamp()
    delivery_ids = delivery_ids or outbox.ids(org, len(webhook_ids))
    outbox.queue(event, [Delivery(id=delivery_id, event_id=event["id"], event=event["name"], webhook_id=webhook_id,
                                  body=event["body"], first_due=due, redelivery=redelivery)
                         for webhook_id, delivery_id in zip(webhook_ids, delivery_ids)])
    return len(webhook_ids)

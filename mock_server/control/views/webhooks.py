"""The control API's webhooks: declare and list them for any org, read the delivery log, redeliver an event."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

from ...schemas import webhooks as rest
from ..schemas import webhooks as s
from ...schemas.common import shared
from ...state import get_state
from ...webhooks import get_webhooks
from ...webhooks.capture import queue
from ...api.context import json_body
from ...api.docs import operation

bp = Blueprint("admin_webhooks", __name__)   # mounted under /__admin by control/views/__init__.py


def _described(org, webhook) -> dict:
    pending = org.webhooks.outbox.count(webhook.id)
    return shared(s.AdminWebhook).dump({**asdict(webhook), "org": org.name, "pending": pending})


def _orgs(key: str | None) -> list:
    """Every org built so far, or the one of `key` (by key or by org name)."""
    store = get_state().store
    if not key:
        return list(store.orgs().values())
    found = store.orgs().get(store.fixtures.org_name(key)) or store.orgs().get(key)
    return [found] if found is not None else []


@bp.get("/webhooks", endpoint="listWebhooks")
@operation(query=s.DeliveryQuery, response=s.AdminWebhookList)
def list_webhooks():
    """Every org's webhooks (?org=KEY for one), with their tokens and pending deliveries."""
    key = shared(s.DeliveryQuery).load(request.args).get("org")
    return {"webhooks": [_described(org, w) for org in _orgs(key) for w in org.webhooks.list()]}


@bp.post("/orgs/<key>/webhooks", endpoint="addWebhook")
@operation(body=rest.AdminWebhookBody, response=s.AdminWebhook, status=201)
def add_webhook(key):
    """Register a webhook for an org (as POST /v1/outbound-webhooks; `token` may be chosen)."""
    fields = shared(rest.AdminWebhookBody).load(json_body())
    org = get_state().store.org(key)
    return _described(org, org.webhooks.create(fields, source="admin")), 201


@bp.delete("/orgs/<key>/webhooks/<webhook_id>", endpoint="removeWebhook")
@operation(response=s.AdminWebhook)
def remove_webhook(key, webhook_id):
    """Delete an org's webhook; its deliveries stop."""
    org = get_state().store.org(key)
    return _described(org, org.webhooks.delete(webhook_id))


@bp.get("/webhooks/deliveries", endpoint="listWebhookDeliveries")
@operation(query=s.DeliveryQuery, response=s.DeliveryLog)
def list_deliveries():
    """Every delivery attempt, oldest first: event, endpoint, time, status or error, duration, next retry."""
    query = shared(s.DeliveryQuery).load(request.args)
    wanted = {"event": query.get("event"), "eventId": query.get("event_id"),
              "webhookId": query.get("webhook_id"), "outcome": query.get("outcome")}
    attempts = [a for org in _orgs(query.get("org")) for a in org.webhooks.outbox.attempts()
                if all(v is None or a.get(k) == v for k, v in wanted.items())]
    attempts.sort(key=lambda a: (a["time"], a["org"], a["id"]))
    total = len(attempts)
    return {"deliveries": attempts[-query["limit"]:] if query.get("limit") else attempts, "total": total}


@bp.post("/orgs/<key>/webhooks/events/<event_id>/redeliver", endpoint="redeliverWebhookEvent")
@operation(body=s.Redeliver, response=s.Redelivered, status=202, errors=(409,))
def redeliver(key, event_id):
    """Send one event again, same id and bytes: to each webhook that got it, or to `webhookId`."""
    fields = shared(s.Redeliver).load(json_body())
    org = get_state().store.org(key)
    event = org.webhooks.outbox.event(event_id)
    targets = [fields["webhook_id"]] if fields.get("webhook_id") else event["webhookIds"]
    for webhook_id in targets:
        org.webhooks.enabled(webhook_id)
    queued = queue(org, event, targets, redelivery=True)
    get_webhooks().dispatcher.wake()
    return {"eventId": event_id, "queued": queued}, 202

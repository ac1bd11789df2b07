"""REST v1 outbound webhooks (/v1/outbound-webhooks): register the endpoints Kustomer posts events to."""
from __future__ import annotations

from flask import Blueprint, request

from ..domain.webhooks import EVENTS
from ..schemas import webhooks as s
from ..schemas.common import shared
from ..schemas.jsonapi import ListQuery
from .context import json_body
from .docs import operation
from .server_context import document, guard, listing, server_org

bp = Blueprint("rest_v1_webhooks", __name__, url_prefix="/v1/outbound-webhooks")
guard(bp, rate_limited=True)
KEY = "key"


@bp.post("", endpoint="createOutboundWebhook")
@operation(body=s.WebhookBody, response=s.WebhookDocument, status=201, auth=KEY)
def create_webhook():
    """Register a webhook; the answer carries its signing token."""
    fields = shared(s.WebhookBody).load(json_body())
    return document(s.WebhookDocument, s.webhook(server_org().webhooks.create(fields))), 201


@bp.get("", endpoint="getOutboundWebhooks")
@operation(query=ListQuery, response=s.WebhookList, auth=KEY)
def get_webhooks():
    """The org's webhooks, oldest first."""
    paging = shared(ListQuery).load({"sort": "asc", **request.args.to_dict()})
    records = server_org().webhooks.list()
    return listing(s.WebhookList, records[::-1] if paging["sort"] == "desc" else records, paging, s.webhook)


@bp.get("/events", endpoint="getOutboundWebhookEvents")
@operation(response=s.EventNames, auth=KEY)
def get_events():
    """The events a webhook can subscribe to."""
    server_org()
    return {"events": list(EVENTS)}


@bp.get("/<webhook_id>", endpoint="getOutboundWebhook")
@operation(response=s.WebhookDocument, auth=KEY)
def get_webhook(webhook_id):
    """A webhook by id, with its token."""
    return document(s.WebhookDocument, s.webhook(server_org().webhooks.get(webhook_id)))


@bp.patch("/<webhook_id>", endpoint="updateOutboundWebhook")
@operation(body=s.WebhookBody, response=s.WebhookDocument, auth=KEY)
def update_webhook(webhook_id):
    """Change name, url, events, headers, enabled: the fields sent."""
    fields = shared(s.WebhookBody, partial=True).load(json_body())
    return document(s.WebhookDocument, s.webhook(server_org().webhooks.update(webhook_id, fields)))


@bp.put("/<webhook_id>", endpoint="replaceOutboundWebhook")
@operation(body=s.WebhookBody, response=s.WebhookDocument, auth=KEY)
def replace_webhook(webhook_id):
    """As PATCH: Kustomer's update method is not documented, so both change the fields sent."""
    return update_webhook(webhook_id)


@bp.delete("/<webhook_id>", endpoint="deleteOutboundWebhook")
@operation(status=204, auth=KEY)
def delete_webhook(webhook_id):
    """Delete a webhook: its pending deliveries and retries stop."""
    server_org().webhooks.delete(webhook_id)
    return "", 204


@bp.get("/<webhook_id>/transactions", endpoint="getOutboundWebhookTransactions")
@operation(response=s.Transactions, auth=KEY)
def get_transactions(webhook_id):
    """The webhook's recent delivery attempts, newest first."""
    org = server_org()
    org.webhooks.get(webhook_id)
    attempts = [a for a in org.webhooks.outbox.attempts() if a["webhookId"] == webhook_id]
    return {"data": attempts[::-1]}

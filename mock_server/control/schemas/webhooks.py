"""The control API's webhooks: every org's webhooks, the delivery log, redelivery."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...schemas.common import Query
from ...schemas.webhooks import WebhookAttributes


class AdminWebhook(WebhookAttributes):
    """A webhook in the control API: its org and id with the REST attributes, and pending deliveries."""

    org = fields.String()
    id = fields.String()
    pending = fields.Integer()


class AdminWebhookList(Schema):
    """{"webhooks": [...]}."""

    webhooks = fields.List(fields.Nested(AdminWebhook))


class DeliveryQuery(Query):
    """Filters of the delivery log: org (key or name), event name, eventId, webhookId, outcome, limit."""

    org = fields.String()
    event = fields.String()
    event_id = fields.String(data_key="eventId")
    webhook_id = fields.String(data_key="webhookId")
    outcome = fields.String(validate=validate.OneOf(("delivered", "failed", "dropped", "held")))
    limit = fields.Integer(validate=validate.Range(min=1, max=2000))


class DeliveryLog(Schema):
    """{"deliveries": [attempt, ...], "total": N}, oldest first."""

    deliveries = fields.List(fields.Dict())
    total = fields.Integer()


class Redeliver(Schema):
    """Redeliver one event: to every webhook that got it (default) or to one."""

    webhook_id = fields.String(data_key="webhookId", validate=validate.Length(max=64))


class Redelivered(Schema):
    """{"eventId", "queued"}: deliveries queued."""

    event_id = fields.String(data_key="eventId")
    queued = fields.Integer()

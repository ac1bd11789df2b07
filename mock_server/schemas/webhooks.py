"""Outbound webhooks on the wire: /v1/outbound-webhooks bodies and resources (the control API's lists are in
control/schemas/webhooks.py)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.webhooks import MAX_EVENTS, MAX_HEADERS
from .common import StrictBoolean
from .jsonapi import documents, resource

MAX_NAME_CHARS = 255


class Header(Schema):
    """A custom header sent with every delivery."""

    name = fields.String(required=True, validate=[validate.Length(max=128), validate.Regexp(
        r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$", error="an HTTP header name")])
    value = fields.String(required=True, validate=validate.Length(max=4096))


class WebhookBody(Schema):
    """POST /v1/outbound-webhooks; PUT and PATCH take any subset of it."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NAME_CHARS))
    url = fields.String(required=True, validate=validate.Length(min=1, max=2048))
    events = fields.List(fields.String(validate=validate.Length(max=64)), required=True,
                         validate=validate.Length(min=1, max=100, error="subscribe to 1 to 100 events"),
                         metadata={"description": f"at most {MAX_EVENTS} names from /v1/outbound-webhooks/events"})
    headers = fields.List(fields.Nested(Header), validate=validate.Length(max=100),
                          metadata={"description": f"at most {MAX_HEADERS}"})
    enabled = StrictBoolean()
    description = fields.String(validate=validate.Length(max=1000), allow_none=True)


class AdminWebhookBody(WebhookBody):
    """A webhook declared with its signing token (a fixed secret in CI): the fixtures' and POST /__admin/orgs/KEY/webhooks."""

    token = fields.String(validate=validate.Length(min=8, max=256))


class WebhookAttributes(Schema):
    """An outbound webhook as the mock answers it (the token is the HMAC key)."""

    name = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    headers = fields.List(fields.Dict())
    enabled = fields.Boolean()
    description = fields.String(allow_none=True)
    token = fields.String()
    source = fields.String()
    disabled_reason = fields.String(data_key="disabledReason", allow_none=True)
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")


WebhookDocument, WebhookList = documents("OutboundWebhook", WebhookAttributes)


def webhook(record) -> dict:
    """The outbound_webhook resource of a webhook."""
    return resource("outbound_webhook", record.id, record, None, f"/v1/outbound-webhooks/{record.id}")


class EventNames(Schema):
    """{"events": [...]}: the subscribable events."""

    events = fields.List(fields.String())


class Transactions(Schema):
    """{"data": [attempt, ...]}: a webhook's recent delivery attempts, newest first."""

    data = fields.List(fields.Dict())

"""Schemas of the live surfaces: the event stream, typing, and the fake SDK's integration warnings."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import Query, StrictBoolean


class EventQuery(Query):
    """The event stream's query: EventSource cannot send headers, so the key and token come here."""

    key = fields.String()
    token = fields.String()
    last_event_id = fields.String(data_key="lastEventId")


class TypingActivity(Schema):
    """sendTypingActivity: whether the customer is typing."""

    typing = StrictBoolean(required=True)


class TypingAnswer(Schema):
    """sendTypingActivity's answer: the conversation and the signal sent."""

    conversation_id = fields.String(data_key="conversationId")
    typing = fields.Boolean()


class SdkWarningsCleared(Schema):
    """How many warnings a DELETE forgot."""

    cleared = fields.Integer()


class SdkWarning(Schema):
    """One misuse of the SDK by the host page, as the fake SDK reports it."""

    method = fields.String(required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    page_url = fields.String(data_key="pageUrl", load_default=None, allow_none=True,
                             validate=validate.Length(max=2000))
    sdk = fields.String(load_default="widget", validate=validate.OneOf(["widget", "core"]))


class SdkWarningRecord(SdkWarning):
    """A stored warning: what was reported, when, and by which customer (when started)."""

    id = fields.Integer()
    time = fields.String()
    customer_id = fields.String(data_key="customerId", allow_none=True)


class SdkWarningList(Schema):
    """Every warning of an org."""

    warnings = fields.List(fields.Nested(SdkWarningRecord))
    total = fields.Integer()

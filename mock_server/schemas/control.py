"""Schemas of the control API's journal, clock, org settings and state calls."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..domain.availability import MODES
from ..domain.clock import parse_iso
from ..domain.settings import MAX_START_DELAY_MS
from .common import Anything, Query, StrictBoolean, StrictFloat, StrictInteger


class IsoTime(fields.String):
    """An ISO 8601 time (a trailing Z allowed)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_iso(text)
        except ValueError:
            raise ValidationError("an ISO 8601 time such as 2030-01-02T03:04:05.000Z") from None
        return text


class FreezeTime(IsoTime):
    """An ISO 8601 time, or "now": the mock's own now, read on the server when the change lands."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "now":   # a client's copy of the clock is stale: freezing at it would move time backwards
            return value
        return super()._deserialize(value, attr, data, **kwargs)


class JournalQuery(Query):
    """GET /__admin/requests?operation=&org=&status=&since=&after=&limit=."""

    operation = fields.String()
    org = fields.String()
    status = fields.String(validate=validate.Regexp(r"^([1-5][0-9]{2}|[1-5]xx|dropped)$",
                                                    error="a status (429), a class (5xx) or 'dropped'"))
    since = IsoTime(metadata={"description": "entries at or after this mock-clock time"})
    after = fields.Integer(validate=validate.Range(min=0), metadata={"description": "entries after this id"})
    limit = fields.Integer(validate=validate.Range(min=1, max=100_000), metadata={"description": "newest N"})


class JournalPage(Schema):
    """{"requests": [...], "total": N}."""

    requests = fields.List(fields.Dict())
    total = fields.Integer()


class ClockChange(Schema):
    """POST /__admin/clock: exactly one of freeze, advanceSeconds, resume."""

    freeze = FreezeTime(validate=validate.Length(max=64), metadata={"description": 'an ISO 8601 time, or "now" (the mock clock\'s current time)'})
    advance_seconds = StrictFloat(data_key="advanceSeconds", validate=validate.Range(min=0, max=10 * 365 * 86400))
    resume = StrictBoolean(validate=validate.Equal(True, error="send true to resume real time"))

    @validates_schema
    def _one(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("send exactly one of freeze, advanceSeconds or resume", "freeze")


class ClockState(Schema):
    """The clock: now, frozen, offsetSeconds."""

    now = fields.String()
    frozen = fields.Boolean()
    offsetSeconds = fields.Float()


class SettingsChange(Schema):
    """PATCH /__admin/orgs/KEY/settings: any subset."""

    availability = fields.String(validate=validate.OneOf(MODES))
    start_delay_ms = StrictFloat(data_key="startDelayMs", validate=validate.Range(0, MAX_START_DELAY_MS))
    allow_end_conversation = StrictBoolean(data_key="allowEndConversation")
    default_assistant_id = fields.String(data_key="defaultAssistantId", allow_none=True,
                                         validate=validate.Length(min=1, max=100))
    rate_limit_per_minute = StrictInteger(data_key="rateLimitPerMinute", allow_none=True,
                                           validate=validate.Range(min=1))  # the /v1 budget; null = off


class OrgSettings(Anything):
    """An org's settings after a change: availability, startDelayMs, allowEndConversation, ... (README)."""


class StateImported(Schema):
    """What PUT /__admin/state did."""

    imported = fields.Integer()
    version = fields.Integer()
    keys = fields.Integer()


class StateSaved(Schema):
    """Where POST /__admin/state/save wrote."""

    path = fields.String()
    orgs = fields.Integer()

"""Schemas of the control API's journal, clock, org settings and state calls."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...domain.availability import DAYS, MODES, OFF_HOURS
from ...domain.clock import parse_iso
from ...domain.proactive import MAX_BODY_CHARS as MAX_PROACTIVE_CHARS
from ...domain.settings import MAX_START_DELAY_MS
from ...schemas.common import Anything, Query, StrictBoolean, StrictFloat, StrictInteger


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
    wait = fields.Float(validate=validate.Range(min=0, max=25),
                        metadata={"description": "with `after`: seconds to wait for a new entry (a long poll)"})


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


class ClockQuery(Query):
    """?org=KEY: that org's clock instead of the mock clock."""

    # present but empty must not mean "the mock clock": a script with an unset variable would move every org
    org = fields.String(validate=validate.Length(min=1, max=256, error="an API key; leave org out for the mock clock"))


class ClockState(Schema):
    """The clock: now, frozen, offsetSeconds (an org's clock also says whether it has a time of its own)."""

    now = fields.String()
    frozen = fields.Boolean()
    offsetSeconds = fields.Float()
    own = fields.Boolean(metadata={"description": "an org's clock: true once it was frozen or advanced on its own; "
                                                  "false while it follows the mock clock"})


def _check_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValidationError("an IANA time zone such as America/New_York") from None


class Holiday(Schema):
    """A day the team is closed, all day, in the schedule's time zone."""

    name = fields.String(validate=validate.Length(max=256))
    date = fields.String(required=True, validate=[validate.Length(max=10), validate.Regexp(
        r"^\d{4}-\d{2}-\d{2}$", error="a date as YYYY-MM-DD")])


_SPAN = fields.List(fields.String(validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", error="HH:MM")),
                    validate=validate.Length(equal=2, error='["HH:MM", "HH:MM"]'))


class BusinessHours(Schema):
    """A weekly schedule in a time zone, with holidays; followed when availability is "scheduled"."""

    timezone = fields.String(load_default="UTC", validate=[validate.Length(max=64), _check_zone])
    # loaded under the fixtures' own names, as the domain reads them
    off_hours = fields.String(data_key="offHours", attribute="offHours", load_default="offline",
                              validate=validate.OneOf(OFF_HOURS))
    hours = fields.Dict(keys=fields.String(validate=validate.OneOf(DAYS)),
                        values=fields.List(_SPAN, validate=validate.Length(max=24)), load_default=dict,
                        validate=validate.Length(max=len(DAYS)))
    holidays = fields.List(fields.Nested(Holiday), load_default=list, validate=validate.Length(max=366))


class BrandChange(Schema):
    """PATCH /__admin/orgs/KEY/brands/ID: the brand's own availability and hours (null: follow the org's)."""

    availability = fields.String(validate=validate.OneOf(MODES), allow_none=True)
    business_hours = fields.Nested(BusinessHours, data_key="businessHours", attribute="businessHours", allow_none=True)


class BrandSettings(Schema):
    """A brand after a change, and its availability now on the mock clock."""

    brand = fields.Dict()
    availability = fields.String()


class SettingsChange(Schema):
    """PATCH /__admin/orgs/KEY/settings: any subset."""

    availability = fields.String(validate=validate.OneOf(MODES))
    start_delay_ms = StrictFloat(data_key="startDelayMs", validate=validate.Range(0, MAX_START_DELAY_MS))
    allow_end_conversation = StrictBoolean(data_key="allowEndConversation")
    default_assistant_id = fields.String(data_key="defaultAssistantId", allow_none=True,
                                         validate=validate.Length(min=1, max=100))
    rate_limit_per_minute = StrictInteger(data_key="rateLimitPerMinute", allow_none=True,
                                           validate=validate.Range(min=1))  # the /v1 budget; null = off
    search_rate_limit_per_minute = StrictInteger(data_key="searchRateLimitPerMinute", allow_none=True,
                                                  validate=validate.Range(min=1))  # searches; null = off
    business_hours = fields.Nested(BusinessHours, data_key="businessHours")   # the org's, for "scheduled"


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


class ProactiveTrigger(Schema):
    """POST /__admin/orgs/KEY/proactive: who (customerId, email or externalId), what, and from which agent."""

    customer_id = fields.String(data_key="customerId", validate=validate.Length(max=64))
    email = fields.String(validate=validate.Length(max=254))
    external_id = fields.String(data_key="externalId", validate=validate.Length(max=256))
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PROACTIVE_CHARS))
    from_ = fields.String(data_key="from", allow_none=True, validate=validate.Length(max=64),
                          metadata={"description": "an agent's user id"})


class ProactiveMessage(Schema):
    """The proactive message as the customer's widgets receive it."""

    proactive_id = fields.String(data_key="proactiveId", attribute="proactiveId")
    body = fields.String()
    sent_by = fields.Dict(data_key="sentBy", attribute="sentBy")
    created_at = fields.String(data_key="createdAt", attribute="createdAt")
    customer_id = fields.String(data_key="customerId", attribute="customerId")

"""Request schemas of REST v1 (/v1): plain JSON bodies, as Kustomer takes them."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..domain.chat import MAX_MESSAGE_CHARS
from ..domain.rest import CHANNELS, STATUSES
from .common import Attachments, BoundedList, CustomAttributes, Id, StrictBoolean, StrictFloat, StrictInteger
from .jsonapi import IsoTime
from .rest_v1_customers import NAME_CHARS, Sentiment, Tags, Text

Ids = lambda maximum=100, **kw: BoundedList(Id(), maximum=maximum, **kw)  # noqa: E731


class Queue(Schema):
    """{id} or {external: amazon-connect}: at least one."""

    id = Id(allow_none=True)
    external = fields.String(validate=validate.OneOf(("amazon-connect",)))

    @validates_schema
    def one_of_them(self, data: dict, **kwargs) -> None:
        """A queue names an id or an external queue."""
        if not data.get("id") and not data.get("external"):
            raise ValidationError("a queue is {id} or {external: amazon-connect}", "id")


class ConversationChanges(Schema):
    """The conversation fields a create and an update share."""

    name = Text(allow_none=True)
    external_id = Text(data_key="externalId")
    priority = StrictInteger(validate=validate.Range(min=1, max=5))
    direction = fields.String(validate=validate.OneOf(("in", "out")))
    reply_channel = Text(data_key="replyChannel")
    tags = Tags()
    assigned_users = Ids(data_key="assignedUsers", maximum=10)
    assigned_teams = Ids(data_key="assignedTeams", maximum=10)
    custom = CustomAttributes(validate=validate.Length(max=100, error="at most 100 custom attributes"))
    default_lang = Text(100, data_key="defaultLang")
    queue = fields.Nested(Queue)


class Snooze(Schema):
    """{time, status: scheduled|canceled|elapsed}."""

    time = IsoTime()
    status = fields.String(required=True, validate=validate.OneOf(("scheduled", "canceled", "elapsed")))


class Suggestion(Schema):
    """A suggested tag: {tag, confidence}."""

    tag = fields.String(required=True, validate=validate.Length(min=1, max=64))
    confidence = StrictFloat(required=True, validate=validate.Range(min=-1, max=1))


class ShortcutSuggestion(Schema):
    """A suggested shortcut: {shortcutId, confidence}."""

    shortcutId = Id(required=True)
    confidence = StrictFloat(required=True, validate=validate.Range(min=-1, max=1))


class SatisfactionLevel(Schema):
    """The CSAT state of a conversation, as Kustomer's update body takes it."""

    createdAt = IsoTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ("scheduled", "offered", "rated", "commented", "canceled", "unresponded")))
    form = Id()
    formResponse = Id()
    updatedAt = IsoTime()
    scheduledFor = IsoTime()
    sentAt = IsoTime()
    firstAnswer = fields.String(validate=validate.Length(max=1024))
    score = StrictInteger(validate=validate.OneOf((0, 1)))
    rating = StrictInteger(validate=validate.Range(min=0, max=10))
    channel = fields.String(validate=validate.OneOf((*CHANNELS, "instagram-comment", "form")))
    sentBy = Id()
    sentByTeams = Ids(maximum=10)


class ConversationPatch(ConversationChanges):
    """PUT and PATCH /v1/conversations/{id}: the attributes sent change; `ended` ends or reopens the chat.

    Kustomer's other shape, {customer: id}, moves the conversation to another customer.
    """

    status = fields.String(validate=validate.OneOf(STATUSES))
    snooze = fields.Nested(Snooze)
    sub_status = Id(data_key="subStatus")
    suggested_tags = BoundedList(fields.Nested(Suggestion), data_key="suggestedTags", maximum=20)
    suggested_shortcuts = BoundedList(fields.Nested(ShortcutSuggestion), data_key="suggestedShortcuts", maximum=20)
    sentiment = fields.Nested(Sentiment)
    satisfaction = StrictFloat(allow_none=True, validate=validate.Range(min=-1, max=1))
    satisfaction_level = fields.Nested(SatisfactionLevel, data_key="satisfactionLevel")
    deleted = StrictBoolean(allow_none=True)
    ended = StrictBoolean()
    ended_at = IsoTime(data_key="endedAt")
    ended_reason = fields.String(data_key="endedReason", validate=validate.Length(max=128))
    ended_by = Id(data_key="endedBy")
    ended_by_type = fields.String(data_key="endedByType", validate=validate.OneOf(("user", "customer")))
    locked = StrictBoolean()
    rev = StrictInteger(validate=validate.Range(min=0))
    customer = Id()


class CustomerConversationBody(ConversationChanges):
    """POST /v1/customers/{id}/conversations."""

    id = Id()
    status = fields.String(validate=validate.OneOf(("open", "done")))
    brand_id = Id(data_key="brand")
    campaign = Id()
    imported_at = IsoTime(data_key="importedAt")
    created_at = IsoTime(data_key="createdAt")


class ConversationBody(CustomerConversationBody):
    """POST /v1/conversations: the customer is named in the body."""

    customer = Id(required=True)


class MessageBody(Schema):
    """POST /v1/conversations/{id}/messages: channel, app and direction are required."""

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    app = fields.String(required=True, validate=validate.Length(min=1, max=64))
    direction = fields.String(required=True, validate=validate.OneOf(("in", "out")))
    body = fields.String(validate=validate.Length(max=MAX_MESSAGE_CHARS), allow_none=True)
    preview = fields.String(validate=validate.Length(max=MAX_MESSAGE_CHARS))
    subject = fields.String(validate=validate.Length(max=NAME_CHARS))
    meta = fields.Dict()
    auto = StrictBoolean()
    attachments = Attachments()
    created_by = Id(data_key="createdBy")
    imported_at = IsoTime(data_key="importedAt")
    created_at = IsoTime(data_key="createdAt")


class CustomerMessageBody(MessageBody):
    """POST /v1/customers/{id}/messages: into `conversation`, or a new one when it is not given."""

    conversation = Id()


TagList = {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 64},
           "description": "tag names or ids"}


def load_tag_list(items: list) -> list[str]:
    """A bare JSON array of up to 20 tag names or ids, checked like the tags field."""
    return Tags().deserialize(items)

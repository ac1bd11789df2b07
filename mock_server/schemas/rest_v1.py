"""Request schemas of REST v1 (/v1): plain JSON bodies, as Kustomer takes them."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..domain.chat import MAX_MESSAGE_CHARS
from ..domain.rest import CHANNELS, STATUSES
from .bounds import JsonObject, JsonSize
from .common import MAX_ATTACHMENTS, BoundedList, CustomAttributes, Id, StrictBoolean, StrictFloat, StrictInteger
from .jsonapi import IsoTime
from .rest_v1_customers import NAME_CHARS, LocationEntry, Sentiment, Tags, Text

PREVIEW_CHARS = 10_240   # a message's preview and a note's body, as Kustomer's schema bounds them
NOTE_CHARS = 10_240

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
    custom = CustomAttributes()   # at most 100, as Kustomer's maxProperties
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


class RestAttachment(Schema):
    """An attachment of a REST message or note: Kustomer's {_id, name, contentType, contentLength, sourceId}."""

    _id = Id(data_key="_id")
    name = fields.String(required=True, validate=validate.Length(min=1, max=NAME_CHARS))
    contentType = fields.String(required=True, validate=validate.Regexp(
        r"^[\w.+-]+/[\w.+-]+$", error="a media type such as image/png"))
    contentLength = StrictFloat(validate=validate.Range(min=0))
    sourceId = Id()
    url = fields.Url(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2048))


class AttachmentItem(fields.Field):
    """An attachment object or an attachment id (Kustomer's schema takes either list)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return Id().deserialize(value)
        if not isinstance(value, dict):
            raise ValidationError("an attachment object or an attachment id")
        return shared_attachment().load(value)


def shared_attachment() -> Schema:
    """One RestAttachment instance (schemas keep no per-call state)."""
    return _ATTACHMENT


_ATTACHMENT = RestAttachment()
RestAttachments = lambda **kw: BoundedList(AttachmentItem(validate=JsonSize(4096)),  # noqa: E731
                                           maximum=MAX_ATTACHMENTS, **kw)


class MessageLocation(LocationEntry):
    """Where a message was sent from: a customer location without its type."""

    class Meta:
        exclude = ("type",)


class Reference(Schema):
    """{message, type: reply|replyAll|forward} (email)."""

    message = Id(required=True)
    type = fields.String(required=True, validate=validate.OneOf(("reply", "replyAll", "forward")))


class EmbeddedError(Schema):
    """A delivery error recorded on a message."""

    status = StrictFloat()
    code = fields.String(validate=validate.Length(max=NAME_CHARS))
    title = fields.String(validate=validate.Length(max=1024))
    detail = fields.String(validate=validate.Length(max=1024))
    source = JsonObject()
    meta = JsonObject()
    links = JsonObject()


Custom = CustomAttributes   # at most 100 names, as Kustomer's maxProperties


class MessageChanges(Schema):
    """The message fields a create and an update share."""

    external_id = fields.String(data_key="externalId", validate=validate.Length(max=NAME_CHARS))
    preview = fields.String(validate=validate.Length(max=PREVIEW_CHARS))
    subject = fields.String(validate=validate.Length(max=NAME_CHARS))
    size = StrictFloat(validate=validate.Range(min=0))
    related = fields.String(validate=validate.Length(max=NAME_CHARS))
    status = fields.String(validate=validate.OneOf(("sent", "received", "error")))
    error = fields.Nested(EmbeddedError)
    error_at = IsoTime(data_key="errorAt")
    sent_at = IsoTime(data_key="sentAt")
    auto = StrictBoolean()
    source = fields.String(validate=validate.OneOf(("bulk", "satisfaction")))
    shortcuts = Ids(maximum=20)
    kb_articles = Ids(data_key="kbArticles", maximum=20)
    attachments = RestAttachments()
    location = fields.Nested(MessageLocation)
    meta = fields.Dict(validate=validate.Length(max=100, error="at most 100 meta keys"))
    custom = Custom()
    sentiment = fields.Nested(Sentiment)
    lang = Text(100)
    queue = fields.Nested(Queue)
    # the mock also takes the full text as body (Kustomer keeps it in preview and channel meta)
    body = fields.String(validate=validate.Length(max=MAX_MESSAGE_CHARS), allow_none=True)


class MessageBody(MessageChanges):
    """POST /v1/conversations/{id}/messages: channel and app are required; direction defaults to in."""

    id = Id()
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    app = fields.String(required=True, validate=validate.Length(min=1, max=64))
    direction = fields.String(load_default="in", validate=validate.OneOf(("in", "out")))
    reference = fields.Nested(Reference)
    customer = Id()
    conversation = Id()
    created_by = Id(data_key="createdBy")
    modified_by = Id(data_key="modifiedBy")
    created_at = IsoTime(data_key="createdAt")
    modified_at = IsoTime(data_key="modifiedAt")
    imported_at = IsoTime(data_key="importedAt")


class CustomerMessageBody(MessageBody):
    """POST /v1/customers/{id}/messages: into `conversation`, or a new one when it is not given."""

    class Meta:
        exclude = ("customer",)


class OrgMessageBody(MessageBody):
    """POST /v1/messages: records a message in an existing conversation; direction is required."""

    direction = fields.String(required=True, validate=validate.OneOf(("in", "out")))
    conversation = Id(required=True)


class MessagePatch(MessageChanges):
    """PUT and PATCH /v1/messages/{id}: the fields sent change."""

    direction = fields.String(validate=validate.OneOf(("in", "out")))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    app = fields.String(validate=validate.Length(min=1, max=64))


class Mention(Schema):
    """{user} or {team} mentioned in a note."""

    user = Id()
    team = Id()


class NoteBody(Schema):
    """POST /v1/conversations/{id}/notes and POST /v1/notes: body is required."""

    id = Id()
    conversation = Id()
    external_id = fields.String(data_key="externalId", validate=validate.Length(max=NAME_CHARS), allow_none=True)
    body = fields.String(required=True, validate=validate.Length(min=1, max=NOTE_CHARS))
    user_mentions = BoundedList(fields.Nested(Mention), data_key="userMentions", maximum=20)
    attachments = RestAttachments()
    created_by = Id(data_key="createdBy")
    modified_by = Id(data_key="modifiedBy", allow_none=True)
    created_at = IsoTime(data_key="createdAt")
    modified_at = IsoTime(data_key="modifiedAt")
    imported_at = IsoTime(data_key="importedAt")
    lang = Text(100)


class NotePatch(NoteBody):
    """PUT and PATCH /v1/notes/{id}: the fields sent change (Kustomer's PUT names conversation and body)."""

    body = fields.String(validate=validate.Length(min=1, max=NOTE_CHARS))
    deleted = StrictBoolean(allow_none=True)
    updated_at = IsoTime(data_key="updatedAt")


TagList = {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 64},
           "description": "tag names or ids"}


def load_tag_list(items: list) -> list[str]:
    """A bare JSON array of up to 20 tag names or ids, checked like the tags field."""
    return Tags().deserialize(items)

"""Request schemas of REST v1 (/v1): plain JSON bodies, as Kustomer takes them."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.chat import MAX_MESSAGE_CHARS
from ..domain.rest import CHANNELS, STATUSES
from .common import Attachments, BoundedList, CustomAttributes, Id, StrictBoolean, StrictInteger
from .jsonapi import IsoTime

NAME_CHARS = 256
Ids = lambda **kw: BoundedList(Id(), **kw)  # noqa: E731


class EmailEntry(Schema):
    """One entry of a customer's emails."""

    email = fields.Email(required=True)
    type = fields.String(validate=validate.OneOf(("home", "work", "other")))


class PhoneEntry(Schema):
    """One entry of a customer's phones."""

    phone = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(validate=validate.OneOf(("home", "work", "mobile", "other")))


class CustomerBody(Schema):
    """POST /v1/customers and PUT /v1/customers/{id}."""

    name = fields.String(validate=validate.Length(max=NAME_CHARS), allow_none=True)
    external_id = fields.String(data_key="externalId", validate=validate.Length(max=NAME_CHARS), allow_none=True)
    emails = BoundedList(fields.Nested(EmailEntry))
    phones = BoundedList(fields.Nested(PhoneEntry))
    custom = CustomAttributes()


class ConversationChanges(Schema):
    """The conversation fields a create and a PATCH share."""

    name = fields.String(validate=validate.Length(max=NAME_CHARS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = StrictInteger(validate=validate.Range(min=1, max=5))
    custom = CustomAttributes()
    tags = Ids()
    assigned_users = Ids(data_key="assignedUsers")
    assigned_teams = Ids(data_key="assignedTeams")
    external_id = fields.String(data_key="externalId", validate=validate.Length(max=NAME_CHARS))


class ConversationPatch(ConversationChanges):
    """PATCH /v1/conversations/{id}; `ended` ends the chat (true) or reopens it (false)."""

    ended = StrictBoolean()


class CustomerConversationBody(ConversationChanges):
    """POST /v1/customers/{id}/conversations."""

    brand_id = Id(data_key="brand")
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

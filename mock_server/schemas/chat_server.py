"""Schemas of the server-side chat API (/v2.1/chat): requests, and chat_session / chat_message resources."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.chat import MAX_MESSAGE_CHARS
from ..domain.models import Conversation, Message
from .bounds import LANG_CHARS, Text
from .common import Attachments, ChatAttachments, CustomAttributes, Id, StrictBoolean
from .jsonapi import IsoTime, ListQuery, documents, relation, resource

HANDOFF_MESSAGES = (2, 100)
Body = lambda **kw: fields.String(validate=validate.Length(max=MAX_MESSAGE_CHARS), allow_none=True, **kw)  # noqa: E731


class ChatIdentity(Schema):
    """customerId, and optionally one of that customer's tracking ids."""

    customer_id = Id(data_key="customerId", required=True)
    tracking_id = Text(data_key="trackingId", allow_none=True)


class CreateSession(ChatIdentity):
    """POST /v2.1/chat/sessions."""

    assistant = Text(allow_none=True)
    brand = Id(allow_none=True)
    lang = Text(LANG_CHARS, allow_none=True)
    title = fields.String(validate=validate.Length(max=256), allow_none=True)
    custom_attributes = CustomAttributes(data_key="customAttributes")


class SessionsQuery(ListQuery):
    """GET /v2.1/chat/sessions: customerId and/or trackingId, active, brandId, paging."""

    customer_id = fields.String(data_key="customerId")
    tracking_id = fields.String(data_key="trackingId")
    active = fields.Boolean()
    brand_id = fields.String(data_key="brandId")


class InboundMessage(ChatIdentity):
    """POST /v2.1/chat/messages: as the customer, on one of their sessions."""

    session = Id(required=True)
    body = Body()
    attachments = ChatAttachments()


class OutboundMessage(InboundMessage):
    """POST /v2.1/chat/outbound/messages: as the org user `from`."""

    from_ = Id(data_key="from", required=True)
    auto = StrictBoolean()


class Typing(ChatIdentity):
    """POST /v2.1/chat/outbound/typing."""

    session = Id(required=True)
    from_ = Id(data_key="from", required=True)
    typing = StrictBoolean(required=True)
    ai = StrictBoolean()


class HandoffMessage(Schema):
    """One message of a handoff's history."""

    direction = fields.String(required=True, validate=validate.OneOf(("in", "out")))
    date = IsoTime(required=True)
    body = Body()
    attachments = Attachments()


class Handoff(ChatIdentity):
    """POST /v2.1/chat/handoff: 2-100 messages, at least one in and one out, sorted by date here."""

    messages = fields.List(fields.Nested(HandoffMessage), required=True,
                           validate=validate.Length(*HANDOFF_MESSAGES))
    from_ = Id(data_key="from")
    active = StrictBoolean(load_default=True)
    brand = Id(allow_none=True)
    lang = Text(LANG_CHARS, allow_none=True)
    title = fields.String(validate=validate.Length(max=256), allow_none=True)
    external_id = fields.String(data_key="externalId", validate=validate.Length(max=256))
    custom_attributes = CustomAttributes(data_key="customAttributes")


# -- responses -----------------------------------------------------------------------------------

class SessionAttributes(Schema):
    """A chat session: the conversation seen from the chat side."""

    title = fields.String()
    preview = fields.String()
    status = fields.String()
    active = fields.Function(lambda c: not c.ended)
    ended = fields.Boolean()
    ended_at = fields.String(data_key="endedAt", allow_none=True)
    brand_id = fields.String(data_key="brandId")
    lang = fields.String(allow_none=True)
    assistant_id = fields.String(data_key="assistantId", allow_none=True)
    is_in_assistant_mode = fields.Boolean(data_key="isInAssistantMode", attribute="in_assistant_mode")
    message_count = fields.Integer(data_key="messageCount")
    custom_attributes = fields.Dict(data_key="customAttributes", attribute="custom")
    external_id = fields.String(data_key="externalId", allow_none=True)
    last_message_at = fields.String(data_key="lastMessageAt")
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")


class ChatMessageAttributes(Schema):
    """A chat message."""

    body = fields.String()
    direction = fields.String()
    attachments = fields.List(fields.Dict())
    meta = fields.Dict()
    sent_by = fields.Dict(data_key="sentBy")
    auto = fields.Boolean()
    read = fields.Boolean()
    created_at = fields.String(data_key="createdAt")


class TypingAttributes(Schema):
    """The typing signal that was sent."""

    typing = fields.Boolean()
    user_id = fields.String(data_key="userId", attribute="userId")


SessionDocument, SessionList = documents("ChatSession", SessionAttributes)
ChatMessageDocument, ChatMessageList = documents("ChatMessage", ChatMessageAttributes)
TypingDocument, _ = documents("ChatTyping", TypingAttributes)


def session(record: Conversation) -> dict:
    """A chat_session resource; its id is the conversation id."""
    return resource("chat_session", record.id, record, {
        "customer": relation("customer", record.customer_id, f"/v1/customers/{record.customer_id}"),
        "conversation": relation("conversation", record.id, f"/v1/conversations/{record.id}")})


def message(record: Message) -> dict:
    """A chat_message resource."""
    sender = record.sent_by or {}
    return resource("chat_message", record.id, record, {
        "session": relation("chat_session", record.conversation_id),
        "sentBy": relation(sender.get("type") or "customer", sender.get("id"))})

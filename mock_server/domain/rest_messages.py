"""REST v1 messages: recorded on a conversation (or a new one), checked before anything is written."""
from __future__ import annotations

import copy

from . import ratelimit
from .models import Conversation, Message
from .rest import create_conversation, customer_sender, user, user_sender

CONVERSATION_NAME_CHARS = 80


def _sender(org, conversation: Conversation, fields: dict) -> dict:
    """Who wrote it: the customer for `in`, the named user (createdBy) or the org's team for `out`."""
    if fields["direction"] == "in":
        return customer_sender(org.customer(conversation.customer_id))
    if fields.get("created_by"):
        return user_sender(user(org, fields["created_by"], "/createdBy"))
    team = org.settings.get("teamName") or org.name
    return {"type": "user", "id": None, "displayName": team, "avatarUrl": None}


def _record(org, conversation: Conversation, fields: dict, sender: dict) -> Message:
    body = fields.get("body") if fields.get("body") is not None else fields.get("preview") or ""
    # REST records a message; it does not deliver it (Kustomer: "records a message, does not send
    # it"), so it starts read and raises nobody's unread count. /v2.1/chat/outbound/messages delivers.
    message = org.record_message(conversation, body=body, direction=fields["direction"], sent_by=sender,
                                 at=fields.get("created_at"), meta=fields.get("meta"), read=True,
                                 attachments=fields.get("attachments"), auto=bool(fields.get("auto")))
    with org.lock:
        before = copy.copy(message)
        message.channel, message.app = fields["channel"], fields["app"]
        message.imported_at = fields.get("imported_at")
    org.record_changed("message", message, before)
    return message


def create_message(org, conversation_id: str, fields: dict) -> Message:
    """POST /v1/conversations/{id}/messages."""
    conversation = org.conversation(conversation_id)
    sender = _sender(org, conversation, fields)
    ratelimit.count_creation(org, conversation.customer_id, "message", imported=bool(fields.get("imported_at")))
    return _record(org, conversation, fields, sender)


def create_customer_message(org, customer_id: str, fields: dict) -> Message:
    """POST /v1/customers/{id}/messages: into `conversation`, or a new conversation when none is given."""
    customer = org.customer(customer_id)
    imported = bool(fields.get("imported_at"))
    if fields.get("conversation"):
        conversation = org.conversation(fields["conversation"], customer.id)
        sender = _sender(org, conversation, fields)
        ratelimit.count_creation(org, customer.id, "message", imported=imported)
        return _record(org, conversation, fields, sender)
    if fields["direction"] == "out" and fields.get("created_by"):
        user(org, fields["created_by"], "/createdBy")  # refuse before the conversation exists
    ratelimit.count_creation(org, customer.id, "message", imported=imported)
    body = fields.get("body") or fields.get("preview") or ""
    conversation = create_conversation(org, customer.id, {
        "name": fields.get("subject") or body[:CONVERSATION_NAME_CHARS], "imported_at": fields.get("imported_at")})
    return _record(org, conversation, fields, _sender(org, conversation, fields))


def messages(org, conversation_id: str, sort: str = "asc") -> tuple[Conversation, list[Message]]:
    """A conversation's messages by createdAt, oldest first by default."""
    conversation = org.conversation(conversation_id)
    with org.lock:
        found = list(org.messages.get(conversation.id, []))
    return conversation, sorted(found, key=lambda m: m.created_at, reverse=sort == "desc")

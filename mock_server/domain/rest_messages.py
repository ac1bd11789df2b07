"""REST v1 messages: recorded on a conversation (or a new one), checked before anything is written."""
from __future__ import annotations

from typing import TYPE_CHECKING

import copy

from . import ratelimit
from .errors import Conflict, NotFound
from .klasses import check_suffixed, merge_attributes
from .models import Conversation, Message
from .directory import customer_sender, user, user_sender
from .rest import create_conversation

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

CONVERSATION_NAME_CHARS = 80
ADMIN_ROLE = "org.admin"   # only it may set createdAt/createdBy/modifiedAt/modifiedBy; others are stamped
STAMPS = ("created_at", "created_by", "modified_at", "modified_by")
# body fields stored on the record as sent (the schema checked them)
_FIELDS = ("external_id", "subject", "status", "lang", "sentiment", "sent_at", "imported_at")
_META_FIELDS = ("size", "related", "error", "error_at", "source", "shortcuts", "kb_articles", "location",
                "reference", "queue")   # kept for the resource under the same names


def honour_stamps(fields: dict, roles) -> dict:
    """The body without the stamps a key lacking org.admin may not set (Kustomer stamps them itself)."""
    if ADMIN_ROLE in roles:
        return fields
    return {k: v for k, v in fields.items() if k not in STAMPS}


def _sender(org: Org, conversation: Conversation, fields: dict) -> dict:
    """Who wrote it: the customer for `in`, the named user (createdBy) or the org's team for `out`."""
    if fields["direction"] == "in":
        return customer_sender(org.customer(conversation.customer_id))
    if fields.get("created_by"):
        return user_sender(user(org, fields["created_by"], "/createdBy"))
    team = org.settings.get("teamName") or org.name
    return {"type": "user", "id": None, "displayName": team, "avatarUrl": None}


def _check(org: Org, fields: dict) -> dict:
    """Custom attributes by suffix, a free id: checked before anything is written."""
    custom = check_suffixed(fields.get("custom") or {}, "Message")
    if fields.get("id") and org.find_message(fields["id"]) is not None:
        raise Conflict(f"a message {fields['id']} already exists", pointer="/id", meta={"existingId": fields["id"]})
    return custom


def _record(org: Org, conversation: Conversation, fields: dict, sender: dict, custom: dict) -> Message:
    body = fields.get("body") if fields.get("body") is not None else fields.get("preview") or ""
    # REST records a message; it does not deliver it (Kustomer: "records a message, does not send
    # it"), so it starts read and raises nobody's unread count. /v2.1/chat/outbound/messages delivers.
    meta = dict(fields.get("meta") or {})
    message = org.record_message(conversation, body=body, direction=fields["direction"], sent_by=sender,
                                 at=fields.get("created_at"), meta=meta, read=True, message_id=fields.get("id"),
                                 attachments=fields.get("attachments"), auto=bool(fields.get("auto")))
    with org.change("conversation", conversation), org.change("message", message):
        message.channel, message.app = fields["channel"], fields["app"]
        for name in _FIELDS:
            if fields.get(name) is not None:
                setattr(message, name, copy.deepcopy(fields[name]))
        message.extra = {k: copy.deepcopy(fields[k]) for k in _META_FIELDS if fields.get(k) is not None}
        message.custom = merge_attributes({}, custom)
        if not conversation.channel:   # a REST conversation takes the channel of its first message
            conversation.channel = message.channel
        elif message.channel not in conversation.channels:
            conversation.other_channels = [*conversation.other_channels, message.channel]
    return message


def create_message(org: Org, conversation_id: str, fields: dict) -> Message:
    """POST /v1/conversations/{id}/messages."""
    conversation = org.conversation(conversation_id)
    custom = _check(org, fields)
    if fields.get("customer") and fields["customer"] != conversation.customer_id:
        raise NotFound(f"customer {fields['customer']} is not the customer of conversation {conversation_id}",
                       pointer="/customer")
    sender = _sender(org, conversation, fields)
    ratelimit.count_creation(org, conversation.customer_id, "message", imported=bool(fields.get("imported_at")))
    return _record(org, conversation, fields, sender, custom)


def create_org_message(org: Org, fields: dict) -> Message:
    """POST /v1/messages: a message in an existing conversation (body names it)."""
    if fields["conversation"] not in org.conversations:
        raise NotFound(f"no conversation {fields['conversation']}", pointer="/conversation")
    return create_message(org, fields["conversation"], fields)


def create_customer_message(org: Org, customer_id: str, fields: dict) -> Message:
    """POST /v1/customers/{id}/messages: into `conversation`, or a new conversation when none is given."""
    customer = org.customer(customer_id)
    imported = bool(fields.get("imported_at"))
    custom = _check(org, fields)
    if fields.get("conversation"):
        conversation = org.conversation(fields["conversation"], customer.id)
        sender = _sender(org, conversation, fields)
        ratelimit.count_creation(org, customer.id, "message", imported=imported)
        return _record(org, conversation, fields, sender, custom)
    if fields["direction"] == "out" and fields.get("created_by"):
        user(org, fields["created_by"], "/createdBy")  # refuse before the conversation exists
    ratelimit.count_creation(org, customer.id, "message", imported=imported)
    body = fields.get("body") or fields.get("preview") or ""
    conversation = create_conversation(org, customer.id, {
        "name": fields.get("subject") or body[:CONVERSATION_NAME_CHARS], "imported_at": fields.get("imported_at")})
    return _record(org, conversation, fields, _sender(org, conversation, fields), custom)


def message(org: Org, message_id: str) -> Message:
    """A message by id, or NotFound."""
    found = org.find_message(message_id)
    if found is None:
        raise NotFound(f"no message {message_id}")
    return found


def by_external_id(org: Org, external_id: str) -> Message:
    """GET /v1/messages/externalid={id}."""
    found = next((m for m in all_messages(org) if m.external_id == external_id), None)
    if found is None:
        raise NotFound(f"no message with externalId {external_id}")
    return found


def update_message(org: Org, message_id: str, changes: dict) -> Message:
    """PUT/PATCH /v1/messages/{id}: the fields sent change; custom attributes merge."""
    found = message(org, message_id)
    custom = check_suffixed(changes.get("custom") or {}, "Message")
    with org.change("message", found, deep=True):
        for name in (*_FIELDS, "direction", "channel", "app", "auto", "attachments"):
            if name in changes:
                setattr(found, name, copy.deepcopy(changes[name]))
        if "meta" in changes:
            found.meta = dict(changes["meta"] or {})
        if changes.get("body") is not None or changes.get("preview") is not None:
            found.body = changes.get("body") if changes.get("body") is not None else changes["preview"]
        found.extra = {**found.extra, **{k: changes[k] for k in _META_FIELDS if k in changes}}
        found.custom = merge_attributes(found.custom, custom)
        found.modified_at = org.now()
        found.rev += 1
    return found


def all_messages(org: Org, sort: str = "desc") -> list[Message]:
    """Every message of the org by createdAt, newest first by default."""
    with org.reading():
        found = [m for messages in org.messages.values() for m in messages]
    # within one millisecond the id decides: ids grow in write order
    return sorted(found, key=lambda m: (m.created_at, m.id), reverse=sort == "desc")


def customer_messages(org: Org, customer_id: str, sort: str = "desc") -> list[Message]:
    """One customer's messages across their conversations."""
    org.customer(customer_id)
    return [m for m in all_messages(org, sort) if m.customer_id == customer_id]


def messages(org: Org, conversation_id: str, sort: str = "asc") -> tuple[Conversation, list[Message]]:
    """A conversation's messages by createdAt, oldest first by default."""
    conversation = org.conversation(conversation_id)
    with org.reading():
        found = list(org.messages.get(conversation.id, []))
    return conversation, sorted(found, key=lambda m: (m.created_at, m.id), reverse=sort == "desc")

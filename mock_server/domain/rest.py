"""REST v1 on an org: customers, conversations and messages as Kustomer's backend API handles them."""
from __future__ import annotations

from typing import TYPE_CHECKING


from . import ratelimit, satisfaction
from .lifecycle import conversation_event, end
from .errors import Conflict, Forbidden, InvalidField, NotFound
from .ids import stable_id  # noqa: F401  (re-exported: the views name fixture records with it)
from .klasses import merge_attributes
from .directory import user
from .tags import remove_tags, resolve_tags
from .models import Conversation, Customer, reset

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

CHANNELS = ("email", "sms", "chat", "facebook", "twitter-dm", "twitter-tweet", "voice", "instagram", "whatsapp")
STATUSES = ("open", "snoozed", "done")
CHAT_ONLY_ROLE = "org.tracking"


def require_server_role(org: Org, key: str) -> None:
    """Forbidden for a key whose only role is org.tracking (a chat key), as at Kustomer."""
    if not any(role != CHAT_ONLY_ROLE for role in org.roles.get(key, ())):
        raise Forbidden("this API key only has the role org.tracking (a chat key); the REST and "
                        "server chat APIs need a key with an org.permission.* or org.admin role")


def paginate(items: list, page: int, page_size: int) -> dict:
    """One page of `items` (pages from 1) with the totals the JSON:API meta needs."""
    start = (page - 1) * page_size
    return {"items": items[start:start + page_size], "page": page, "page_size": page_size,
            "total": len(items), "total_pages": max(1, -(-len(items) // page_size))}


def ordered(records, sort: str = "desc") -> list:
    """Records by createdAt, then id (ids grow in write order, as Kustomer's ObjectIds), newest first by default."""
    return sorted(records, key=lambda r: (r.created_at, r.id), reverse=sort == "desc")


# -- customers ---------------------------------------------------------------------------------

def customers(org: Org, sort: str = "desc") -> list[Customer]:
    """Every customer of the org, newest first."""
    with org.reading():
        return ordered(list(org.customers.values()), sort)


def conversation_counts(org: Org, customer_id: str) -> dict:
    """{all, open, snoozed, done} for a customer, as Kustomer's customer resource carries them."""
    mine = org.conversations_of(customer_id)
    counts = {"all": len(mine)}
    for status in STATUSES:
        counts[status] = sum(1 for c in mine if c.status == status)
    return counts


# -- references to fixture records ---------------------------------------------------------------

def _check_refs(org: Org, fields: dict) -> None:
    """404 for a brand, tag, user or team id the org does not have, pointing at the field."""
    known = {"brand_id": ("brand", org.brands),
             "assigned_users": ("assignedUsers", org.users), "assigned_teams": ("assignedTeams", org.teams)}
    for name, (wire, records) in known.items():
        value = fields.get(name)
        if value is None:
            continue
        ids = {r["id"] for r in records}
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if item not in ids:
                pointer = f"/{wire}/{index}" if isinstance(value, list) else f"/{wire}"
                raise NotFound(f"no {wire.rstrip('s')} {item} in this org", pointer=pointer)


# -- conversations -------------------------------------------------------------------------------

# body fields stored as they are (the schema checked them); tags, queue and custom are resolved first
_CONVERSATION_FIELDS = ("status", "priority", "assigned_users", "assigned_teams", "external_id", "direction",
                        "reply_channel", "default_lang", "snooze", "sub_status", "sentiment", "suggested_tags",
                        "suggested_shortcuts", "satisfaction_level", "ended_reason", "ended_by", "ended_by_type",
                        "locked", "campaign")


def _check_queue(org: Org, queue: dict | None) -> None:
    if queue and queue.get("id") and queue["id"] not in {q["id"] for q in org.queues}:
        raise NotFound(f"no queue {queue['id']} in this org", pointer="/queue/id")


def _check_conversation(org: Org, fields: dict) -> None:
    """404 for a user, team, brand or queue the body names and the org does not have."""
    _check_refs(org, fields)
    _check_queue(org, fields.get("queue"))
    if fields.get("ended_by") and fields.get("ended_by_type", "user") == "user":
        user(org, fields["ended_by"], "/endedBy")


def _conversation_values(org: Org, fields: dict) -> dict:
    """The record fields of a checked body, tags resolved to ids (an unknown name creates its tag)."""
    values = {k: fields[k] for k in _CONVERSATION_FIELDS if k in fields}
    if "name" in fields:
        values["title"] = fields["name"] or ""
    if "queue" in fields:
        values["queue"] = dict(fields["queue"])
    if "satisfaction" in fields:
        values["satisfaction"] = fields["satisfaction"]
    if fields.get("tags") is not None:
        values["tags"] = resolve_tags(org, fields["tags"], "/tags")
    return values


def create_conversation(org: Org, customer_id: str, fields: dict, customer_pointer: str = "/customer") -> Conversation:
    """POST /v1/conversations: a conversation for a customer, checked before anything is written."""
    customer = org.customers.get(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}", pointer=customer_pointer)
    custom = org.klasses["conversation"].validate(fields.get("custom") or {}, pointer_root="/custom")
    if fields.get("id") and fields["id"] in org.conversations:
        raise Conflict(f"a conversation {fields['id']} already exists", pointer="/id",
                       meta={"existingId": fields["id"]})
    _check_conversation(org, fields)
    ratelimit.count_creation(org, customer.id, "conversation", imported=bool(fields.get("imported_at")))
    values = {k: v for k, v in _conversation_values(org, fields).items() if v is not None}
    if fields.get("brand_id"):
        values["brand_id"] = fields["brand_id"]
    if fields.get("id"):
        values["id"] = fields["id"]
    values.setdefault("title", "")
    values.setdefault("channel", "")   # REST conversations have no channel until a message gives them one
    conversation = org.new_conversation(customer, custom=merge_attributes({}, custom),
                                        imported_at=fields.get("imported_at"), **values)
    if fields.get("created_at"):
        with org.change("conversation", conversation):
            conversation.created_at = conversation.updated_at = conversation.last_message_at = fields["created_at"]
    org.events.emit("onConversationCreate", conversation_event(conversation), customer.id)
    return conversation


def update_conversation(org: Org, conversation_id: str, changes: dict, replace: bool = False) -> Conversation:
    """PUT/PATCH /v1/conversations/{id}: the attributes sent change; {customer} alone moves it to that customer."""
    conversation = org.conversation(conversation_id)
    custom = org.klasses["conversation"].validate(changes.get("custom") or {}, pointer_root="/custom")
    if changes.get("customer"):
        if any(changes[k] for k in changes if k != "customer"):   # custom is always there, empty when unsent
            raise InvalidField("{customer} moves a conversation and takes no other field", pointer="/customer")
        org.customer(changes["customer"]) if changes["customer"] in org.customers else _no_customer(changes)
    _check_conversation(org, changes)
    values = _conversation_values(org, changes)
    with org.change("conversation", conversation, deep=True):
        if replace:   # status and ending stay with the chat
            reset(conversation, (*(f for f in _CONVERSATION_FIELDS if f != "status"), "tags", "queue",
                                 "satisfaction"))
        for name, value in values.items():
            setattr(conversation, name, value)
        if changes.get("customer"):
            conversation.customer_id = changes["customer"]
            for message in org.messages.get(conversation.id, []):
                with org.change("message", message):
                    message.customer_id = changes["customer"]
        conversation.custom = merge_attributes({} if replace else conversation.custom, custom)
        conversation.updated_at = conversation.modified_at = org.now()
        conversation.rev += 1
        if changes.get("deleted"):
            org.erase_conversation(conversation.id)
    ended = changes.get("ended")
    if ended is True and not conversation.ended:
        end(org, conversation)
        if changes.get("ended_at"):
            with org.change("conversation", conversation):
                conversation.ended_at = changes["ended_at"]
    elif ended is False and conversation.ended:
        _unend(org, conversation, changes.get("status"))
    return conversation


def _no_customer(changes: dict):
    raise NotFound(f"no customer {changes['customer']}", pointer="/customer")


def delete_conversation(org: Org, conversation_id: str) -> None:
    """DELETE /v1/conversations/{id}: the conversation, its messages and notes; a later GET is 404."""
    org.erase_conversation(org.conversation(conversation_id).id)


def conversation_by_external_id(org: Org, external_id: str) -> Conversation:
    """GET /v1/conversations/externalId={id}."""
    found = next((c for c in org.conversations.values() if c.external_id == external_id), None)
    if found is None:
        raise NotFound(f"no conversation with externalId {external_id}")
    return found


def change_tags(org: Org, conversation_id: str, items: list, add: bool) -> Conversation:
    """POST (add, creating unknown names) or DELETE (remove) /v1/conversations/{id}/tags."""
    conversation = org.conversation(conversation_id)
    with org.change("conversation", conversation, deep=True):
        if add:
            ids = resolve_tags(org, items, "")
            conversation.tags = conversation.tags + [t for t in ids if t not in conversation.tags]
        else:
            conversation.tags = remove_tags(org, conversation.tags, items)
        conversation.updated_at = conversation.modified_at = org.now()
        conversation.rev += 1
    return conversation


def _unend(org: Org, conversation: Conversation, status: str | None) -> None:
    with org.change("conversation", conversation):
        conversation.ended, conversation.ended_at = False, None
        conversation.status = status or "open"
        conversation.updated_at = org.now()
    satisfaction.cancel(org, conversation)   # a survey not yet answered ends with the chat it was about
    org.events.emit("onConversationUnended", {"conversationId": conversation.id, "createdAt": conversation.created_at,
                                              "ended": False}, conversation.customer_id)


def conversations(org: Org, sort: str = "desc", customer_id: str | None = None) -> list[Conversation]:
    """The org's conversations (or one customer's), newest first."""
    with org.reading():
        found = [c for c in org.conversations.values() if customer_id is None or c.customer_id == customer_id]
    return ordered(found, sort)


def klass(org: Org, name: str):
    """A Klass by its name (conversation, customer), or NotFound."""
    found = org.klasses.get(name)
    if found is None:
        raise NotFound(f"no Klass {name}; this org has {', '.join(sorted(org.klasses))}")
    return found

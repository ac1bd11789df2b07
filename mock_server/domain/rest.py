"""REST v1 on an org: customers, conversations and messages as Kustomer's backend API handles them."""
from __future__ import annotations

import copy
import hashlib

from . import ratelimit
from .chat import conversation_event, end
from .errors import Conflict, Forbidden, NotFound
from .klasses import merge_attributes
from .models import Conversation, Customer

CHANNELS = ("email", "sms", "chat", "facebook", "twitter-dm", "twitter-tweet", "voice", "instagram", "whatsapp")
STATUSES = ("open", "snoozed", "done")
CHAT_ONLY_ROLE = "org.tracking"


def require_server_role(org, key: str) -> None:
    """Forbidden for a key whose only role is org.tracking (a chat key), as at Kustomer."""
    if not any(role != CHAT_ONLY_ROLE for role in org.roles.get(key, ())):
        raise Forbidden("this API key only has the role org.tracking (a chat key); the REST and "
                        "server chat APIs need a key with an org.permission.* or org.admin role")


def stable_id(*parts: str) -> str:
    """A 24-hex id derived from names, for fixture records that have none (Klasses, tokens)."""
    return hashlib.sha1(":".join(parts).encode()).hexdigest()[:24]


def paginate(items: list, page: int, page_size: int) -> dict:
    """One page of `items` (pages from 1) with the totals the JSON:API meta needs."""
    start = (page - 1) * page_size
    return {"items": items[start:start + page_size], "page": page, "page_size": page_size,
            "total": len(items), "total_pages": max(1, -(-len(items) // page_size))}


def ordered(records, sort: str = "desc") -> list:
    """Records by createdAt, newest first by default; ties keep their insertion order."""
    return sorted(records, key=lambda r: r.created_at, reverse=sort == "desc")


# -- customers ---------------------------------------------------------------------------------

def _check_unique(org, email: str | None, external_id: str | None, exclude: str | None = None) -> None:
    for other in list(org.customers.values()):
        if other.id == exclude:
            continue
        if email and email.lower() in [e.lower() for e in [other.email, *other.shared_emails] if e]:
            raise Conflict(f"customer {other.id} already has the email {email}", pointer="/emails")
        if external_id and other.external_id == external_id:
            raise Conflict(f"customer {other.id} already has the externalId {external_id}",
                           pointer="/externalId")


def _contact_fields(fields: dict) -> dict:
    """The model fields of a REST customer body: emails and phones as plain lists."""
    values = {}
    if "name" in fields:
        values["name"] = fields["name"]
    if "external_id" in fields:
        values["external_id"] = fields["external_id"]
    if "emails" in fields:
        emails = [entry["email"] for entry in fields["emails"]]
        values["email"], values["shared_emails"] = (emails[0] if emails else None), emails[1:]
    if "phones" in fields:
        values["shared_phones"] = [entry["phone"] for entry in fields["phones"]]
    return values


def create_customer(org, fields: dict) -> Customer:
    """POST /v1/customers: a new customer with Customer Klass attributes under custom."""
    custom = org.klasses["customer"].validate(fields.get("custom") or {}, pointer_root="/custom")
    values = _contact_fields(fields)
    with org.lock:
        _check_unique(org, values.get("email"), values.get("external_id"))
        identified = any(values.get(k) for k in ("name", "email", "external_id"))
        return org.new_customer(**values, custom=merge_attributes({}, custom), anonymous=not identified)


def update_customer(org, customer_id: str, fields: dict) -> Customer:
    """PUT /v1/customers/{id}: replace the fields sent; custom attributes merge (null clears one)."""
    customer = org.customer(customer_id)
    custom = org.klasses["customer"].validate(fields.get("custom") or {}, pointer_root="/custom")
    values = _contact_fields(fields)
    with org.lock:
        before = copy.copy(customer)
        _check_unique(org, values.get("email"), values.get("external_id"), exclude=customer.id)
        for name, value in values.items():
            setattr(customer, name, value)
        customer.custom = merge_attributes(customer.custom, custom)
        customer.anonymous = customer.anonymous and not any(values.get(k) for k in ("name", "email", "external_id"))
        customer.updated_at = org.now()
    org.record_changed("customer", customer, before)
    return customer


def customers(org, sort: str = "desc") -> list[Customer]:
    """Every customer of the org, newest first."""
    with org.lock:
        return ordered(list(org.customers.values()), sort)


def conversation_counts(org, customer_id: str) -> dict:
    """{all, open, snoozed, done} for a customer, as Kustomer's customer resource carries them."""
    mine = org.conversations_of(customer_id)
    counts = {"all": len(mine)}
    for status in STATUSES:
        counts[status] = sum(1 for c in mine if c.status == status)
    return counts


# -- references to fixture records ---------------------------------------------------------------

def _check_refs(org, fields: dict) -> None:
    """404 for a brand, tag, user or team id the org does not have, pointing at the field."""
    known = {"brand_id": ("brand", org.brands), "tags": ("tags", org.tags),
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


def user(org, user_id: str, pointer: str) -> dict:
    """An org user by id, or NotFound pointing at the field that named it."""
    found = next((u for u in org.users if u["id"] == user_id), None)
    if found is None:
        raise NotFound(f"no user {user_id} in this org", pointer=pointer)
    return found


def user_sender(found: dict) -> dict:
    """The sentBy of a message written by an org user."""
    return {"type": "user", "id": found["id"], "displayName": found.get("displayName") or found.get("name"),
            "avatarUrl": found.get("avatarUrl")}


def customer_sender(customer: Customer) -> dict:
    """The sentBy of a message written by the customer."""
    return {"type": "customer", "id": customer.id, "displayName": customer.name or "Customer"}


# -- conversations -------------------------------------------------------------------------------

_CONVERSATION_FIELDS = ("status", "priority", "tags", "assigned_users", "assigned_teams", "external_id", "lang")


def create_conversation(org, customer_id: str, fields: dict, customer_pointer: str = "/customer") -> Conversation:
    """POST /v1/conversations: a conversation for a customer, checked before anything is written."""
    customer = org.customers.get(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}", pointer=customer_pointer)
    custom = org.klasses["conversation"].validate(fields.get("custom") or {}, pointer_root="/custom")
    _check_refs(org, fields)
    ratelimit.count_creation(org, customer.id, "conversation", imported=bool(fields.get("imported_at")))
    extra = {k: fields[k] for k in _CONVERSATION_FIELDS if fields.get(k) is not None}
    if fields.get("brand_id"):
        extra["brand_id"] = fields["brand_id"]
    conversation = org.new_conversation(customer, title=fields.get("name") or "", custom=merge_attributes({}, custom),
                                        imported_at=fields.get("imported_at"), **extra)
    if fields.get("created_at"):
        with org.lock:
            conversation.created_at = conversation.updated_at = conversation.last_message_at = fields["created_at"]
    org.events.emit("onConversationCreate", conversation_event(conversation), customer.id)
    return conversation


def update_conversation(org, conversation_id: str, changes: dict) -> Conversation:
    """PATCH /v1/conversations/{id}: status, name, priority, assignment, custom attributes, ended."""
    conversation = org.conversation(conversation_id)
    custom = org.klasses["conversation"].validate(changes.get("custom") or {}, pointer_root="/custom")
    _check_refs(org, changes)
    with org.lock:
        before = copy.copy(conversation)
        if changes.get("name") is not None:
            conversation.title = changes["name"]
        for name in _CONVERSATION_FIELDS:
            if changes.get(name) is not None:
                setattr(conversation, name, changes[name])
        conversation.custom = merge_attributes(conversation.custom, custom)
        conversation.updated_at = org.now()
    org.record_changed("conversation", conversation, before)
    ended = changes.get("ended")
    if ended is True and not conversation.ended:
        end(org, conversation)
    elif ended is False and conversation.ended:
        _unend(org, conversation, changes.get("status"))
    return conversation


def _unend(org, conversation: Conversation, status: str | None) -> None:
    with org.lock:
        before = copy.copy(conversation)
        conversation.ended, conversation.ended_at = False, None
        conversation.status = status or "open"
        conversation.updated_at = org.now()
    org.record_changed("conversation", conversation, before)
    org.events.emit("onConversationUnended", {"conversationId": conversation.id, "createdAt": conversation.created_at,
                                              "ended": False}, conversation.customer_id)


def conversations(org, sort: str = "desc", customer_id: str | None = None) -> list[Conversation]:
    """The org's conversations (or one customer's), newest first."""
    with org.lock:
        found = [c for c in org.conversations.values() if customer_id is None or c.customer_id == customer_id]
    return ordered(found, sort)


def klass(org, name: str):
    """A Klass by its name (conversation, customer), or NotFound."""
    found = org.klasses.get(name)
    if found is None:
        raise NotFound(f"no Klass {name}; this org has {', '.join(sorted(org.klasses))}")
    return found

"""Response resources of REST v1: attributes per type, and the JSON:API objects built from records."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..domain.models import Conversation, Customer, Message
from ..domain.rest import stable_id
from .jsonapi import documents, relation, resource

PREVIEW_CHARS = 120


class RestCustomerAttributes(Schema):
    """A customer as Kustomer's REST API gives it."""

    name = fields.String(allow_none=True)
    display_name = fields.Function(lambda c: c["name"] or c["email"] or "Anonymous", data_key="displayName")
    external_id = fields.String(data_key="externalId", allow_none=True)
    emails = fields.Function(lambda c: [{"type": "home" if i == 0 else "other", "email": e}
                                        for i, e in enumerate([c["email"], *c["shared_emails"]] if c["email"]
                                                              else c["shared_emails"])])
    phones = fields.Function(lambda c: [{"type": "other", "phone": p} for p in c["shared_phones"]])
    socials = fields.List(fields.Dict(), attribute="shared_socials")
    anonymous = fields.Boolean()
    custom = fields.Dict()
    conversation_counts = fields.Dict(data_key="conversationCounts")
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")


class ConversationAttributes(Schema):
    """A conversation as Kustomer's REST API gives it."""

    name = fields.String(attribute="title")
    status = fields.String()
    priority = fields.Integer()
    channels = fields.Function(lambda c: [c.channel])
    preview = fields.String()
    message_count = fields.Integer(data_key="messageCount")
    custom = fields.Dict()
    tags = fields.List(fields.String())
    assigned_users = fields.List(fields.String(), data_key="assignedUsers")
    assigned_teams = fields.List(fields.String(), data_key="assignedTeams")
    external_id = fields.String(data_key="externalId", allow_none=True)
    ended = fields.Boolean()
    ended_at = fields.String(data_key="endedAt", allow_none=True)
    lang = fields.String(allow_none=True)
    last_message_at = fields.String(data_key="lastMessageAt")
    imported_at = fields.String(data_key="importedAt", allow_none=True)
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")


class MessageAttributes(Schema):
    """A message as Kustomer's REST API gives it (the mock keeps the full text in body)."""

    channel = fields.String()
    app = fields.String()
    direction = fields.String()
    body = fields.String()
    preview = fields.Function(lambda m: m.body[:PREVIEW_CHARS])
    meta = fields.Dict()
    auto = fields.Boolean()
    attachments = fields.List(fields.Dict())
    sent_by = fields.Dict(data_key="sentBy")
    imported_at = fields.String(data_key="importedAt", allow_none=True)
    created_at = fields.String(data_key="createdAt")


class KlassAttributes(Schema):
    """A Klass: its name and the custom attributes under metadata.properties."""

    name = fields.String()
    display_name = fields.String(data_key="displayName")
    metadata = fields.Dict()


class DirectoryAttributes(Schema):
    """Users, teams, tags and queues from the fixtures, with the names Kustomer gives them."""

    name = fields.String()
    display_name = fields.String(data_key="displayName")
    email = fields.String()
    user_type = fields.String(data_key="userType")
    avatar_url = fields.String(data_key="avatarUrl", allow_none=True)
    color = fields.String(allow_none=True)


class TokenAttributes(Schema):
    """The API key itself (GET /v1/auth/tokens/current)."""

    name = fields.String()
    org = fields.String()
    roles = fields.List(fields.String())


CustomerDocument, CustomerList = documents("Customer", RestCustomerAttributes)
ConversationDocument, ConversationList = documents("RestConversation", ConversationAttributes)
MessageDocument, MessageList = documents("RestMessage", MessageAttributes)
KlassDocument, KlassList = documents("Klass", KlassAttributes)
DirectoryDocument, DirectoryList = documents("Directory", DirectoryAttributes)
TokenDocument, _ = documents("Token", TokenAttributes)


def customer(record: Customer, counts: dict) -> dict:
    """A customer resource; `counts` are its conversations by status."""
    return resource("customer", record.id, {**vars(record), "conversation_counts": counts},
                    {"conversations": {"links": {"self": f"/v1/customers/{record.id}/conversations"}}},
                    f"/v1/customers/{record.id}")


def conversation(record: Conversation) -> dict:
    """A conversation resource with its customer, brand and messages."""
    return resource("conversation", record.id, record, {
        "customer": relation("customer", record.customer_id, f"/v1/customers/{record.customer_id}"),
        "brand": relation("brand", record.brand_id),
        "messages": {"links": {"self": f"/v1/conversations/{record.id}/messages"}}},
        f"/v1/conversations/{record.id}")


def message(record: Message) -> dict:
    """A message resource with its conversation, customer and (for agents) the user who wrote it."""
    sender = record.sent_by or {}
    relationships = {
        "conversation": relation("conversation", record.conversation_id, f"/v1/conversations/{record.conversation_id}"),
        "customer": relation("customer", record.customer_id, f"/v1/customers/{record.customer_id}")}
    if sender.get("type") == "user":
        relationships["createdBy"] = relation("user", sender.get("id"))
    return resource("message", record.id, record, relationships, f"/v1/messages/{record.id}")


def klass(org, name: str, record) -> dict:
    """A Klass resource: custom attributes by name under metadata.properties."""
    properties = {a.name: {"displayName": a.display_name, "type": a.type, **({"tree": a.tree} if a.tree else {})}
                  for a in record.attributes.values()}
    return resource("klass", stable_id(org.name, "klass", name),
                    {"name": name, "display_name": record.name, "metadata": {"properties": properties}},
                    None, f"/v1/klasses/{name}")


def directory(kind: str, path: str, record: dict) -> dict:
    """A user, team, tag or queue from the fixtures; displayName defaults to the name."""
    attributes = {"name": record.get("name"), "display_name": record.get("displayName") or record.get("name")}
    if kind == "user":
        attributes.update(email=record.get("email"), user_type=record.get("userType", "user"),
                          avatar_url=record.get("avatarUrl"))
    if kind == "tag":
        attributes["color"] = record.get("color")
    relationships = None
    if kind == "team":
        relationships = {"members": {"data": [{"type": "user", "id": m} for m in record.get("members", [])]}}
    return resource(kind, record["id"], attributes, relationships, f"{path}/{record['id']}")

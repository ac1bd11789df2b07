"""Response resources of REST v1: attributes per type, and the JSON:API objects built from records."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..domain.models import Conversation, Customer, Message, Note
from ..domain.rest import stable_id
from .jsonapi import documents, relation, resource

PREVIEW_CHARS = 120


COLORS = ("green", "blue", "purple", "orange", "red", "teal", "yellow", "pink")
ICONS = ("compass", "anchor", "leaf", "star", "rocket", "bolt", "globe", "heart")
Items = lambda attribute=None, **kw: fields.List(fields.Dict(), attribute=attribute, **kw)  # noqa: E731
Time = lambda key, attribute=None: fields.String(data_key=key, attribute=attribute, allow_none=True)  # noqa: E731


def _pick(options: tuple, record_id: str) -> str:
    """A display colour or icon, fixed per customer (Kustomer assigns one at random)."""
    return options[int(record_id[-4:], 16) % len(options)]


def _name_part(customer, index: int) -> str | None:
    parts = (customer.name or "").split(" ", 1)
    return parts[index] if len(parts) > index and parts[index] else None


class RestCustomerAttributes(Schema):
    """A customer as Kustomer's REST API gives it: every body field where Kustomer puts it, plus what it derives."""

    name = fields.String(allow_none=True)
    display_name = fields.Function(lambda c: c.name or c.email or "Anonymous", data_key="displayName")
    display_color = fields.Function(lambda c: _pick(COLORS, c.id), data_key="displayColor")
    display_icon = fields.Function(lambda c: _pick(ICONS, c.id), data_key="displayIcon")
    first_name = fields.Function(lambda c: _name_part(c, 0), data_key="firstName")
    last_name = fields.Function(lambda c: _name_part(c, 1), data_key="lastName")
    external_id = fields.String(data_key="externalId", allow_none=True)
    external_ids, shared_external_ids = Items(data_key="externalIds"), Items(data_key="sharedExternalIds")
    username = fields.String(allow_none=True)
    avatar_url = fields.String(data_key="avatarUrl", allow_none=True)
    emails, shared_emails = Items(), Items(data_key="sharedEmails")
    phones, shared_phones = Items(), Items(data_key="sharedPhones")
    whatsapps = Items()
    facebook_ids, instagram_ids = Items(data_key="facebookIds"), Items(data_key="instagramIds")
    socials, shared_socials = Items(), Items(data_key="sharedSocials")
    urls, locations = Items(), Items()
    locale = fields.String(allow_none=True)
    time_zone = fields.String(data_key="timeZone", allow_none=True)
    default_lang = fields.String(data_key="defaultLang", allow_none=True)
    gender = fields.String(allow_none=True)
    birthday_at = Time("birthdayAt")
    signed_up_at = Time("signedUpAt")
    last_seen_at = Time("lastSeenAt")
    last_activity_at = Time("lastActivityAt")
    last_customer_activity_at = Time("lastCustomerActivityAt")
    presence = fields.Constant("offline")
    tags = fields.List(fields.String())
    sentiment = fields.Dict(allow_none=True)
    verified = fields.Constant(False)
    deleted = fields.Constant(False)
    anonymous = fields.Boolean()
    custom = fields.Dict()
    conversation_counts = fields.Dict(data_key="conversationCounts")
    imported_at = Time("importedAt")
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")
    modified_at = fields.Function(lambda c: c.modified_at or c.updated_at, data_key="modifiedAt")
    rev = fields.Integer()


class _WithCounts:
    """A customer record seen with its conversation counts (the record does not hold them)."""

    def __init__(self, record: Customer, counts: dict):
        self._record, self.conversation_counts = record, counts

    def __getattr__(self, name):
        return getattr(self._record, name)


class ConversationAttributes(Schema):
    """A conversation as Kustomer's REST API gives it."""

    name = fields.String(attribute="title")
    status = fields.String()
    priority = fields.Integer()
    direction = fields.String()
    channels = fields.List(fields.String())
    reply_channel = fields.String(data_key="replyChannel", allow_none=True)
    preview = fields.String()
    message_count = fields.Integer(data_key="messageCount")
    custom = fields.Dict()
    tags = fields.List(fields.String())
    suggested_tags = fields.List(fields.Dict(), data_key="suggestedTags")
    suggested_shortcuts = fields.List(fields.Dict(), data_key="suggestedShortcuts")
    sentiment = fields.Dict(allow_none=True)
    satisfaction = fields.Float(allow_none=True)
    satisfaction_level = fields.Dict(data_key="satisfactionLevel", allow_none=True)
    assigned_users = fields.List(fields.String(), data_key="assignedUsers")
    assigned_teams = fields.List(fields.String(), data_key="assignedTeams")
    external_id = fields.String(data_key="externalId", allow_none=True)
    default_lang = fields.String(data_key="defaultLang", allow_none=True)
    snooze = fields.Dict(allow_none=True)
    locked = fields.Boolean()
    ended = fields.Boolean()
    ended_at = fields.String(data_key="endedAt", allow_none=True)
    ended_reason = fields.String(data_key="endedReason", allow_none=True)
    ended_by_type = fields.String(data_key="endedByType", allow_none=True)
    lang = fields.String(allow_none=True)
    last_message_at = fields.String(data_key="lastMessageAt")
    imported_at = fields.String(data_key="importedAt", allow_none=True)
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")
    modified_at = fields.Function(lambda c: c.modified_at or c.updated_at, data_key="modifiedAt")
    rev = fields.Integer()


class MessageAttributes(Schema):
    """A message as Kustomer's REST API gives it (the mock also keeps the full text in body)."""

    external_id = fields.String(data_key="externalId", allow_none=True)
    channel = fields.String()
    app = fields.String()
    direction = fields.String()
    direction_type = fields.Function(lambda m: f"{'initial' if m.first else 'response'}-{m.direction}",
                                     data_key="directionType")
    body = fields.String()
    preview = fields.Function(lambda m: m.body[:PREVIEW_CHARS])
    subject = fields.Function(lambda m: m.subject if m.subject is not None else (m.meta or {}).get("subject"))
    size = fields.Function(lambda m: m.extra.get("size", len(m.body.encode())))
    status = fields.Function(lambda m: m.status or ("received" if m.direction == "in" else "sent"))
    lang = fields.String(allow_none=True)
    meta = fields.Dict()
    custom = fields.Dict()
    sentiment = fields.Dict(allow_none=True)
    auto = fields.Boolean()
    attachments = fields.List(fields.Raw())
    sent_by = fields.Dict(data_key="sentBy")
    sent_at = fields.Function(lambda m: m.sent_at or m.created_at, data_key="sentAt")
    error = fields.Function(lambda m: m.extra.get("error"))
    error_at = fields.Function(lambda m: m.extra.get("error_at"), data_key="errorAt")
    reference = fields.Function(lambda m: m.extra.get("reference"))
    location = fields.Function(lambda m: m.extra.get("location"))
    source = fields.Function(lambda m: m.extra.get("source"))
    shortcuts = fields.Function(lambda m: m.extra.get("shortcuts", []))
    kb_articles = fields.Function(lambda m: m.extra.get("kb_articles", []), data_key="kbArticles")
    imported_at = fields.String(data_key="importedAt", allow_none=True)
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.Function(lambda m: m.modified_at or m.created_at, data_key="updatedAt")
    modified_at = fields.Function(lambda m: m.modified_at or m.created_at, data_key="modifiedAt")
    rev = fields.Integer()


class AttachmentAttributes(Schema):
    """An attachment of a message: its name, media type, size and (when uploaded) where it is served."""

    name = fields.String()
    content_type = fields.String(data_key="contentType")
    content_length = fields.Float(data_key="contentLength", allow_none=True)
    url = fields.String(allow_none=True)
    created_at = fields.String(data_key="createdAt")


class NoteAttributes(Schema):
    """A note as Kustomer's REST API gives it."""

    body = fields.String()
    external_id = fields.String(data_key="externalId", allow_none=True)
    user_mentions = fields.List(fields.Dict(), data_key="userMentions")
    attachments = fields.List(fields.Raw())
    lang = fields.String(allow_none=True)
    imported_at = fields.String(data_key="importedAt", allow_none=True)
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")
    modified_at = fields.Function(lambda n: n.updated_at, data_key="modifiedAt")
    rev = fields.Integer()


class KlassAttributes(Schema):
    """A Klass: its names, look, status, mixins and custom attributes under metadata.properties."""

    name = fields.String()
    display_name = fields.String(data_key="displayName")
    icon = fields.String(allow_none=True)
    color = fields.String(allow_none=True)
    status = fields.String()
    mixins = fields.List(fields.String())
    app_disabled = fields.Constant(False, data_key="appDisabled")
    metadata = fields.Dict()
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")


class KObjectAttributes(Schema):
    """A KObject as Kustomer's REST API gives it."""

    title = fields.String()
    description = fields.String(allow_none=True)
    icon = fields.String(allow_none=True)
    images = fields.List(fields.String())
    custom = fields.Dict()
    data = fields.Dict()
    external_id = fields.String(data_key="externalId", allow_none=True)
    tags = fields.List(fields.String())
    imported_at = fields.String(data_key="importedAt", allow_none=True)
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")
    rev = fields.Integer()


class MetadataAttributes(Schema):
    """The custom attribute definitions of one resource (customer, conversation, kobject.NAME)."""

    properties = fields.Dict()


class DirectoryAttributes(Schema):
    """Users, teams, tags and queues, with the names Kustomer gives them."""

    name = fields.String()
    display_name = fields.String(data_key="displayName")
    email = fields.String(allow_none=True)
    user_type = fields.String(data_key="userType")
    avatar_url = fields.String(data_key="avatarUrl", allow_none=True)
    mobile = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    members = fields.List(fields.String())
    icon = fields.String(allow_none=True)
    color = fields.String(allow_none=True)
    system = fields.Boolean()
    text = fields.String()
    deleted = fields.Boolean()
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")


class MergeAttributes(Schema):
    """A customer merge: done at once, so its status is success."""

    status = fields.String()
    created_at = fields.String(data_key="createdAt", attribute="createdAt")
    updated_at = fields.String(data_key="updatedAt", attribute="updatedAt")


class TokenAttributes(Schema):
    """The API key itself (GET /v1/auth/tokens/current)."""

    name = fields.String()
    org = fields.String()
    roles = fields.List(fields.String())


CustomerDocument, CustomerList = documents("Customer", RestCustomerAttributes)
ConversationDocument, ConversationList = documents("RestConversation", ConversationAttributes)
MessageDocument, MessageList = documents("RestMessage", MessageAttributes)
NoteDocument, NoteList = documents("Note", NoteAttributes)
_, AttachmentList = documents("Attachment", AttachmentAttributes)
KlassDocument, KlassList = documents("Klass", KlassAttributes)
KObjectDocument, KObjectList = documents("KObject", KObjectAttributes)
MetadataDocument, _ = documents("Metadata", MetadataAttributes)
DirectoryDocument, DirectoryList = documents("Directory", DirectoryAttributes)
SlaList = Schema.from_dict({**DirectoryList().fields, "included": fields.List(fields.Dict())}, name="SlaListDocument")
TokenDocument, _ = documents("Token", TokenAttributes)
MergeDocument, MergeList = documents("CustomerMerge", MergeAttributes)


def customer(record: Customer, counts: dict) -> dict:
    """A customer resource; `counts` are its conversations by status."""
    relationships = {
        "conversations": {"links": {"self": f"/v1/customers/{record.id}/conversations"}},
        "messages": {"links": {"self": f"/v1/customers/{record.id}/messages"}}}
    if record.company:
        relationships["company"] = relation("company", record.company, f"/v1/companies/{record.company}")
    return resource("customer", record.id, _WithCounts(record, counts), relationships, f"/v1/customers/{record.id}")


def merge(record: dict) -> dict:
    """A customer merge resource with its source and target."""
    return resource("customer_merge", record["id"], record, {
        "source": relation("customer", record["source"]), "target": relation("customer", record["target"])},
        f"/v1/customers/merges/{record['id']}")


def conversation(record: Conversation) -> dict:
    """A conversation resource with its customer, brand, queue and messages."""
    relationships = {
        "customer": relation("customer", record.customer_id, f"/v1/customers/{record.customer_id}"),
        "brand": relation("brand", record.brand_id),
        "messages": {"links": {"self": f"/v1/conversations/{record.id}/messages"}}}
    queue_id = (record.queue or {}).get("id")
    if queue_id:
        relationships["queue"] = relation("queue", queue_id, f"/v1/routing/queues/{queue_id}")
    for name, kind, value in (("subStatus", "sub_status", record.sub_status), ("endedBy", "user", record.ended_by),
                              ("campaign", "campaign", record.campaign)):
        if value:
            relationships[name] = relation(kind, value)
    return resource("conversation", record.id, record, relationships, f"/v1/conversations/{record.id}")


class _MessageView:
    """A message seen with whether it opened its conversation (directionType initial-* or response-*)."""

    def __init__(self, record: Message, first: bool):
        self._record, self.first = record, first

    def __getattr__(self, name):
        return getattr(self._record, name)


def message(record: Message, first: bool = False) -> dict:
    """A message resource with its conversation, customer and (for agents) the user who wrote it."""
    sender = record.sent_by or {}
    relationships = {
        "conversation": relation("conversation", record.conversation_id, f"/v1/conversations/{record.conversation_id}"),
        # Kustomer writes the plural here, and only here (its documented examples and real events agree)
        "customer": relation("customers", record.customer_id, f"/v1/customers/{record.customer_id}")}
    if sender.get("type") == "user":
        relationships["createdBy"] = relation("user", sender.get("id"))
    return resource("message", record.id, _MessageView(record, first), relationships, f"/v1/messages/{record.id}")


def message_of(org, record: Message) -> dict:
    """A message resource, knowing from its org whether it opened its conversation."""
    thread = org.messages.get(record.conversation_id) or []
    return message(record, first=bool(thread) and thread[0].id == record.id)


def attachment(record: Message, index: int, item) -> dict:
    """One attachment of a message (an id alone when the message named an upload by id)."""
    item = item if isinstance(item, dict) else {"_id": item}
    attachment_id = item.get("_id") or item.get("id") or f"{record.id[:20]}{index:04x}"
    attributes = {"name": item.get("name"), "content_type": item.get("contentType"),
                  "content_length": item.get("contentLength"), "url": item.get("url"), "created_at": record.created_at}
    return resource("attachment", attachment_id, attributes, {
        "message": relation("message", record.id, f"/v1/messages/{record.id}")}, None)


def note(record: Note) -> dict:
    """A note resource with its conversation, customer and author."""
    relationships = {
        "conversation": relation("conversation", record.conversation_id, f"/v1/conversations/{record.conversation_id}"),
        "customer": relation("customer", record.customer_id, f"/v1/customers/{record.customer_id}")}
    if record.created_by:
        relationships["createdBy"] = relation("user", record.created_by)
    return resource("note", record.id, record, relationships, f"/v1/notes/{record.id}")


def with_org(item: dict, org_name: str) -> dict:
    """A resource with its org relationship first, as Kustomer links every resource to its org."""
    org_id = stable_id(org_name)
    relationships = {"org": {"links": {"self": f"/v1/orgs/{org_id}"}, "data": {"type": "org", "id": org_id}},
                     **(item.get("relationships") or {})}
    return {**item, "relationships": relationships}


def properties(attributes: list[dict]) -> dict:
    """Custom attribute definitions by name, as Kustomer's metadata gives them."""
    return {a["name"]: {"displayName": a.get("displayName") or a["name"], "type": a["type"],
                        **({"tree": a["tree"]} if a.get("tree") else {})} for a in attributes}


def klass(record) -> dict:
    """A custom Klass resource; its KObjects are at /v1/klasses/NAME."""
    attributes = {**vars(record), "metadata": {"properties": properties(record.attributes)}}
    return resource("klass", record.id, attributes,
                    {"kobjects": {"links": {"self": f"/v1/klasses/{record.name}"}}}, f"/v1/klasses/{record.id}")


def kobject(record) -> dict:
    """A KObject resource: type kobject.NAME, its Klass and (when linked) its customer."""
    relationships = {"klass": {"links": {"self": f"/v1/klasses/{record.klass}"},
                               "data": {"type": "klass", "id": record.klass}}}
    if record.customer_id:
        relationships["customer"] = relation("customer", record.customer_id, f"/v1/customers/{record.customer_id}")
    return resource(f"kobject.{record.klass}", record.id, record, relationships,
                    f"/v1/klasses/{record.klass}/{record.id}")


def metadata(resource_name: str, attributes: list[dict]) -> dict:
    """GET /v1/metadata/{resource}: the custom attributes of a standard Klass or a custom one."""
    return resource("metadata", resource_name, {"properties": properties(attributes)}, None,
                    f"/v1/metadata/{resource_name}")


def directory(kind: str, path: str, record: dict) -> dict:
    """A user, team, tag or queue; displayName defaults to the name."""
    attributes = {"name": record.get("name"), "display_name": record.get("displayName") or record.get("name"),
                  "deleted": False}
    for key, name in (("createdAt", "created_at"), ("updatedAt", "updated_at")):
        if record.get(key):
            attributes[name] = record[key]
    if kind == "user":
        attributes.update(email=record.get("email"), user_type=record.get("userType", "user"),
                          avatar_url=record.get("avatarUrl"), mobile=record.get("mobile"),
                          roles=record.get("roles") or [])
    if kind == "tag":
        attributes["color"] = record.get("color")
    if kind == "queue":
        attributes["system"] = bool(record.get("system"))
    if kind == "shortcut":
        attributes["text"] = record.get("text", "")
    relationships = None
    if kind == "team":
        attributes.update(members=list(record.get("members", [])), icon=record.get("icon"))
        relationships = {"members": {"data": [{"type": "user", "id": m} for m in record.get("members", [])]}}
    return resource(kind, record["id"], attributes, relationships, f"{path}/{record['id']}")

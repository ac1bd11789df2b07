"""REST v1 (/v1) messages and notes: recorded on conversations, read back, updated, looked up."""
from __future__ import annotations

from flask import Blueprint, request

from ..caller import current_caller
from ..domain import notes, rest_messages
from ..domain.errors import MissingField
from ..domain.rest_messages import honour_stamps
from ..schemas import rest_v1 as s
from ..schemas import rest_v1_resources as r
from ..schemas.common import shared
from ..schemas.jsonapi import ListQuery
from .context import JSON_PATCH, json_body
from .docs import operation
from .server_context import document, guard, listing, server_org

bp = Blueprint("rest_v1_messages", __name__, url_prefix="/v1")
guard(bp, rate_limited=True)
KEY = "key"


def _load(schema, *also: str) -> tuple:
    """The caller's org and the checked body, without the stamps only org.admin may set."""
    fields = shared(schema).load(json_body(*also))
    org = server_org()
    return org, honour_stamps(fields, current_caller().roles)


def _one(org, record):
    return document(r.MessageDocument, r.message_of(org, record))


def _page(org, records: list, default_sort: str = "desc"):
    paging = shared(ListQuery).load({"sort": default_sort, **request.args.to_dict()})
    ordered = records if paging["sort"] == default_sort else list(reversed(records))
    return listing(r.MessageList, ordered, paging, lambda m: r.message_of(org, m))


# -- messages ------------------------------------------------------------------------------------

@bp.post("/conversations/<conversation_id>/messages", endpoint="createMessageV1")
@operation(body=s.MessageBody, response=r.MessageDocument, status=201, auth=KEY)
def create_message(conversation_id):
    """Record a message on a conversation (120 per customer per minute; importedAt is exempt)."""
    org, fields = _load(s.MessageBody)
    return _one(org, rest_messages.create_message(org, conversation_id, fields)), 201


@bp.get("/conversations/<conversation_id>/messages", endpoint="getMessagesV1")
@operation(query=ListQuery, response=r.MessageList, auth=KEY)
def get_messages(conversation_id):
    """A conversation's messages, oldest first (sort=desc for newest first)."""
    org = server_org()
    _, found = rest_messages.messages(org, conversation_id, "asc")
    return _page(org, found, "asc")


@bp.post("/customers/<customer_id>/messages", endpoint="createCustomerMessageV1")
@operation(body=s.CustomerMessageBody, response=r.MessageDocument, status=201, auth=KEY)
def create_customer_message(customer_id):
    """Record a message for a customer: into `conversation`, or a new conversation when none is given."""
    org, fields = _load(s.CustomerMessageBody)
    return _one(org, rest_messages.create_customer_message(org, customer_id, fields)), 201


@bp.get("/customers/<customer_id>/messages", endpoint="getCustomerMessagesV1")
@operation(query=ListQuery, response=r.MessageList, auth=KEY)
def get_customer_messages(customer_id):
    """One customer's messages across conversations, newest first."""
    org = server_org()
    return _page(org, rest_messages.customer_messages(org, customer_id))


@bp.post("/messages", endpoint="createOrgMessageV1")
@operation(body=s.OrgMessageBody, response=r.MessageDocument, status=201, auth=KEY)
def create_org_message():
    """Record a message in the conversation the body names (direction is required here)."""
    org, fields = _load(s.OrgMessageBody)
    return _one(org, rest_messages.create_org_message(org, fields)), 201


@bp.get("/messages", endpoint="getMessagesOfOrgV1")
@operation(query=ListQuery, response=r.MessageList, auth=KEY)
def get_org_messages():
    """Every message of the org, newest first (sort=asc for oldest first)."""
    org = server_org()
    return _page(org, rest_messages.all_messages(org))


@bp.get("/messages/externalid=<path:external_id>", endpoint="getMessageByExternalIdV1")
@operation(response=r.MessageDocument, auth=KEY)
def get_message_by_external_id(external_id):
    """The message with this externalId (Kustomer spells the path externalid=), or 404."""
    org = server_org()
    return _one(org, rest_messages.by_external_id(org, external_id))


# the customer and conversation lookups spell it externalId=; clients guess that spelling here too
bp.add_url_rule("/messages/externalId=<path:external_id>", "getMessageByExternalIdCamelV1",
                get_message_by_external_id)


@bp.get("/messages/<message_id>", endpoint="getMessageV1")
@operation(response=r.MessageDocument, auth=KEY)
def get_message(message_id):
    """A message by id."""
    org = server_org()
    return _one(org, rest_messages.message(org, message_id))


@bp.put("/messages/<message_id>", endpoint="putMessageV1")
@bp.patch("/messages/<message_id>", endpoint="updateMessageV1")
@operation(body=s.MessagePatch, response=r.MessageDocument, auth=KEY)
def update_message(message_id):
    """Change the fields sent; custom attributes merge."""
    org, changes = _load(s.MessagePatch, JSON_PATCH)
    return _one(org, rest_messages.update_message(org, message_id, changes))


@bp.get("/conversations/<conversation_id>/attachments", endpoint="getConversationAttachments")
@operation(query=ListQuery, response=r.AttachmentList, auth=KEY)
def get_conversation_attachments(conversation_id):
    """The attachments of a conversation's messages, oldest first."""
    paging = shared(ListQuery).load({"sort": "asc", **request.args.to_dict()})
    _, found = rest_messages.messages(server_org(), conversation_id, paging["sort"])
    items = [(message, index, item) for message in found for index, item in enumerate(message.attachments)]
    return listing(r.AttachmentList, items, paging, lambda entry: r.attachment(*entry))


# -- notes ---------------------------------------------------------------------------------------

def _note(record):
    return document(r.NoteDocument, r.note(record))


@bp.post("/conversations/<conversation_id>/notes", endpoint="createConversationNote")
@operation(body=s.NoteBody, response=r.NoteDocument, status=201, auth=KEY)
def create_conversation_note(conversation_id):
    """Write an internal note on a conversation (120 per customer per minute)."""
    org, fields = _load(s.NoteBody)
    return _note(notes.create_note(org, conversation_id, fields)), 201


@bp.get("/conversations/<conversation_id>/notes", endpoint="getConversationNotes")
@operation(query=ListQuery, response=r.NoteList, auth=KEY)
def get_conversation_notes(conversation_id):
    """A conversation's notes, newest first."""
    paging = shared(ListQuery).load(request.args)
    return listing(r.NoteList, notes.notes(server_org(), conversation_id, paging["sort"]), paging, r.note)


@bp.post("/notes", endpoint="createNote")
@operation(body=s.NoteBody, response=r.NoteDocument, status=201, auth=KEY)
def create_note():
    """Write a note on the conversation the body names."""
    org, fields = _load(s.NoteBody)
    if not fields.get("conversation"):
        raise MissingField("a note names its conversation", pointer="/conversation")
    return _note(notes.create_note(org, fields["conversation"], fields)), 201


@bp.get("/notes", endpoint="getNotes")
@operation(query=ListQuery, response=r.NoteList, auth=KEY)
def get_notes():
    """Every note of the org, newest first."""
    paging = shared(ListQuery).load(request.args)
    return listing(r.NoteList, notes.notes(server_org(), sort=paging["sort"]), paging, r.note)


@bp.get("/notes/<note_id>", endpoint="getNote")
@operation(response=r.NoteDocument, auth=KEY)
def get_note(note_id):
    """A note by id."""
    return _note(notes.note(server_org(), note_id))


@bp.put("/notes/<note_id>", endpoint="putNote")
@bp.patch("/notes/<note_id>", endpoint="updateNote")
@operation(body=s.NotePatch, response=r.NoteDocument, auth=KEY)
def update_note(note_id):
    """Change the fields sent; deleted: true removes the note."""
    org, changes = _load(s.NotePatch, JSON_PATCH)
    return _note(notes.update_note(org, note_id, changes))


@bp.delete("/notes/<note_id>", endpoint="deleteNote")
@operation(status=204, auth=KEY)
def delete_note(note_id):
    """Delete a note."""
    notes.delete_note(server_org(), note_id)
    return "", 204

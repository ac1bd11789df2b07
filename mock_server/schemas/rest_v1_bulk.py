"""Bulk bodies (arrays of up to 100 items) and the bulk job resource."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.bulk import MAX_ITEMS
from .common import Id, Query
from .jsonapi import documents
from . import rest_v1 as messages
from . import rest_v1_customers as customers
from . import rest_v1_kobjects as kobjects


def _with(base: type[Schema], name: str, **declared) -> type[Schema]:
    """`base` with more fields (an id to update, a conversation to write into)."""
    return type(name, (base,), declared)


# item schemas by (resource, method)
ITEMS = {
    ("customers", "POST"): customers.CustomerBody,
    ("customers", "PUT"): _with(customers.CustomerBody, "BulkCustomerUpdate", id=Id(required=True)),
    ("conversations", "POST"): messages.ConversationBody,
    ("conversations", "PUT"): _with(messages.ConversationPatch, "BulkConversationUpdate", id=Id(required=True)),
    ("messages", "POST"): _with(messages.MessageBody, "BulkMessage", conversation=Id(required=True)),
    ("messages", "PUT"): _with(messages.MessagePatch, "BulkMessageUpdate", id=Id(required=True)),
    ("notes", "POST"): _with(messages.NoteBody, "BulkNote", conversation=Id(required=True)),
    ("notes", "PUT"): _with(messages.NotePatch, "BulkNoteUpdate", id=Id(required=True)),
    ("kobjects", "POST"): kobjects.KObjectBody,
    ("kobjects", "PUT"): _with(kobjects.KObjectPatch, "BulkKObjectUpdate", id=Id(required=True)),
}


def items_document(schema: type[Schema]) -> dict:
    """The OpenAPI body of a bulk route: an array of up to 100 items of `schema`."""
    return {"type": "array", "maxItems": MAX_ITEMS, "items": schema}


class BulkIds(Query):
    """?ids=a,b: the records a bulk update or delete names."""

    ids = fields.String(validate=validate.Regexp(r"^[0-9a-f]{24}(,[0-9a-f]{24}){0,99}$",
                                                 error="up to 100 comma-separated ids"))


class BulkAttributes(Schema):
    """A bulk job: done at once by the mock, so complete, with what it did and what failed."""

    ids = fields.List(fields.String())
    context = fields.String()
    status = fields.String()
    completed = fields.Boolean()
    v2 = fields.Boolean()
    errors = fields.List(fields.Dict(), metadata={"description": "items that failed: index and error"})
    payload = fields.Dict()
    created_at = fields.String(data_key="createdAt", attribute="createdAt")
    updated_at = fields.String(data_key="updatedAt", attribute="updatedAt")


BulkDocument, _ = documents("Bulk", BulkAttributes)

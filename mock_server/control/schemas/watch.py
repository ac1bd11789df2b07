"""Schemas of the control API's org-wide views: keys seen, every conversation, one thread, the event stream."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...schemas import chat_client as cc
from ...schemas.common import Query


PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000   # the default page and the largest one a caller may ask for


class PageQuery(Query):
    """?page=N&pageSize=M: one page of a list that can grow (the first 100 without them)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1), metadata={"description": "from 1"})
    page_size = fields.Integer(data_key="pageSize", load_default=PAGE_SIZE,
                               validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
                               metadata={"description": f"items per page: {PAGE_SIZE} by default, {MAX_PAGE_SIZE} at most"})


NEXT = {"description": "the path and query of the next page; absent on the last page"}


class OrgKey(Schema):
    """A key seen since the last full reset, and the org it opens."""

    key = fields.String()
    name = fields.String(metadata={"description": "the org's name (the key itself for an org of its own)"})
    roles = fields.List(fields.String())
    server_key = fields.String(data_key="serverKey", allow_none=True,
                               metadata={"description": "a key of this org that /v1 and /v2.1 accept"})
    built = fields.Boolean(metadata={"description": "false after a reset of this org until its next call"})
    conversations = fields.Integer(allow_none=True)


class OrgKeyList(Schema):
    """{"orgs": [...], "total": N, "next": path}: a page of the keys, in the order they were first seen."""

    orgs = fields.List(fields.Nested(OrgKey))
    total = fields.Integer(metadata={"description": "every key seen, across pages"})
    next = fields.String(metadata=NEXT)


class WatchedCustomer(cc.CustomerIdentity):
    """The customer of a conversation, as far as a watcher needs it."""


class WatchedConversation(cc.Conversation):
    """A conversation as the chat API gives it, plus its customer, unread count and assistant name."""

    customer_id = fields.String(data_key="customerId")
    customer = fields.Nested(WatchedCustomer, allow_none=True)
    unread = fields.Integer(metadata={"description": "messages to the customer they have not read"})
    assistant_name = fields.String(data_key="assistantName", allow_none=True)
    satisfaction = fields.Float(allow_none=True, metadata={"description": "REST's CSAT number, -1..1, once rated"})
    satisfaction_level = fields.Dict(data_key="satisfactionLevel", allow_none=True,
                                     metadata={"description": "REST's satisfactionLevel: status, rating, ..."})


class WatchedConversationList(Schema):
    """{"conversations": [...], "total": N, "next": path}: a page, the most recently active first."""

    conversations = fields.List(fields.Nested(WatchedConversation))
    total = fields.Integer(metadata={"description": "every conversation of the org, across pages"})
    next = fields.String(metadata=NEXT)


class WatchedThread(Schema):
    """One conversation and every message, oldest first (templates under meta.template)."""

    conversation = fields.Nested(WatchedConversation)
    messages = fields.List(fields.Nested(cc.Message))


class OrgEventQuery(Query):
    """The org stream's query: where to resume when no Last-Event-ID header is sent."""

    last_event_id = fields.String(data_key="lastEventId")

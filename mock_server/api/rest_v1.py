"""Kustomer REST v1 (/v1): customers, conversations and messages in the JSON:API envelope.

Endpoint names are Kustomer's operation names; those the customer chat API already uses for its
SDK methods (getConversations, getMessages, ...) carry a V1 suffix here.
"""
from __future__ import annotations

from flask import Blueprint, request

from ..domain import rest, rest_messages
from ..schemas import rest_v1 as s
from ..schemas import rest_v1_resources as r
from ..schemas.common import shared
from ..schemas.jsonapi import ListQuery
from .context import json_body
from .docs import operation
from .server_context import document, guard, listing, server_org

bp = Blueprint("rest_v1", __name__, url_prefix="/v1")
guard(bp, rate_limited=True)
KEY = "key"


def _customer(org, record) -> dict:
    return r.customer(record, rest.conversation_counts(org, record.id))


# -- customers -----------------------------------------------------------------------------------

@bp.post("/customers", endpoint="createCustomer")
@operation(body=s.CustomerBody, response=r.CustomerDocument, status=201, auth=KEY)
def create_customer():
    """Create a customer; custom attributes are checked against the Customer Klass."""
    fields = shared(s.CustomerBody).load(json_body())
    org = server_org()
    return document(r.CustomerDocument, _customer(org, rest.create_customer(org, fields))), 201


@bp.get("/customers", endpoint="getCustomers")
@operation(query=ListQuery, response=r.CustomerList, auth=KEY)
def get_customers():
    """Every customer of the org, newest first, a page at a time."""
    paging = shared(ListQuery).load(request.args)
    org = server_org()
    return listing(r.CustomerList, rest.customers(org, paging["sort"]), paging, lambda c: _customer(org, c))


@bp.get("/customers/<customer_id>", endpoint="getCustomer")
@operation(response=r.CustomerDocument, auth=KEY)
def get_customer(customer_id):
    """A customer by id."""
    org = server_org()
    return document(r.CustomerDocument, _customer(org, org.customer(customer_id)))


@bp.put("/customers/<customer_id>", endpoint="updateCustomer")
@operation(body=s.CustomerBody, response=r.CustomerDocument, auth=KEY)
def update_customer(customer_id):
    """Replace the fields sent; custom attributes merge, null clears one."""
    fields = shared(s.CustomerBody).load(json_body())
    org = server_org()
    return document(r.CustomerDocument, _customer(org, rest.update_customer(org, customer_id, fields)))


# -- conversations -------------------------------------------------------------------------------

@bp.post("/conversations", endpoint="createConversationV1")
@operation(body=s.ConversationBody, response=r.ConversationDocument, status=201, auth=KEY)
def create_conversation():
    """Create a conversation for the customer named in the body (120 per customer per minute)."""
    fields = shared(s.ConversationBody).load(json_body())
    conversation = rest.create_conversation(server_org(), fields["customer"], fields)
    return document(r.ConversationDocument, r.conversation(conversation)), 201


@bp.post("/customers/<customer_id>/conversations", endpoint="createCustomerConversationV1")
@operation(body=s.CustomerConversationBody, response=r.ConversationDocument, status=201, auth=KEY)
def create_customer_conversation(customer_id):
    """Create a conversation for the customer in the path."""
    fields = shared(s.CustomerConversationBody).load(json_body())
    org = server_org()
    org.customer(customer_id)
    conversation = rest.create_conversation(org, customer_id, fields)
    return document(r.ConversationDocument, r.conversation(conversation)), 201


@bp.get("/customers/<customer_id>/conversations", endpoint="getCustomerConversationsV1")
@operation(query=ListQuery, response=r.ConversationList, auth=KEY)
def get_customer_conversations(customer_id):
    """One customer's conversations, newest first."""
    paging = shared(ListQuery).load(request.args)
    org = server_org()
    org.customer(customer_id)
    return listing(r.ConversationList, rest.conversations(org, paging["sort"], customer_id), paging,
                   r.conversation)


@bp.get("/conversations", endpoint="getConversationsV1")
@operation(query=ListQuery, response=r.ConversationList, auth=KEY)
def get_conversations():
    """Every conversation of the org, newest first; follow links.next until it is null."""
    paging = shared(ListQuery).load(request.args)
    return listing(r.ConversationList, rest.conversations(server_org(), paging["sort"]), paging, r.conversation)


@bp.get("/conversations/<conversation_id>", endpoint="getConversationV1")
@operation(response=r.ConversationDocument, auth=KEY)
def get_conversation(conversation_id):
    """A conversation by id."""
    return document(r.ConversationDocument, r.conversation(server_org().conversation(conversation_id)))


@bp.patch("/conversations/<conversation_id>", endpoint="updateConversationV1")
@operation(body=s.ConversationPatch, response=r.ConversationDocument, auth=KEY)
def update_conversation(conversation_id):
    """Change status (open, snoozed, done), name, priority, assignment, custom attributes, ended."""
    changes = shared(s.ConversationPatch).load(json_body())
    conversation = rest.update_conversation(server_org(), conversation_id, changes)
    return document(r.ConversationDocument, r.conversation(conversation))


# -- messages ------------------------------------------------------------------------------------

@bp.post("/conversations/<conversation_id>/messages", endpoint="createMessageV1")
@operation(body=s.MessageBody, response=r.MessageDocument, status=201, auth=KEY)
def create_message(conversation_id):
    """Record a message on a conversation (120 per customer per minute; importedAt is exempt)."""
    fields = shared(s.MessageBody).load(json_body())
    message = rest_messages.create_message(server_org(), conversation_id, fields)
    return document(r.MessageDocument, r.message(message)), 201


@bp.get("/conversations/<conversation_id>/messages", endpoint="getMessagesV1")
@operation(query=ListQuery, response=r.MessageList, auth=KEY)
def get_messages(conversation_id):
    """A conversation's messages, oldest first (sort=desc for newest first)."""
    paging = shared(ListQuery).load({"sort": "asc", **request.args.to_dict()})
    _, messages = rest_messages.messages(server_org(), conversation_id, paging["sort"])
    return listing(r.MessageList, messages, paging, r.message)


@bp.post("/customers/<customer_id>/messages", endpoint="createCustomerMessageV1")
@operation(body=s.CustomerMessageBody, response=r.MessageDocument, status=201, auth=KEY)
def create_customer_message(customer_id):
    """Record a message for a customer: into `conversation`, or a new conversation when none is given."""
    fields = shared(s.CustomerMessageBody).load(json_body())
    message = rest_messages.create_customer_message(server_org(), customer_id, fields)
    return document(r.MessageDocument, r.message(message)), 201

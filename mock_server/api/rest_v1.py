"""Kustomer REST v1 (/v1): customers, conversations and messages in the JSON:API envelope.

Endpoint names are Kustomer's operation names; those the customer chat API already uses for its
SDK methods (getConversations, getMessages, ...) carry a V1 suffix here.
"""
from __future__ import annotations

from flask import Blueprint, request

from ..domain import customers, rest
from ..schemas import rest_v1 as s
from ..schemas import rest_v1_customers as sc
from ..schemas import rest_v1_resources as r
from ..schemas.common import shared
from ..schemas.jsonapi import ListQuery
from .context import JSON_PATCH, json_array, json_body
from .docs import operation
from .server_context import document, guard, listing, server_org

bp = Blueprint("rest_v1", __name__, url_prefix="/v1")
guard(bp, rate_limited=True)
KEY = "key"


def _customer(org, record) -> dict:
    return r.customer(record, rest.conversation_counts(org, record.id))


# -- customers -----------------------------------------------------------------------------------

@bp.post("/customers", endpoint="createCustomer")
@operation(body=sc.CustomerBody, response=r.CustomerDocument, status=201, auth=KEY)
def create_customer():
    """Create a customer: every documented field; 409 naming the holder of a taken email or externalId."""
    fields = shared(sc.CustomerBody).load(json_body())
    org = server_org()
    return document(r.CustomerDocument, _customer(org, customers.create_customer(org, fields))), 201


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


def _lookup(field: str, value: str):
    org = server_org()
    return document(r.CustomerDocument, _customer(org, customers.find_by(org, field, value)))


@bp.get("/customers/email=<path:email>", endpoint="getCustomerByEmail")
@operation(response=r.CustomerDocument, auth=KEY)
def get_customer_by_email(email):
    """The customer whose emails hold this address (case-insensitive), or 404."""
    return _lookup("email", email)


@bp.get("/customers/externalId=<path:external_id>", endpoint="getCustomerByExternalId")
@operation(response=r.CustomerDocument, auth=KEY)
def get_customer_by_external_id(external_id):
    """The customer with this externalId, or 404."""
    return _lookup("externalId", external_id)


@bp.get("/customers/phone=<path:phone>", endpoint="getCustomerByPhone")
@operation(response=r.CustomerDocument, auth=KEY)
def get_customer_by_phone(phone):
    """The customer whose phones hold this number (digits compared), or 404."""
    return _lookup("phone", phone)


@bp.put("/customers/<customer_id>", endpoint="updateCustomer")
@operation(body=sc.CustomerBody, query=sc.UpdateQuery, response=r.CustomerDocument, auth=KEY)
def update_customer(customer_id):
    """Update the fields sent (?replace=true replaces the whole customer); a PUT without company unlinks it."""
    replace = shared(sc.UpdateQuery).load(request.args)["replace"]
    fields = shared(sc.CustomerBody).load(json_body())
    org = server_org()
    updated = customers.update_customer(org, customer_id, fields, replace=replace, unlink_company=True)
    return document(r.CustomerDocument, _customer(org, updated))


@bp.patch("/customers/<customer_id>", endpoint="patchCustomer")
@operation(body=sc.CustomerBody, response=r.CustomerDocument, auth=KEY)
def patch_customer(customer_id):
    """Update the fields sent: lists replace wholesale, custom attributes merge, null clears one."""
    fields = shared(sc.CustomerBody).load(json_body())
    org = server_org()
    return document(r.CustomerDocument, _customer(org, customers.update_customer(org, customer_id, fields)))


@bp.delete("/customers/<customer_id>", endpoint="deleteCustomer")
@operation(status=204, auth=KEY)
def delete_customer(customer_id):
    """Erase a customer with their conversations, messages, notes, KObjects and chat sessions."""
    customers.delete_customer(server_org(), customer_id)
    return "", 204


@bp.post("/customers/merges", endpoint="createCustomerMerge")
@operation(body=sc.MergeBody, response=r.MergeDocument, status=201, auth=KEY)
def create_customer_merge():
    """Merge the source customer into the target (done at once: status success)."""
    fields = shared(sc.MergeBody).load(json_body())
    merge = customers.merge_customers(server_org(), fields["source"], fields["target"])
    return document(r.MergeDocument, r.merge(merge)), 201


@bp.get("/customers/<customer_id>/merges", endpoint="getCustomerMerges")
@operation(query=ListQuery, response=r.MergeList, auth=KEY)
def get_customer_merges(customer_id):
    """The merges a customer took part in (as the target that remains, or the source that went)."""
    paging = shared(ListQuery).load(request.args)
    found = [m for m in server_org().merges.values() if customer_id in (m["source"], m["target"])]
    return listing(r.MergeList, found, paging, r.merge)


@bp.get("/customers/merges/<merge_id>", endpoint="getCustomerMerge")
@operation(response=r.MergeDocument, auth=KEY)
def get_customer_merge(merge_id):
    """A customer merge by id."""
    return document(r.MergeDocument, r.merge(customers.merge(server_org(), merge_id)))


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


@bp.get("/conversations/externalId=<path:external_id>", endpoint="getConversationByExternalIdV1")
@operation(response=r.ConversationDocument, auth=KEY)
def get_conversation_by_external_id(external_id):
    """The conversation with this externalId, or 404."""
    conversation = rest.conversation_by_external_id(server_org(), external_id)
    return document(r.ConversationDocument, r.conversation(conversation))


@bp.patch("/conversations/<conversation_id>", endpoint="updateConversationV1")
@operation(body=s.ConversationPatch, response=r.ConversationDocument, auth=KEY)
def update_conversation(conversation_id):
    """Change the attributes sent (status, snooze, assignment, queue, tags, custom, ended, ...)."""
    changes = shared(s.ConversationPatch).load(json_body(JSON_PATCH))
    conversation = rest.update_conversation(server_org(), conversation_id, changes)
    return document(r.ConversationDocument, r.conversation(conversation))


@bp.put("/conversations/<conversation_id>", endpoint="putConversationV1")
@operation(body=s.ConversationPatch, query=sc.UpdateQuery, response=r.ConversationDocument, auth=KEY)
def put_conversation(conversation_id):
    """As PATCH; ?replace=true resets every attribute not sent."""
    replace = shared(sc.UpdateQuery).load(request.args)["replace"]
    changes = shared(s.ConversationPatch).load(json_body())
    conversation = rest.update_conversation(server_org(), conversation_id, changes, replace=replace)
    return document(r.ConversationDocument, r.conversation(conversation))


@bp.delete("/conversations/<conversation_id>", endpoint="deleteConversationV1")
@operation(status=204, auth=KEY)
def delete_conversation(conversation_id):
    """Delete a conversation with its messages and notes; a later GET answers 404."""
    rest.delete_conversation(server_org(), conversation_id)
    return "", 204


@bp.post("/conversations/<conversation_id>/tags", endpoint="addConversationTags")
@operation(body=s.TagList, response=r.ConversationDocument, auth=KEY)
def add_conversation_tags(conversation_id):
    """Add tags by name or id (a bare JSON array); unknown names create the tag."""
    tags = s.load_tag_list(json_array())
    return document(r.ConversationDocument, r.conversation(rest.change_tags(server_org(), conversation_id, tags, True)))


@bp.delete("/conversations/<conversation_id>/tags", endpoint="removeConversationTags")
@operation(body=s.TagList, response=r.ConversationDocument, auth=KEY)
def remove_conversation_tags(conversation_id):
    """Remove tags by name or id (a bare JSON array)."""
    tags = s.load_tag_list(json_array())
    return document(r.ConversationDocument, r.conversation(rest.change_tags(server_org(), conversation_id, tags,
                                                                              False)))

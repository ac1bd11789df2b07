"""Kustomer's server-side chat API (/v2.1/chat): a backend, a bot or a test plays customer or agent.

The chat session id is the conversation id: everything here is the same conversation that the
widget (/c/) and REST v1 (/v1) see.
"""
from __future__ import annotations

from flask import Blueprint, request

from ..domain import chat_server as chat
from ..schemas import chat_server as s
from ..schemas.common import shared
from ..schemas.jsonapi import ListQuery
from ..domain import attachments, satisfaction
from ..schemas import chat_client as sc
from .attachments import read_upload
from .context import json_body
from .docs import operation
from .server_context import document, guard, listing, server_org

bp = Blueprint("chat_server", __name__, url_prefix="/v2.1/chat")
guard(bp, rate_limited=False)
KEY = "key"


@bp.post("/sessions", endpoint="createChatSession")
@operation(body=s.CreateSession, response=s.SessionDocument, status=201, auth=KEY, errors=(404,))
def create_chat_session():
    """Open a chat session for a customer; with `assistant`, it greets and asks its first question."""
    fields = shared(s.CreateSession).load(json_body())
    return document(s.SessionDocument, s.session(chat.create_session(server_org(), fields))), 201


@bp.get("/sessions", endpoint="listChatSessions")
@operation(query=s.SessionsQuery, response=s.SessionList, auth=KEY)
def list_chat_sessions():
    """A customer's (or tracking id's) sessions, latest message first; active and brandId filter."""
    query = shared(s.SessionsQuery).load(request.args)
    found = chat.sessions(server_org(), query.get("customer_id"), query.get("tracking_id"), query.get("active"),
                          query.get("brand_id"))
    return listing(s.SessionList, found, query, s.session)


@bp.get("/sessions/<session_id>/messages", endpoint="listChatSessionMessages")
@operation(query=ListQuery, response=s.ChatMessageList, auth=KEY)
def list_chat_session_messages(session_id):
    """A session's messages, oldest first."""
    paging = shared(ListQuery).load({"sort": "asc", **request.args.to_dict()})
    org = server_org()
    messages = chat.session_messages(org, session_id, paging["sort"])
    return listing(s.ChatMessageList, messages, paging, s.message)


@bp.post("/messages", endpoint="createChatMessage")
@operation(body=s.InboundMessage, response=s.ChatMessageDocument, status=201, auth=KEY, errors=(404, 409))
def create_chat_message():
    """Post a message as the customer on one of their open sessions."""
    fields = shared(s.InboundMessage).load(json_body())
    return document(s.ChatMessageDocument, s.message(chat.customer_message(server_org(), fields))), 201


@bp.post("/outbound/messages", endpoint="createOutboundMessage")
@operation(body=s.OutboundMessage, response=s.ChatMessageDocument, status=201, auth=KEY, errors=(404, 409))
def create_outbound_message():
    """Post a message as an agent: delivered live to the widget, unread until the customer reads it."""
    fields = shared(s.OutboundMessage).load(json_body())
    return document(s.ChatMessageDocument, s.message(chat.agent_message(server_org(), fields))), 201


@bp.post("/outbound/typing", endpoint="sendAgentTyping")
@operation(body=s.Typing, response=s.TypingDocument, auth=KEY, errors=(404, 409))
def send_agent_typing():
    """Show (typing: true) or hide (false) the agent's typing indicator in the customer's chat."""
    fields = shared(s.Typing).load(json_body())
    signal = chat.typing(server_org(), fields)
    return document(s.TypingDocument, {"type": "chat_typing", "id": signal["conversationId"], "attributes": signal})


@bp.post("/handoff", endpoint="createHandoff")
@operation(body=s.Handoff, response=s.SessionDocument, status=201, auth=KEY, errors=(404,))
def create_handoff():
    """Import a bot's conversation as a session with its history; active: false creates it closed."""
    fields = shared(s.Handoff).load(json_body())
    return document(s.SessionDocument, s.session(chat.handoff(server_org(), fields))), 201


@bp.post("/attachments", endpoint="uploadAgentAttachment")
@operation(form=sc.UploadForm, body=sc.JsonUpload, response=sc.UploadedAttachment, status=201, auth=KEY)
def upload_agent_attachment():
    """An agent's file for /v2.1/chat/outbound/messages' attachments: [{id}] (the same limits as customers')."""
    name, content_type, data = read_upload()
    described = attachments.upload(server_org(), attachments.AGENTS, name, content_type, data, request.host_url)
    return shared(sc.UploadedAttachment).dump(described), 201


@bp.put("/satisfaction-responses/<satisfaction_id>", endpoint="updateSatisfactionResponse")
@operation(body=sc.SubmitSatisfaction, response=sc.Satisfaction, auth=KEY, errors=(409,))
def update_satisfaction_response(satisfaction_id):
    """A survey's response recorded by a backend (a form on another channel): as submitSatisfactionForm."""
    options = shared(sc.SubmitSatisfaction).load(json_body())
    answered = satisfaction.submit(server_org(), None, satisfaction_id, options.get("rating"), options["answers"],
                                   options["submitted_at"])
    return shared(sc.Satisfaction).dump(answered)

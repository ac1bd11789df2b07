"""The customer chat API (/c/): one route per Web SDK method, endpoint = SDK method name."""
from __future__ import annotations

import time

from flask import Blueprint, request

from ..domain import assistant as assistants
from ..domain import chat, satisfaction
from ..schemas import assistant as sa
from ..schemas import chat_client as s
from ..schemas.common import EmptyBody, shared
from .context import chat_session, current_org, json_body, tracking_token
from .docs import operation

bp = Blueprint("chat_client", __name__, url_prefix="/c")
CHAT = "chat"  # auth scheme name in the OpenAPI document


@bp.post("/v1/tracking/tokens", endpoint="start")
@operation(body=s.StartOptions, response=s.StartResponse, auth="key", errors=(404,))
def start():
    """Kustomer.start(): a tracking token for a new or returning customer."""
    options = shared(s.StartOptions).load(json_body())
    org = current_org()
    delay = org.settings.get("startDelayMs") or 0
    if delay:
        time.sleep(min(float(delay), 60_000) / 1000)  # lets front-ends see what a slow start does
    token, customer = chat.start(org, tracking_token(), **{k: options.get(k) for k in ("brand_id", "assistant_id", "lang")})
    info = org.tokens[token]
    brand_id = info.get("brandId")
    return shared(s.StartResponse).dump({
        "tracking_token": token, "customer_id": customer.id, "brand_id": info.get("brandId") or org.default_brand_id,
        "assistant_id": info.get("assistantId")
        or assistants.default_id(org, info.get("brandId") or org.default_brand_id),
        "availability": org.availability(brand_id), "settings": chat.chat_settings(org, brand_id),
        "last_event_id": org.events.last_id})


@bp.get("/v1/chat/settings", endpoint="getChatSettings")
@operation(response=s.ChatSettings, auth=CHAT)
def get_chat_settings():
    """KustomerCore.getChatSettings()."""
    session = chat_session()
    return chat.chat_settings(session.org, session.info.get("brandId"))


@bp.get("/v1/chat/availability", endpoint="isChatAvailable")
@operation(response=s.Availability, auth=CHAT)
def is_chat_available():
    """Kustomer.isChatAvailable(): {availability}."""
    session = chat_session()   # the brand the session started with: each brand keeps its own hours
    return shared(s.Availability).dump({"availability": session.org.availability(session.info.get("brandId"))})


@bp.post("/v1/chat/sessions", endpoint="createConversation")
@operation(body=s.CreateConversation, response=s.CallbackResponse, status=201, auth=CHAT,
           responses={200: s.NotCreated}, errors=(404,))
def create_conversation():
    """Kustomer.createConversation(options): creates only when a message (or a Core title) is given."""
    options = shared(s.CreateConversation).load(json_body())
    session = chat_session()
    conversation = session.create_conversation(
        message=options.get("message"), assistant_id=options.get("assistant_id") or options.get("assistant"),
        custom_attributes=options["custom_attributes"], title=options.get("title"),
        brand_id=options.get("brand_id") or options.get("brand"), lang=options.get("lang"),
        proactive_id=options.get("proactive_id"))
    if conversation is None:
        return shared(s.NotCreated).dump({
            "created": False, "conversation_id": None, "created_at": None, "ended": False,
            "is_in_assistant_mode": False,
            "detail": "No message: nothing is created until the customer sends the first message."}), 200
    return shared(s.CallbackResponse).dump(conversation), 201


@bp.get("/v1/chat/sessions", endpoint="getConversations")
@operation(query=s.PageQuery, response=s.ConversationList, auth=CHAT)
def get_conversations():
    """KustomerCore.getConversations({page, pageSize})."""
    paging = shared(s.PageQuery).load(request.args)
    return shared(s.ConversationList).dump(chat_session().conversations(paging["page"], paging["page_size"]))


@bp.get("/v1/chat/sessions/open", endpoint="getOpenConversations")
@operation(response=s.ConversationList, auth=CHAT)
def get_open_conversations():
    """Kustomer.getOpenConversations(): the conversations not ended."""
    return {"conversations": shared(s.Conversation, many=True).dump(chat_session().open_conversations())}


@bp.get("/v1/chat/sessions/<conversation_id>", endpoint="openConversationById")
@operation(response=s.Conversation, auth=CHAT)
def open_conversation_by_id(conversation_id):
    """Kustomer.openConversationById({conversationId}): 404 unless it is this customer's."""
    return shared(s.Conversation).dump(chat_session().open_conversation(conversation_id))


@bp.patch("/v1/chat/sessions/<conversation_id>", endpoint="describeConversation")
@operation(body=s.DescribeConversation, response=s.Conversation, auth=CHAT)
def describe_conversation(conversation_id):
    """Kustomer.describeConversation({conversationId, customAttributes})."""
    options = shared(s.DescribeConversation).load(json_body())
    return shared(s.Conversation).dump(chat_session().describe_conversation(conversation_id, options["custom_attributes"]))


@bp.post("/v1/chat/sessions/<conversation_id>/end", endpoint="endConversation")
@operation(body=EmptyBody, response=s.CallbackResponse, auth=CHAT, errors=(409,))
def end_conversation(conversation_id):
    """KustomerCore.endConversation({conversationId}): only when the org allows it."""
    shared(EmptyBody).load(json_body())
    conversation = chat_session().end_conversation(conversation_id)
    return shared(s.CallbackResponse, only=("conversation_id", "created_at", "ended")).dump(conversation)


@bp.get("/v1/chat/sessions/<conversation_id>/messages", endpoint="getMessages")
@operation(response=s.MessageList, auth=CHAT)
def get_messages(conversation_id):
    """KustomerCore.getMessages({conversationId}): the last 30 days."""
    session = chat_session()
    conversation, messages = session.messages(conversation_id)
    return shared(s.MessageList).dump({"conversation_id": conversation.id, "messages": messages,
                                 "satisfaction": satisfaction.payload(session.org, conversation),
                                 "pages": {"current": 1, "first": 1, "next": None, "previous": None, "last": 1}})


@bp.post("/v1/chat/sessions/<conversation_id>/messages", endpoint="sendMessage")
@operation(body=s.SendMessage, response=s.Message, status=201, auth=CHAT, errors=(409,))
def send_message(conversation_id):
    """KustomerCore.sendMessage({conversationId, body, payload, attachments})."""
    options = shared(s.SendMessage).load(json_body())
    message = chat_session().send_message(conversation_id, options.get("body"), options.get("payload"),
                                          options.get("attachments"))
    return shared(s.Message).dump(message), 201


@bp.put("/v1/chat/satisfaction-responses/<satisfaction_id>", endpoint="submitSatisfactionForm")
@operation(body=s.SubmitSatisfaction, response=s.Satisfaction, auth=CHAT, errors=(409,))
def submit_satisfaction_form(satisfaction_id):
    """KustomerCore.submitSatisfactionForm({satisfactionId, rating, answers, submittedAt})."""
    session = chat_session()   # the key and token first: a caller without them learns that, not the body's faults
    options = shared(s.SubmitSatisfaction).load(json_body())
    answered = satisfaction.submit(session.org, session.customer.id, satisfaction_id, options.get("rating"),
                                   options["answers"], options["submitted_at"])
    return shared(s.Satisfaction).dump(answered)


@bp.post("/v1/chat/sessions/<conversation_id>/read", endpoint="markRead")
@operation(body=s.MarkRead, response=s.MarkedRead, auth=CHAT)
def mark_read(conversation_id):
    """KustomerCore.markRead({conversationId, messageIds}): answers the ids marked and the new counts."""
    options = shared(s.MarkRead).load(json_body())
    session = chat_session()
    marked = session.mark_read(conversation_id, options["message_ids"])
    return shared(s.MarkedRead).dump({"conversation_id": conversation_id, "message_ids": marked, **session.unread()})


@bp.get("/v1/chat/unread", endpoint="getUnreadCount")
@operation(response=s.Unread, auth=CHAT)
def get_unread_count():
    """Kustomer.getUnreadCount(): {total, conversations}."""
    return shared(s.Unread).dump(chat_session().unread())


@bp.patch("/v1/customers/current", endpoint="describeCustomer")
@operation(body=s.DescribeCustomer, response=s.Customer, auth=CHAT)
def describe_customer():
    """Kustomer.describeCustomer({attributes, customAttributes}); emails/phones/socials still work."""
    options = shared(s.DescribeCustomer).load(json_body())
    attributes = options["attributes"]
    for old, new in (("emails", "shared_emails"), ("phones", "shared_phones"), ("socials", "shared_socials")):
        if old in attributes:
            attributes.setdefault(new, attributes.pop(old))
    return shared(s.Customer).dump(chat_session().describe_customer(attributes, options["custom_attributes"]))


@bp.post("/v1/chat/assistants/<assistant_id>/init", endpoint="initAssistant")
@operation(body=sa.InitAssistant, response=sa.InitAssistantResponse, auth=CHAT)
def init_assistant(assistant_id):
    """KustomerCore.initAssistant({assistant}): the opening dialog and messages; creates nothing."""
    options = shared(sa.InitAssistant).load(json_body())
    session = chat_session()
    assistant = assistants.find(session.org, assistant_id)
    payload = assistants.init_payload(session.org, assistant, options.get("lang") or session.info.get("lang"),
                                      tracking_id=session.customer.id)
    return shared(sa.InitAssistantResponse).dump(payload)

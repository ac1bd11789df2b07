"""Schemas of the customer chat API (/c/): what the fake SDKs send and receive."""
from __future__ import annotations

import base64
import binascii

from marshmallow import Schema, ValidationError, fields, validate

from ..domain.chat import MAX_MESSAGE_CHARS
from ..domain.satisfaction import MAX_ANSWER_CHARS
from .assistant import dump_state
from .bounds import LANG_CHARS, PAYLOAD_CHARS, Email, JsonObject, JsonSize, Text
from .common import Anything, Attachments, BoundedList, ChatAttachments, CustomAttributes, Id, Query, StrictBoolean
from .common import StrictFloat
from .jsonapi import MAX_PAGE, IsoTime

Message = lambda **kw: fields.String(validate=validate.Length(max=MAX_MESSAGE_CHARS), **kw)  # noqa: E731


class StartOptions(Schema):
    """Kustomer.start(options): the options the backend needs."""

    brand_id = Id(data_key="brandId", allow_none=True)
    assistant_id = Id(data_key="assistantId", allow_none=True)
    lang = Text(LANG_CHARS, allow_none=True)
    hide_chat_icon = StrictBoolean(data_key="hideChatIcon")


class CreateConversation(Schema):
    """createConversation: the widget's options and the Core ones (title, brand, assistant)."""

    message = Message(allow_none=True)
    assistant_id = Text(data_key="assistantId", allow_none=True)
    assistant = Text(allow_none=True)
    custom_attributes = CustomAttributes(data_key="customAttributes")
    title = Text(allow_none=True)
    brand = Text(allow_none=True)
    brand_id = Text(data_key="brandId", allow_none=True)
    lang = Text(LANG_CHARS, allow_none=True)
    proactive_id = Id(data_key="proactiveId", allow_none=True,
                      metadata={"description": "the proactive message this conversation answers (widget)"})


class SendMessage(Schema):
    """sendMessage: a body, a quick-reply or tree payload, attachments."""

    body = Message(allow_none=True)
    # any JSON here, so an assistant can say which type it wanted; only a string is ever stored
    payload = fields.Raw(allow_none=True, validate=JsonSize(PAYLOAD_CHARS))
    attachments = ChatAttachments(load_default=list)
    is_in_assistant_mode = StrictBoolean(data_key="isInAssistantMode")
    init_assistant_payload = JsonObject(data_key="initAssistantPayload", allow_none=True)
    last_deflection = JsonObject(data_key="lastDeflection", allow_none=True)
    lang = Text(LANG_CHARS, allow_none=True)


class UploadForm(Schema):
    """multipart/form-data with one part, `file`: an image, a video or a PDF of at most 5 MB."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class Base64(fields.String):
    """Bytes sent as a base64 string."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("the file's bytes as standard base64") from None


MAX_JSON_UPLOAD_CHARS = 1024 * 1024   # base64 text: a JSON body is at most 1 MiB anyway


# the name and the type go back out as headers when the file is read: no line break or NUL may come with them
_HEADER_SAFE = validate.Regexp(r"^[^\r\n\x00]*$", error="no line breaks or NUL characters: it is sent back in a header")


class JsonUpload(Schema):
    """An upload as JSON (within the 1 MB of any JSON body): the file's name, type and base64 bytes."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=256), _HEADER_SAFE])
    content_type = fields.String(data_key="contentType", required=True,
                                 validate=[validate.Length(max=255), _HEADER_SAFE])
    data = Base64(required=True, validate=validate.Length(max=MAX_JSON_UPLOAD_CHARS))


class UploadedAttachment(Schema):
    """An uploaded file: its id (for sendMessage's attachments), name, type, size and the URL it is served at."""

    id = fields.String(attribute="_id")
    name = fields.String()
    content_type = fields.String(data_key="contentType", attribute="contentType")
    content_length = fields.Integer(data_key="contentLength", attribute="contentLength")
    url = fields.String()


class SatisfactionAnswer(Schema):
    """One answer of submitSatisfactionForm's answers: the follow-up question's."""

    prompt = fields.String(allow_none=True, validate=validate.Length(max=MAX_ANSWER_CHARS))
    answer = fields.String(required=True, validate=validate.Length(max=MAX_ANSWER_CHARS))
    id = fields.String(allow_none=True, validate=validate.Length(max=64))


class SubmitSatisfaction(Schema):
    """KustomerCore.submitSatisfactionForm: the rating and/or the follow-up answer (the id is in the path)."""

    rating = StrictFloat(allow_none=True)
    answers = BoundedList(fields.Nested(SatisfactionAnswer), maximum=10, load_default=list)
    submitted_at = IsoTime(data_key="submittedAt", required=True)


class Satisfaction(Schema):
    """The SDK's satisfaction object: onSatisfactionReceived's payload, getMessages' satisfaction."""

    conversation_id = fields.String(data_key="conversationId", attribute="conversationId")
    satisfaction_id = fields.String(data_key="satisfactionId", attribute="satisfactionId")
    timetoken = fields.String()
    status = fields.String()
    form = fields.Dict()
    response = fields.Dict(allow_none=True)


class PageQuery(Query):
    """getConversations paging."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(data_key="pageSize", load_default=100, validate=validate.Range(min=1, max=100))


class MarkRead(Schema):
    """markRead: which messages (none = all)."""

    message_ids = BoundedList(Text(), data_key="messageIds", load_default=list)


class DescribeConversation(Schema):
    """describeConversation: Conversation Klass attributes."""

    custom_attributes = CustomAttributes(data_key="customAttributes", required=True)


class Social(Schema):
    """One social handle of describeCustomer."""

    username = Text(required=True)
    type = Text(64, required=True)


class CustomerAttributes(Schema):
    """describeCustomer's attributes, with the older names still found in real pages."""

    shared_emails = BoundedList(Email(), data_key="sharedEmails")
    shared_phones = BoundedList(Text(64), data_key="sharedPhones")
    shared_socials = BoundedList(fields.Nested(Social), data_key="sharedSocials")
    emails = BoundedList(Email())
    phones = BoundedList(Text(64))
    socials = BoundedList(fields.Nested(Social))


class DescribeCustomer(Schema):
    """describeCustomer: shared contact details and Customer Klass attributes."""

    attributes = fields.Nested(CustomerAttributes, load_default=dict)
    custom_attributes = CustomAttributes(data_key="customAttributes")


class KbSearch(Query):
    """searchArticles."""

    term = fields.String(required=True, validate=validate.Length(min=1))
    lang = fields.String()
    knowledge_base_id = fields.String(data_key="knowledgeBaseId")


class KbQuery(Query):
    """The knowledgeBaseId and lang every KB call may carry."""

    lang = fields.String()
    knowledge_base_id = fields.String(data_key="knowledgeBaseId")


# -- responses -------------------------------------------------------------------------------

class CallbackResponse(Schema):
    """{conversationId, createdAt, ended, isInAssistantMode}: createConversation and events."""

    conversation_id = fields.String(data_key="conversationId", attribute="id")
    created_at = fields.String(data_key="createdAt")
    ended = fields.Boolean()
    is_in_assistant_mode = fields.Boolean(data_key="isInAssistantMode", attribute="in_assistant_mode")


class NotCreated(Schema):
    """createConversation without a message (nor a Core title): 200, nothing created."""

    created = fields.Boolean()
    conversation_id = fields.String(data_key="conversationId", allow_none=True)
    created_at = fields.String(data_key="createdAt", allow_none=True)
    ended = fields.Boolean()
    is_in_assistant_mode = fields.Boolean(data_key="isInAssistantMode")
    detail = fields.String()


class Conversation(CallbackResponse):
    """A conversation as getConversations and openConversationById give it."""

    preview = fields.String()
    last_message_at = fields.String(data_key="lastMessageAt")
    ended_at = fields.String(data_key="endedAt", allow_none=True)
    title = fields.String()
    status = fields.String()
    brand_id = fields.String(data_key="brandId")
    assistant_id = fields.String(data_key="assistantId", allow_none=True)
    message_count = fields.Integer(data_key="messageCount")
    custom_attributes = fields.Dict(data_key="customAttributes", attribute="custom")
    assistant = fields.Function(dump_state, metadata={"description": "{id, questionId, status, ...} or null"})


class Message(Schema):
    """A message as getMessages and onMessageReceived give it (reference 5.1)."""

    message_id = fields.String(data_key="messageId", attribute="id")
    body = fields.String()
    created_at = fields.String(data_key="createdAt")
    direction = fields.String()
    conversation_id = fields.String(data_key="conversationId")
    attachments = fields.List(fields.Dict())
    meta = fields.Dict()
    sent_by = fields.Dict(data_key="sentBy")
    read = fields.Boolean()


class Pages(Schema):
    """{current, first, next, previous} page numbers."""

    current = fields.Integer()
    first = fields.Integer()
    next = fields.Integer(allow_none=True)
    previous = fields.Integer(allow_none=True)
    last = fields.Integer()


class ConversationList(Schema):
    """getConversations."""

    conversations = fields.List(fields.Nested(Conversation))
    pages = fields.Nested(Pages)
    total = fields.Integer()


class MessageList(Schema):
    """getMessages."""

    conversation_id = fields.String(data_key="conversationId")
    messages = fields.List(fields.Nested(Message))
    satisfaction = fields.Dict(allow_none=True)
    pages = fields.Nested(Pages)


class Unread(Schema):
    """getUnreadCount: {total, conversations}."""

    total = fields.Integer()
    conversations = fields.Dict(keys=fields.String(), values=fields.Integer())


class MarkedRead(Unread):
    """markRead: the conversation, the ids marked, and the new counts."""

    conversation_id = fields.String(data_key="conversationId")
    message_ids = fields.List(fields.String(), data_key="messageIds")


class ChatSettings(Anything):
    """getChatSettings: the brand's chat settings, as reference §3 lists them."""


class KbCategories(Schema):
    """getCategories: {categories: {id: category}, rootCategory}."""

    categories = fields.Dict(keys=fields.String(), values=fields.Dict())
    root_category = fields.Raw(data_key="rootCategory", allow_none=True)


class KbEntry(Anything):
    """A knowledge base category (with its articles) or article, as the fixtures give it."""


class KbArticles(Schema):
    """getArticles and searchArticles: {articles}."""

    articles = fields.List(fields.Dict())


class CustomerIdentity(Schema):
    """Who a customer is: id, name, email, externalId, anonymous or not."""

    customer_id = fields.String(data_key="customerId", attribute="id")
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    external_id = fields.String(data_key="externalId", allow_none=True)
    anonymous = fields.Boolean()


class Customer(CustomerIdentity):
    """The customer as describeCustomer answers it."""

    shared_emails = fields.Function(lambda c: [e["email"] for e in c.shared_emails], data_key="sharedEmails")
    shared_phones = fields.Function(lambda c: [p["phone"] for p in c.shared_phones], data_key="sharedPhones")
    shared_socials = fields.List(fields.Dict(), data_key="sharedSocials")
    custom_attributes = fields.Dict(data_key="customAttributes", attribute="custom")


class Availability(Schema):
    """isChatAvailable: {availability}."""

    availability = fields.String()


class StartResponse(Schema):
    """start: the tracking token, the customer, the settings and availability."""

    tracking_token = fields.String(data_key="trackingToken")
    customer_id = fields.String(data_key="customerId")
    brand_id = fields.String(data_key="brandId", allow_none=True)
    assistant_id = fields.String(data_key="assistantId", allow_none=True)
    availability = fields.String()
    settings = fields.Dict()
    # the stream opened after start resumes here, so no event between start and connect is lost
    last_event_id = fields.Integer(data_key="lastEventId")

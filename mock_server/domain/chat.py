"""What a customer can do over the chat API: every backend call of the Web SDK."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import timedelta

from . import assistant as assistants
from . import attachments as files
from . import proactive
from .clock import parse_iso
from .klasses import merge_attributes
from .errors import (ChatUnavailable, ConversationEnded, EndingNotAllowed, InvalidField, MissingField, NotFound,
                     ValueTooLong)
from .lifecycle import conversation_event, end
from .models import Conversation, Customer, Message, contact

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

MAX_MESSAGE_CHARS = 10_000
HISTORY_DAYS = 30  # getMessages answers only the last 30 days, as Kustomer documents


def _check_enabled(org: Org) -> None:
    """Refuse a customer's write while chat is disabled (offline and hidden still take messages)."""
    if org.availability() == "disabled":
        raise ChatUnavailable("chat is disabled for this org: nothing was created")


def start(org: Org, token: str | None, brand_id: str | None = None, assistant_id: str | None = None,
          lang: str | None = None) -> tuple[str, Customer]:
    """Kustomer.start(): reuse a valid tracking token, else a new anonymous customer and token."""
    if brand_id and brand_id not in {b["id"] for b in org.brands}:
        raise NotFound(f"no brand {brand_id} in this org", pointer="/brandId")
    assistants.find(org, assistant_id)
    options = {"assistantId": assistant_id, "brandId": brand_id, "lang": lang}
    info = org.tokens.get(token or "")
    if info is not None:
        info.update({k: v for k, v in options.items() if v is not None})
        return token, org.customers[info["customerId"]]
    customer = org.new_customer()
    return org.issue_token(customer, **options), customer


class ChatSession:
    """The customer behind one tracking token, and the calls they can make."""

    def __init__(self, org, token: str):
        self.org = org
        self.info = org.token_info(token)
        self.customer: Customer = org.customers[self.info["customerId"]]

    def _conversation(self, conversation_id: str) -> Conversation:
        return self.org.conversation(conversation_id, self.customer.id)

    def _sender(self) -> dict:
        return {"type": "customer", "id": self.customer.id, "displayName": self.customer.name or "Customer"}

    def create_conversation(self, message: str | None = None, assistant_id: str | None = None,
                            custom_attributes: dict | None = None, title: str | None = None,
                            brand_id: str | None = None, lang: str | None = None,
                            proactive_id: str | None = None) -> Conversation | None:
        """createConversation: nothing is created without a message (or a Core title); may answer a proactive one."""
        org, attributes = self.org, custom_attributes or {}
        _check_enabled(org)
        if message is not None and not message.strip():
            # as sendMessage refuses an empty body: no conversation opens with a blank first message
            raise InvalidField("message must not be blank: send text, or leave message out to create nothing",
                               pointer="/message")
        org.klasses["conversation"].validate(attributes)
        _check_length(message)
        assistants.find(org, assistant_id)
        if brand_id and brand_id not in {b["id"] for b in org.brands}:
            raise NotFound(f"no brand {brand_id} in this org", pointer="/brand")
        brand_id = brand_id or self.info.get("brandId") or org.default_brand_id
        # a Core session made from a title alone gets only an assistant it names (README: assistants)
        assistant = assistants.choose(org, assistant_id or self.info.get("assistantId"), brand_id,
                                      defaults=message is not None)
        if message is None and title is None:
            return None
        opening = proactive.take(org, self.customer.id, proactive_id) if proactive_id else None
        conversation = org.new_conversation(
            self.customer, title=title or (message or "")[:80], lang=lang or self.info.get("lang"),
            brand_id=brand_id, custom=merge_attributes({}, attributes))
        if assistant:
            assistants.begin(org, conversation, assistant)
        org.events.emit("onConversationCreate", conversation_event(conversation), self.customer.id)
        if assistant:
            assistants.greet(org, conversation)
        if opening:
            proactive.deliver(org, conversation, opening)
        first = self._record(conversation, message) if message is not None else None
        if first is not None and conversation.in_assistant_mode:
            assistants.on_customer_message(org, conversation, first, None)
        return conversation

    def _record(self, conversation: Conversation, body: str, payload: str | None = None,
                attachments: list | None = None) -> Message:
        meta = {"payload": payload} if payload is not None else {}
        message = self.org.record_message(conversation, body=body, direction="in", sent_by=self._sender(),
                                          meta=meta, attachments=attachments)
        self.org.events.emit("onMessageSent", {"conversationId": conversation.id, "messageId": message.id},
                             self.customer.id)
        return message

    def send_message(self, conversation_id: str, body: str | None = None, payload: str | None = None,
                     attachments: list | None = None) -> Message:
        """sendMessage: a customer message; answers the assistant when it is asking."""
        conversation = self._conversation(conversation_id)
        _check_enabled(self.org)
        if conversation.ended:
            raise ConversationEnded(f"conversation {conversation_id} has ended", pointer="/conversationId")
        if not (body or "").strip() and payload is None and not attachments:
            raise MissingField("a message needs a body, a payload or attachments", pointer="/body")
        _check_length(body)
        assistants.check_reply(self.org, conversation, payload)  # an invalid option stores nothing
        if payload is not None and not isinstance(payload, str):
            raise InvalidField("payload is a quick-reply value or a tree node id: send it as a string",
                               pointer="/payload")
        attachments = files.resolve(self.org, self.customer.id, attachments)
        text = body if body is not None else "" if payload is None else str(payload)   # a file alone has no text
        message = self._record(conversation, text, payload, attachments)
        if conversation.in_assistant_mode:
            assistants.on_customer_message(self.org, conversation, message, payload)
        return message

    def conversations(self, page: int = 1, page_size: int = 100) -> dict:
        """getConversations: one page of this customer's conversations and the page numbers."""
        mine = self.org.conversations_of(self.customer.id)
        last_page = max(1, -(-len(mine) // page_size))
        start = (page - 1) * page_size
        return {"conversations": mine[start:start + page_size],
                # past the end, previous leads back to the last page (as REST v1's links.prev)
                "pages": {"current": page, "first": 1, "previous": min(page - 1, last_page) if page > 1 else None,
                          "next": page + 1 if page < last_page else None, "last": last_page},
                "total": len(mine)}

    def open_conversations(self) -> list[Conversation]:
        """getOpenConversations: the conversations not ended."""
        return [c for c in self.org.conversations_of(self.customer.id) if not c.ended]

    def open_conversation(self, conversation_id: str) -> Conversation:
        """openConversationById: the conversation if it exists and is this customer's."""
        return self._conversation(conversation_id)

    def messages(self, conversation_id: str) -> tuple[Conversation, list[Message]]:
        """getMessages: the messages of the last 30 days, oldest first."""
        conversation = self._conversation(conversation_id)
        cutoff = self.org.clock.now() - timedelta(days=HISTORY_DAYS)
        recent = [m for m in self.org.messages.get(conversation.id, []) if parse_iso(m.created_at) >= cutoff]
        return conversation, recent

    def mark_read(self, conversation_id: str, message_ids: list[str] | None = None) -> list[str]:
        """markRead: mark the given messages (default: all) read; answers the ids marked."""
        conversation = self._conversation(conversation_id)
        wanted = set(message_ids or [])
        marked = []
        with self.org.reading():
            unread = [m for m in self.org.messages.get(conversation.id, [])
                      if not m.read and (not wanted or m.id in wanted)]
        for message in unread:
            with self.org.change("message", message):
                message.read = True
            marked.append(message.id)
        if marked:
            self.org.events.emit("onUnread", self.unread_event(conversation.id, -len(marked)), self.customer.id)
        return marked

    def unread(self) -> dict:
        """getUnreadCount: {total, conversations}."""
        return self.org.unread_counts(self.customer.id)

    def unread_event(self, conversation_id: str, change: int) -> dict:
        """The onUnread payload after a change in one conversation."""
        counts = self.unread()
        return {**counts, "change": {"conversationId": conversation_id, "count": change}}

    def end_conversation(self, conversation_id: str) -> Conversation:
        """endConversation: only when the org allows chats to be ended."""
        conversation = self._conversation(conversation_id)
        if not self.org.settings.get("allowEndConversation", True):
            raise EndingNotAllowed()
        if conversation.ended:
            raise ConversationEnded(f"conversation {conversation_id} has already ended", pointer="/conversationId")
        end(self.org, conversation)
        return conversation

    def describe_conversation(self, conversation_id: str, custom_attributes: dict) -> Conversation:
        """describeConversation: set Conversation Klass attributes."""
        conversation = self._conversation(conversation_id)
        self.org.klasses["conversation"].validate(custom_attributes)
        with self.org.change("conversation", conversation):
            conversation.custom = merge_attributes(conversation.custom, custom_attributes)
            conversation.updated_at = self.org.now()
        return conversation

    def describe_customer(self, attributes: dict, custom_attributes: dict) -> Customer:
        """describeCustomer: shared emails, phones, socials and Customer Klass attributes."""
        self.org.klasses["customer"].validate(custom_attributes)
        customer = self.customer
        with self.org.change("customer", customer):
            # the SDK sends plain addresses and numbers; REST shows them as Kustomer's contact items
            for name, kind in (("shared_emails", "email"), ("shared_phones", "phone")):
                if attributes.get(name) is not None:
                    setattr(customer, name, [contact(kind, value) for value in attributes[name]])
            if attributes.get("shared_socials") is not None:
                customer.shared_socials = list(attributes["shared_socials"])
            customer.custom = merge_attributes(customer.custom, custom_attributes)
            customer.updated_at = self.org.now()
        return customer


def _check_length(body: str | None) -> None:
    if body is not None and len(body) > MAX_MESSAGE_CHARS:
        raise ValueTooLong(f"a message may hold at most {MAX_MESSAGE_CHARS} characters", pointer="/message")


def chat_settings(org: Org, brand_id: str | None = None) -> dict:
    """The chat settings a widget reads at start (reference 3.1-3.2)."""
    settings, brand_id = org.settings, brand_id or org.default_brand_id
    brand = org.brand(brand_id) or {}
    return {"enabled": org.availability(brand_id) != "disabled", "brandId": brand_id,
            "activeAssistant": assistants.default_id(org, brand_id),
            "closableChat": bool(settings.get("allowEndConversation", True)),
            "teamName": settings.get("teamName"), "greeting": settings.get("greeting"),
            "waitMessage": settings.get("waitMessage"), "colors": settings.get("colors", {}),
            # a brand may have no knowledge base (knowledgeBaseId: null): its widget shows no Answers tab
            "knowledgeBaseId": brand["knowledgeBaseId"] if "knowledgeBaseId" in brand else org.kb.id,
            "noHistory": bool(settings.get("noHistory")),
            "singleSessionChat": bool(settings.get("singleSessionChat")),
            "teamIconUrl": settings.get("teamIconUrl"), "embedIconUrl": settings.get("embedIconUrl"),
            "embedIconColor": settings.get("embedIconColor")}

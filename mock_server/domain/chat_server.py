"""The server-side chat API (/v2.1/chat): sessions, customer and agent messages, typing, handoff."""
from __future__ import annotations

from typing import TYPE_CHECKING


from . import assistant as assistants
from . import attachments
from .lifecycle import conversation_event, end
from .errors import ConversationEnded, InvalidField, MissingField, NotFound
from .klasses import merge_attributes
from .models import Conversation, Customer, Message
from .directory import customer_sender, user, user_sender

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

TITLE_CHARS = 80


def _customer(org: Org, customer_id: str) -> Customer:
    customer = org.customers.get(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}", pointer="/customerId")
    return customer


def _check_tracking(org: Org, customer: Customer, tracking_id: str | None) -> None:
    """A trackingId, when sent, must be one of this customer's tracking tokens."""
    info = org.tokens.get(tracking_id) if tracking_id else None
    if tracking_id and (info is None or info["customerId"] != customer.id):
        raise NotFound(f"no tracking id {tracking_id} for customer {customer.id}", pointer="/trackingId")


def session(org: Org, customer_id: str, session_id: str, tracking_id: str | None = None) -> Conversation:
    """The customer's chat session (conversation), 404 for an unknown one or another customer's."""
    customer = _customer(org, customer_id)
    _check_tracking(org, customer, tracking_id)
    conversation = org.conversations.get(session_id)
    if conversation is None or conversation.customer_id != customer.id:
        raise NotFound(f"no session {session_id} for customer {customer_id}", pointer="/session")
    return conversation


def _open_session(org: Org, customer_id: str, session_id: str, tracking_id: str | None) -> Conversation:
    conversation = session(org, customer_id, session_id, tracking_id)
    if conversation.ended:
        raise ConversationEnded(f"session {session_id} has ended", pointer="/session")
    return conversation


def _check_brand(org: Org, brand_id: str | None) -> None:
    if brand_id and brand_id not in {b["id"] for b in org.brands}:
        raise NotFound(f"no brand {brand_id} in this org", pointer="/brand")


def create_session(org: Org, fields: dict) -> Conversation:
    """POST /v2.1/chat/sessions: a session for a customer; with `assistant`, its greeting and first question."""
    customer = _customer(org, fields["customer_id"])
    _check_tracking(org, customer, fields.get("tracking_id"))
    _check_brand(org, fields.get("brand"))
    assistant = assistants.find(org, fields.get("assistant"), pointer="/assistant")
    custom = org.klasses["conversation"].validate(fields.get("custom_attributes") or {})
    conversation = org.new_conversation(customer, title=fields.get("title") or "", lang=fields.get("lang"),
                                        brand_id=fields.get("brand") or org.default_brand_id,
                                        custom=merge_attributes({}, custom))
    if assistant:
        assistants.begin(org, conversation, assistant)
    org.events.emit("onConversationCreate", conversation_event(conversation), customer.id)
    if assistant:
        assistants.greet(org, conversation)
    return conversation


def sessions(org: Org, customer_id: str | None, tracking_id: str | None, active: bool | None,
             brand_id: str | None) -> list[Conversation]:
    """GET /v2.1/chat/sessions: a customer's (or tracking id's) sessions, latest message first."""
    if not customer_id and not tracking_id:
        raise MissingField("send customerId or trackingId", parameter="customerId")
    owners = {customer_id} if customer_id else set()
    info = org.tokens.get(tracking_id) if tracking_id else None
    if info is not None:
        owners.add(info["customerId"])
    with org.reading():
        found = [c for c in org.conversations.values() if c.customer_id in owners
                 and (active is None or active != c.ended) and (brand_id is None or c.brand_id == brand_id)]
    return sorted(found, key=lambda c: (c.last_message_at, c.created_at, c.id), reverse=True)


def _check_content(fields: dict) -> None:
    if not fields.get("body") and not fields.get("attachments"):
        raise MissingField("a chat message needs a body or attachments", pointer="/body")


def customer_message(org: Org, fields: dict) -> Message:
    """POST /v2.1/chat/messages: a message as the customer; the assistant answers it when asking."""
    _check_content(fields)
    conversation = _open_session(org, fields["customer_id"], fields["session"], fields.get("tracking_id"))
    customer = org.customers[conversation.customer_id]
    files = attachments.resolve(org, customer.id, fields.get("attachments"))
    message = org.record_message(conversation, body=fields.get("body") or "", direction="in",
                                 sent_by=customer_sender(customer), attachments=files)
    org.events.emit("onMessageSent", {"conversationId": conversation.id, "messageId": message.id}, customer.id)
    if conversation.in_assistant_mode:
        assistants.on_customer_message(org, conversation, message, None)
    return message


def agent_message(org: Org, fields: dict) -> Message:
    """POST /v2.1/chat/outbound/messages: an agent's message, delivered live and counted unread."""
    _check_content(fields)
    conversation = _open_session(org, fields["customer_id"], fields["session"], fields.get("tracking_id"))
    agent = user(org, fields["from_"], "/from")
    files = attachments.resolve(org, attachments.AGENTS, fields.get("attachments"))
    _take_over(org, conversation)
    message = org.record_message(conversation, body=fields.get("body") or "", direction="out",
                                 sent_by=user_sender(agent), attachments=files,
                                 read=False, auto=bool(fields.get("auto")))
    customer_id = conversation.customer_id
    org.events.emit("onMessageReceived", assistants.message_event(message), customer_id)
    counts = org.unread_counts(customer_id)
    org.events.emit("onUnread", {**counts, "change": {"conversationId": conversation.id, "count": 1}}, customer_id)
    return message


def _take_over(org: Org, conversation: Conversation) -> None:
    """An agent who writes takes the conversation from its assistant."""
    if not conversation.in_assistant_mode:
        return
    with org.change("conversation", conversation):
        conversation.in_assistant_mode = False
        if conversation.assistant_state:
            conversation.assistant_state.update({"questionId": None, "status": "handoff"})
    org.events.emit("onAssistantEnded", {"conversationId": conversation.id, "isInAssistantMode": False},
                    conversation.customer_id)


def typing(org: Org, fields: dict) -> dict:
    """POST /v2.1/chat/outbound/typing: show or hide the agent's typing indicator in the widget."""
    conversation = session(org, fields["customer_id"], fields["session"], fields.get("tracking_id"))
    agent = user(org, fields["from_"], "/from")
    event = {"conversationId": conversation.id, "typing": fields["typing"], "ai": bool(fields.get("ai")),
             "user": {"avatarUrl": agent.get("avatarUrl"), "displayName": agent.get("displayName") or agent["name"]}}
    org.events.emit("onAgentTypingActivity", event, conversation.customer_id)
    return {"conversationId": conversation.id, "userId": agent["id"], "typing": fields["typing"]}


def handoff(org: Org, fields: dict) -> Conversation:
    """POST /v2.1/chat/handoff: a session with its history imported, open (active) or closed."""
    customer = _customer(org, fields["customer_id"])
    _check_tracking(org, customer, fields.get("tracking_id"))
    _check_brand(org, fields.get("brand"))
    history = sorted(fields["messages"], key=lambda m: m["date"])  # canonical ISO strings sort by time
    directions = {m["direction"] for m in history}
    if directions != {"in", "out"}:
        raise InvalidField("a handoff needs at least one in and one out message", pointer="/messages")
    sender = user_sender(user(org, fields["from_"], "/from")) if fields.get("from_") else {
        "type": "bot", "id": None, "displayName": org.settings.get("teamName") or org.name, "avatarUrl": None}
    custom = org.klasses["conversation"].validate(fields.get("custom_attributes") or {})
    first = next((m["body"] for m in history if m["direction"] == "in" and m.get("body")), "")
    conversation = org.new_conversation(customer, title=fields.get("title") or first[:TITLE_CHARS],
                                        brand_id=fields.get("brand") or org.default_brand_id, lang=fields.get("lang"),
                                        custom=merge_attributes({}, custom), external_id=fields.get("external_id"))
    with org.change("conversation", conversation):
        conversation.created_at = history[0]["date"]
    for item in history:  # history is imported read and without live fan-out, as Kustomer imports it
        org.record_message(conversation, body=item.get("body") or "", direction=item["direction"],
                           sent_by=customer_sender(customer) if item["direction"] == "in" else sender,
                           at=item["date"], attachments=item.get("attachments"), read=True)
    org.events.emit("onConversationCreate", conversation_event(conversation), customer.id)
    if not fields.get("active", True):
        end(org, conversation, survey=False)  # an imported, closed history: nobody is there to answer
    return conversation


def session_messages(org: Org, session_id: str, sort: str = "asc") -> list[Message]:
    """A session's messages in the order they were written (newest first for desc)."""
    conversation = org.conversation(session_id)
    with org.reading():
        messages = list(org.messages.get(conversation.id, []))
    return messages[::-1] if sort == "desc" else messages

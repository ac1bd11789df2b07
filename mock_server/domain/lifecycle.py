"""A conversation's life events shared by every surface: ending it, and the shape its callbacks carry."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import satisfaction
from .models import Conversation

if TYPE_CHECKING:
    from .org import Org


def end(org: Org, conversation: Conversation, survey: bool = True) -> None:
    """End a conversation, tell the customer's streams, and offer the survey when Kustomer would."""
    with org.change("conversation", conversation):
        conversation.ended, conversation.ended_at = True, org.now()
        conversation.status, conversation.in_assistant_mode = "done", False
        conversation.updated_at = conversation.ended_at
    org.events.emit("onConversationEnded", conversation_event(conversation), conversation.customer_id)
    if survey:
        satisfaction.offer(org, conversation)


def conversation_event(conversation: Conversation) -> dict:
    """The {conversationId, createdAt, ended, isInAssistantMode} shape of callbacks and events."""
    return {"conversationId": conversation.id, "createdAt": conversation.created_at,
            "ended": conversation.ended, "isInAssistantMode": conversation.in_assistant_mode}

"""Conversational assistants: which one applies, and what it says (the engine grows here)."""
from __future__ import annotations

from .errors import UnknownAssistant
from .models import Conversation, Message


def find(org, assistant_id: str | None) -> dict | None:
    """The assistant with this id, None for no id, UnknownAssistant for a wrong one."""
    if not assistant_id:
        return None
    assistant = next((a for a in org.assistants if a["id"] == assistant_id), None)
    if assistant is None:
        raise UnknownAssistant(f"no assistant {assistant_id} in this org", pointer="/assistantId")
    return assistant


def begin(org, conversation: Conversation, assistant: dict, first_message: Message | None) -> None:
    """Put a new conversation in assistant mode."""
    conversation.assistant_id = assistant["id"]
    conversation.in_assistant_mode = True


def on_customer_message(org, conversation: Conversation, message: Message, payload: str | None) -> None:
    """Let the assistant answer a customer message while the conversation is in assistant mode."""

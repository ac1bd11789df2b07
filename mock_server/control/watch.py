"""The whole org as someone watching it sees it (the dashboard, a script): keys, conversations, threads."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.models import Conversation, Message
from ..domain.rest import CHAT_ONLY_ROLE

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from ..domain.org import Org


class WatchedConversation:
    """A conversation with what a watcher wants next to it: its customer, unread count, assistant name."""

    def __init__(self, conversation: Conversation, customer, unread: int, assistant_name: str | None):
        self._conversation = conversation
        self.customer, self.unread, self.assistant_name = customer, unread, assistant_name

    def __getattr__(self, name):
        # every other attribute is the conversation's, so the chat API's schema dumps it unchanged
        return getattr(self._conversation, name)


def server_key(roles: dict, key: str) -> str | None:
    """A key of the same org that /v1 and /v2.1 accept: `key` itself when it may, else another one."""
    def allowed(name: str) -> bool:
        return any(role != CHAT_ONLY_ROLE for role in roles.get(name, ()))
    if allowed(key):
        return key
    return next((name for name in roles if allowed(name)), None)


def page(items: list, number: int, size: int) -> tuple[list, bool]:
    """Page `number` (from 1) of `size` items, and whether a page follows it."""
    start = (number - 1) * size
    return items[start:start + size], start + size < len(items)


def describe_keys(store, keys: list[str]) -> list[dict]:
    """These keys (seen since the last full reset) with their org, roles and a server key of that org."""
    built = store.orgs()
    found = []
    for key in keys:
        name = store.fixtures.org_name(key)
        org = built.get(name)
        roles = org.roles if org is not None else store.fixtures.spec(key).roles
        found.append({"key": key, "name": name, "roles": list(roles.get(key, ())),
                      "server_key": server_key(roles, key), "built": org is not None,
                      "conversations": len(org.conversations) if org is not None else None})
    return found


def _watched(org: Org, conversation: Conversation) -> WatchedConversation:
    unread = sum(1 for m in org.messages.get(conversation.id, ()) if not m.read)
    assistant = next((a for a in org.assistants if a["id"] == conversation.assistant_id), None)
    return WatchedConversation(conversation, org.customers.get(conversation.customer_id), unread,
                               assistant.get("name") if assistant else None)


def conversations(org: Org, number: int = 1, size: int | None = None) -> tuple[list[WatchedConversation], int, bool]:
    """A page of the org's conversations, the most recently active first: (rows, total, whether more follow)."""
    with org.reading():   # sorted first, so only the page's rows count their unread messages
        ordered = sorted(org.conversations.values(), key=lambda c: (c.last_message_at, c.created_at, c.id),
                         reverse=True)
        rows, more = page(ordered, number, size or len(ordered) or 1)
        return [_watched(org, c) for c in rows], len(ordered), more


def thread(org: Org, conversation_id: str) -> tuple[WatchedConversation, list[Message]]:
    """One conversation and every message of it, oldest first (NotFound for an unknown id)."""
    conversation = org.conversation(conversation_id)
    with org.reading():
        return _watched(org, conversation), list(org.messages.get(conversation.id, ()))

"""The records of an org: customers, conversations, messages. Plain data, no rules."""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field, fields


@dataclass
class Customer:
    """A customer: anonymous from start, or identified by login."""

    id: str
    created_at: str
    updated_at: str
    name: str | None = None
    email: str | None = None
    external_id: str | None = None
    shared_emails: list = field(default_factory=list)
    shared_phones: list = field(default_factory=list)
    shared_socials: list = field(default_factory=list)
    custom: dict = field(default_factory=dict)
    anonymous: bool = True


@dataclass
class Conversation:
    """A chat conversation (the chat session id is the conversation id)."""

    id: str
    customer_id: str
    brand_id: str
    created_at: str
    updated_at: str
    last_message_at: str
    title: str = ""
    preview: str = ""
    status: str = "open"
    ended: bool = False
    ended_at: str | None = None
    channel: str = "chat"
    custom: dict = field(default_factory=dict)
    assistant_id: str | None = None
    in_assistant_mode: bool = False
    assistant_state: dict = field(default_factory=dict)
    message_count: int = 0
    lang: str | None = None
    satisfaction: dict | None = None
    # REST v1 fields (agent-side): priority 1-5, tag/user/team ids, the caller's own id
    priority: int = 3
    tags: list = field(default_factory=list)
    assigned_users: list = field(default_factory=list)
    assigned_teams: list = field(default_factory=list)
    external_id: str | None = None
    imported_at: str | None = None


@dataclass
class Message:
    """A message in a conversation; direction `in` from the customer, `out` to them."""

    id: str
    conversation_id: str
    customer_id: str
    body: str
    direction: str
    created_at: str
    sent_by: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)
    read: bool = False
    channel: str = "chat"
    auto: bool = False
    app: str = "chat"  # REST v1: the app that recorded it
    imported_at: str | None = None


def to_dict(record) -> dict:
    """A record as plain data, for export."""
    return asdict(record)


def from_dict(cls, raw: dict):
    """A record from exported data, ignoring keys the class does not have."""
    names = _names(cls)
    if raw.keys() <= names:   # what an export of this version holds: no key to drop
        return cls(**raw)
    return cls(**{k: v for k, v in raw.items() if k in names})


@functools.cache
def _names(cls) -> frozenset:
    return frozenset(f.name for f in fields(cls))

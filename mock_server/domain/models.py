"""The records of an org: customers, conversations, messages. Plain data, no rules."""
from __future__ import annotations

import functools
from dataclasses import MISSING, asdict, dataclass, field, fields


@dataclass
class Customer:
    """A customer: anonymous from start, identified by login, or written whole over REST v1.

    Contact lists hold Kustomer's item objects ({email, type, verified}, ...); `email` mirrors the
    first of `emails` (the primary email that login and lookups match).
    """

    id: str
    created_at: str
    updated_at: str
    name: str | None = None
    email: str | None = None
    external_id: str | None = None
    emails: list = field(default_factory=list)
    phones: list = field(default_factory=list)
    shared_emails: list = field(default_factory=list)
    shared_phones: list = field(default_factory=list)
    shared_socials: list = field(default_factory=list)
    shared_external_ids: list = field(default_factory=list)
    external_ids: list = field(default_factory=list)
    socials: list = field(default_factory=list)
    urls: list = field(default_factory=list)
    locations: list = field(default_factory=list)
    whatsapps: list = field(default_factory=list)
    facebook_ids: list = field(default_factory=list)
    instagram_ids: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    custom: dict = field(default_factory=dict)
    sentiment: dict | None = None
    username: str | None = None
    company: str | None = None
    avatar_url: str | None = None
    locale: str | None = None
    time_zone: str | None = None
    gender: str | None = None
    default_lang: str | None = None
    birthday_at: str | None = None
    signed_up_at: str | None = None
    last_activity_at: str | None = None
    last_customer_activity_at: str | None = None
    last_seen_at: str | None = None
    imported_at: str | None = None
    modified_at: str | None = None
    rev: int = 1
    anonymous: bool = True

    def __post_init__(self):
        # a login or seed names one email; older exports kept shared contacts as plain strings
        if self.email and not self.emails:
            self.emails = [contact("email", self.email)]
        self.shared_emails = [contact("email", e) if isinstance(e, str) else e for e in self.shared_emails]
        self.shared_phones = [contact("phone", p) if isinstance(p, str) else p for p in self.shared_phones]
        self.email = self.emails[0]["email"] if self.emails else None


def contact(kind: str, value: str, type_: str = "home") -> dict:
    """One contact list item as Kustomer writes it: {email|phone, type, verified}."""
    return {kind: value, "type": type_, "verified": False}


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
    # REST v1's CSAT: satisfaction -1..1 once rated; satisfactionLevel {status, form, formResponse (the
    # SDK's satisfactionId), rating, score, firstAnswer, createdAt, sentAt, updatedAt, channel}
    satisfaction: float | None = None
    satisfaction_level: dict | None = None
    # REST v1 fields (agent-side): priority 1-5, tag/user/team ids, the caller's own id
    priority: int = 3
    tags: list = field(default_factory=list)
    assigned_users: list = field(default_factory=list)
    assigned_teams: list = field(default_factory=list)
    external_id: str | None = None
    imported_at: str | None = None
    direction: str = "in"
    reply_channel: str | None = None
    default_lang: str | None = None
    queue: dict | None = None
    snooze: dict | None = None
    sub_status: str | None = None
    sentiment: dict | None = None
    suggested_tags: list = field(default_factory=list)
    suggested_shortcuts: list = field(default_factory=list)
    ended_reason: str | None = None
    ended_by: str | None = None
    ended_by_type: str | None = None
    locked: bool = False
    campaign: str | None = None
    modified_at: str | None = None
    rev: int = 1
    other_channels: list = field(default_factory=list)   # channels of messages REST recorded besides `channel`

    @property
    def channels(self) -> list[str]:
        """Every channel the conversation has messages on, its own first (none yet for an empty REST one)."""
        return [*([self.channel] if self.channel else []), *self.other_channels]


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
    external_id: str | None = None
    subject: str | None = None
    status: str | None = None
    lang: str | None = None
    custom: dict = field(default_factory=dict)
    sentiment: dict | None = None
    sent_at: str | None = None
    modified_at: str | None = None
    rev: int = 1
    extra: dict = field(default_factory=dict)   # REST fields kept as sent: size, error, reference, location, ...


@dataclass
class Note:
    """An internal note on a conversation, written by an org user."""

    id: str
    conversation_id: str
    customer_id: str
    body: str
    created_at: str
    updated_at: str
    created_by: str | None = None
    external_id: str | None = None
    user_mentions: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    lang: str | None = None
    imported_at: str | None = None
    rev: int = 1


@dataclass
class KObject:
    """A custom object (KObject) of a custom Klass, optionally linked to a customer."""

    id: str
    klass: str
    title: str
    created_at: str
    updated_at: str
    customer_id: str | None = None
    company: str | None = None
    external_id: str | None = None
    description: str | None = None
    images: list = field(default_factory=list)
    icon: str | None = None
    data: dict = field(default_factory=dict)
    custom: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    imported_at: str | None = None
    rev: int = 1


def reset(record, names) -> None:
    """Set each named field of a record back to its default (PUT ?replace=true)."""
    defaults = {f.name: f for f in fields(record)}
    for name in names:
        spec = defaults[name]
        setattr(record, name, spec.default_factory() if spec.default_factory is not MISSING else spec.default)


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

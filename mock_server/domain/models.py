"""The records of an org: customers, conversations, messages. Plain data, no rules."""
from __future__ import annotations

import copy
import functools
from dataclasses import MISSING, asdict, dataclass, field, fields

# A big org holds millions of records, most of whose lists and dicts stay empty: each record keeps its
# fields in slots (no dict of its own), and a container field holds None until it is first read, when
# it becomes the empty list or dict it always reads as. Exports read the slots and write [] or {}.
_RAW: dict[type, tuple] = {}   # record class -> ((name, slot, empty maker or None), ...)


class _Lazy:
    """A container field: its slot holds None until the first read makes the empty container."""

    __slots__ = ("slot", "make")

    def __init__(self, slot, make):
        self.slot, self.make = slot, make

    def __get__(self, record, owner=None):
        if record is None:
            return self
        value = self.slot.__get__(record)
        if value is None:
            value = self.make()
            self.slot.__set__(record, value)
        return value

    def __set__(self, record, value):
        self.slot.__set__(record, value)


def lazy(make):
    """A list or dict field (`make`: list or dict) made on first use."""
    return field(default=None, metadata={"lazy": make})


def record(cls):
    """A dataclass with slots whose container fields are made on first use."""
    cls = dataclass(slots=True)(cls)
    raw = []
    for spec in fields(cls):
        slot, make = cls.__dict__[spec.name], spec.metadata.get("lazy")
        if make is not None:
            setattr(cls, spec.name, _Lazy(slot, make))
        raw.append((spec.name, slot, make))
    _RAW[cls] = tuple(raw)
    cls.__getstate__, cls.__setstate__ = _getstate, _setstate   # copies keep None as None
    return cls


def _getstate(self):
    return [slot.__get__(self) for _, slot, _ in _RAW[type(self)]]


def _setstate(self, state):
    for (_, slot, _), value in zip(_RAW[type(self)], state):
        slot.__set__(self, value)


@record
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
    emails: list = lazy(list)
    phones: list = lazy(list)
    shared_emails: list = lazy(list)
    shared_phones: list = lazy(list)
    shared_socials: list = lazy(list)
    shared_external_ids: list = lazy(list)
    external_ids: list = lazy(list)
    socials: list = lazy(list)
    urls: list = lazy(list)
    locations: list = lazy(list)
    whatsapps: list = lazy(list)
    facebook_ids: list = lazy(list)
    instagram_ids: list = lazy(list)
    tags: list = lazy(list)
    custom: dict = lazy(dict)
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


@record
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
    custom: dict = lazy(dict)
    assistant_id: str | None = None
    in_assistant_mode: bool = False
    assistant_state: dict = lazy(dict)
    message_count: int = 0
    lang: str | None = None
    # REST v1's CSAT: satisfaction -1..1 once rated; satisfactionLevel {status, form, formResponse (the
    # SDK's satisfactionId), rating, score, firstAnswer, createdAt, sentAt, updatedAt, channel}
    satisfaction: float | None = None
    satisfaction_level: dict | None = None
    # REST v1 fields (agent-side): priority 1-5, tag/user/team ids, the caller's own id
    priority: int = 3
    tags: list = lazy(list)
    assigned_users: list = lazy(list)
    assigned_teams: list = lazy(list)
    external_id: str | None = None
    imported_at: str | None = None
    direction: str = "in"
    reply_channel: str | None = None
    default_lang: str | None = None
    queue: dict | None = None
    snooze: dict | None = None
    sub_status: str | None = None
    sentiment: dict | None = None
    suggested_tags: list = lazy(list)
    suggested_shortcuts: list = lazy(list)
    ended_reason: str | None = None
    ended_by: str | None = None
    ended_by_type: str | None = None
    locked: bool = False
    campaign: str | None = None
    modified_at: str | None = None
    rev: int = 1
    other_channels: list = lazy(list)   # channels of messages REST recorded besides `channel`

    @property
    def channels(self) -> list[str]:
        """Every channel the conversation has messages on, its own first (none yet for an empty REST one)."""
        return [*([self.channel] if self.channel else []), *self.other_channels]


@record
class Message:
    """A message in a conversation; direction `in` from the customer, `out` to them."""

    id: str
    conversation_id: str
    customer_id: str
    body: str
    direction: str
    created_at: str
    sent_by: dict = lazy(dict)
    meta: dict = lazy(dict)
    attachments: list = lazy(list)
    read: bool = False
    channel: str = "chat"
    auto: bool = False
    app: str = "chat"  # REST v1: the app that recorded it
    imported_at: str | None = None
    external_id: str | None = None
    subject: str | None = None
    status: str | None = None
    lang: str | None = None
    custom: dict = lazy(dict)
    sentiment: dict | None = None
    sent_at: str | None = None
    modified_at: str | None = None
    rev: int = 1
    extra: dict = lazy(dict)   # REST fields kept as sent: size, error, reference, location, ...


@record
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
    user_mentions: list = lazy(list)
    attachments: list = lazy(list)
    lang: str | None = None
    imported_at: str | None = None
    rev: int = 1


@record
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
    images: list = lazy(list)
    icon: str | None = None
    data: dict = lazy(dict)
    custom: dict = lazy(dict)
    tags: list = lazy(list)
    imported_at: str | None = None
    rev: int = 1


def reset(record, names) -> None:
    """Set each named field of a record back to its default (PUT ?replace=true)."""
    defaults = {f.name: f for f in fields(record)}
    for name in names:
        spec = defaults[name]
        setattr(record, name, spec.default_factory() if spec.default_factory is not MISSING else spec.default)


def plain(record) -> dict:
    """A record's fields by name, the values themselves (not copies); an unmade container reads as a new empty one."""
    raw = _RAW.get(type(record))
    if raw is None:
        return {spec.name: getattr(record, spec.name) for spec in fields(record)}
    values = {}
    for name, slot, make in raw:
        value = slot.__get__(record)
        values[name] = make() if value is None and make is not None else value
    return values


def to_dict(record) -> dict:
    """A record as plain data, for export (a deep copy)."""
    if type(record) not in _RAW:
        return asdict(record)
    return copy.deepcopy(plain(record))


def from_dict(cls, raw: dict):
    """A record from exported data, ignoring keys the class does not have; empty containers stay unmade."""
    names = _names(cls)
    empty = [name for name, make in _unmade(cls).items() if raw.get(name).__class__ is make and not raw[name]]
    if empty or not raw.keys() <= names:
        raw = {k: v for k, v in raw.items() if k in names and k not in empty}
    return cls(**raw)


@functools.cache
def _names(cls) -> frozenset:
    return frozenset(f.name for f in fields(cls))


@functools.cache
def _unmade(cls) -> dict:
    return {name: make for name, _, make in _RAW.get(cls, ()) if make is not None}

"""One org: its fixtures, its records and the rules shared by every surface."""
from __future__ import annotations

import copy
import random
import threading
from contextlib import contextmanager
from typing import Iterator

from .availability import availability, brand_settings
from .assistant_flow import check_assistants
from .clock import Clock, OrgClock, parse_iso
from .errors import Forbidden, NotFound, NotStarted
from .events import EventLog
from .fixtures import OrgSpec
from .ids import IdMaker, new_token, stable_id
from .kb import KnowledgeBase
from .klasses import Klass
from .kobjects import CustomKlass
from .models import Conversation, Customer, KObject, Message, Note
from .seed import seed_org
from .webhooks import WebhookRegistry

PREVIEW_CHARS = 120
# what a copy of the org from a shared store never replaces (Org.adopt): this process's own machinery
# ("webhooks" is the registry's handle: the registrations are the outbound_webhooks part, its outbox a store's)
PROCESS_LOCAL = frozenset({"_lock", "_shared", "listeners", "events", "webhooks", "clock", "limits"})
# the attribute holding each kind of record (dicts by id; the directory's records are lists of dicts)
COLLECTIONS = {"customer": "customers", "conversation": "conversations", "note": "notes", "kobject": "kobjects",
               "tag": "tags", "user": "users", "team": "teams"}


class Org:
    """Everything one org holds; each org guards its records with its own lock."""

    def __init__(self, spec: OrgSpec, seed: int, clock: Clock):
        data = spec.data
        self.name, self.roles = spec.name, dict(spec.roles)
        self.clock = OrgClock(clock)   # the mock clock until this org's own freeze or advance
        self._lock = threading.RLock()
        # a store's shared write lock (store/redis.py), taken inside this one, told what each write changed;
        # None: this process alone holds the org
        self._shared = None
        self.limits = None   # a store's shared rate-limit counters (domain/ratelimit.py); None: this process's
        self.rng = random.Random(f"{seed}:{spec.name}")
        self.ids = IdMaker(self.rng)
        self.chat_secret = data.get("chatSecret", "kustomer-mock-chat-secret")
        self.brands = list(data.get("brands") or [])
        self.settings = dict(data.get("settings") or {})
        since = {"createdAt": clock.now_iso(), "updatedAt": clock.now_iso()}   # clients sync on updatedAt
        self.users, self.teams, self.tags, self.queues, self.shortcuts = (
            [{**since, **record} for record in data.get(name) or []]
            for name in ("users", "teams", "tags", "queues", "shortcuts"))
        self.kb = KnowledgeBase(data.get("kb") or {})
        self.satisfaction_form = data.get("satisfactionForm")  # fixtures/satisfaction.yaml
        self.files: dict[str, dict] = {}  # uploaded attachments with their bytes (domain/attachments.py)
        self.proactive: dict[str, dict] = {}  # customer id -> the proactive message waiting for an answer
        self.assistants = list(data.get("assistants") or [])
        klasses = data.get("klasses") or {}
        self.klasses = {name: Klass.from_fixture(name.capitalize(), klasses.get(name) or [])
                        for name in ("conversation", "customer")}
        check_assistants(self.assistants, self.klasses["conversation"], self.brands, self.settings)
        self.customers: dict[str, Customer] = {}
        self.conversations: dict[str, Conversation] = {}
        self.messages: dict[str, list[Message]] = {}
        self.notes: dict[str, Note] = {}
        self.kobjects: dict[str, KObject] = {}
        self.merges: dict[str, dict] = {}   # customer merges by id, as GET /v1/customers/merges/{id} answers
        self.bulk_jobs: dict[str, dict] = {}   # finished bulk jobs by id (GET /v1/bulk/{id})
        created = clock.now_iso()
        self.custom_klasses = {raw["name"]: CustomKlass.from_fixture(raw, stable_id(spec.name, "klass", raw["name"]),
                                                                     created)
                               for raw in data.get("customKlasses") or []}
        self.tokens: dict[str, dict] = {}  # tracking token -> {customerId, assistantId, brandId, lang}
        self.events = EventLog()
        self.sdk_warnings: list[dict] = []  # misuses of the SDK by host pages (domain/diagnostics.py)
        self.listeners: list = []  # called as listener(org, kind, record, before) after each write
        seed_org(self, data.get("seed") or {}, f"{seed}:{spec.name}", data.get("seedThreads"))
        self.outbound_webhooks: dict = {}   # the registrations by id, a part like settings (domain/webhooks.py)
        self.webhooks = WebhookRegistry(self, data.get("webhooks"))  # after the seed: its ids stay the same

    # -- writes: every change to the org goes through these, under its lock, and records are announced ---

    def _write(self):
        """What a write holds: the org's own lock, or the shared lock a store handed it (which takes the own one)."""
        return self._lock if self._shared is None else self._shared

    def share(self, make_lock):
        """Writes hold `make_lock(org, own_lock)` from now on: a store's lock shared by processes (store/redis.py).

        Answers the lock made.
        """
        self._shared = make_lock(self, self._lock)
        return self._shared

    def adopt(self, newer: "Org") -> None:
        """Take every record of `newer`, a later copy of this org from a shared store; not announced.

        What only this process holds stays: locks, listeners, live event streams, the webhook handle and the clock.
        """
        with self._lock:
            for name, value in vars(newer).items():
                if name not in PROCESS_LOCAL:
                    setattr(self, name, value)

    def _announce(self, kind: str, record, before=None) -> None:
        for listener in list(self.listeners):
            listener(self, kind, record, before)

    def add(self, kind: str, record):
        """Store a new record of `kind` (customer, conversation, note, kobject, tag, user, team) and announce it."""
        with self._write():
            collection = getattr(self, COLLECTIONS[kind])
            if isinstance(collection, list):
                collection.append(record)
            else:
                collection[record.id] = record
            if self._shared is not None:
                self._shared.note(kind, record)
        self._announce(kind, record)
        return record

    @contextmanager
    def change(self, kind: str, record, deep: bool = False) -> Iterator:
        """Change a stored record under the org's lock; announced afterwards with a copy from before.

        `deep` copies nested lists and dicts for the announcement (for writes that change them in place).
        """
        with self._write():
            before = copy.deepcopy(record) if deep else copy.copy(record)
            yield record
            if self._shared is not None:
                self._shared.note(kind, record)
        self._announce(kind, record, before)

    def touched(self, kind: str, record, before) -> None:
        """Announce a record changed by a write that already ended (several records changed in one write)."""
        if self._shared is not None:
            with self._write():   # a shared store saves the record as it is now
                self._shared.note(kind, record)
        self._announce(kind, record, before)

    def remove(self, kind: str, record_id: str):
        """Remove a record of `kind` by id (None when it is not there); removals are not announced."""
        with self._write():
            if self._shared is not None:
                self._shared.note_removal(kind, record_id)
            collection = getattr(self, COLLECTIONS[kind])
            if isinstance(collection, list):
                found = next((r for r in collection if r["id"] == record_id), None)
                if found is not None:
                    collection.remove(found)
                return found
            return collection.pop(record_id, None)

    @contextmanager
    def writing(self, part: str) -> Iterator:
        """A write of the org's own bookkeeping (`part`: an attribute such as settings or tokens) under its lock."""
        if not hasattr(self, part):
            raise AttributeError(f"an org has no {part}")
        with self._write():
            if self._shared is not None:
                self._shared.note_part(part)
            yield getattr(self, part)

    @contextmanager
    def reading(self) -> Iterator["Org"]:
        """A consistent read over several records: no write of this org interleaves."""
        with self._lock:
            yield self

    # -- ids, time, settings -------------------------------------------------------------

    def new_id(self, at: str | None = None) -> str:
        """A fresh ObjectId-like id; its time prefix is `at` (an ISO time), else the mock's now."""
        return self.ids.make(parse_iso(at) if at else self.clock.now())

    def now(self) -> str:
        """The mock time as Kustomer writes it."""
        return self.clock.now_iso()

    @property
    def default_brand_id(self) -> str | None:
        """The brand used when a caller names none."""
        default = next((b for b in self.brands if b.get("default")), self.brands[0] if self.brands else None)
        return default["id"] if default else None

    def brand(self, brand_id: str | None) -> dict | None:
        """A brand by id (None: the default brand); None when there is no such brand."""
        brand_id = brand_id or self.default_brand_id
        return next((b for b in self.brands if b["id"] == brand_id), None)

    def availability(self, brand_id: str | None = None) -> str:
        """online, offline, hidden or disabled for a brand (default: the default brand), on the mock clock."""
        return availability(brand_settings(self.settings, self.brand(brand_id)), self.clock.now())

    def require_role(self, key: str, role: str) -> None:
        """Raise Forbidden unless `key` has `role` in this org."""
        if role not in self.roles.get(key, ()):
            raise Forbidden(f"this API key lacks the role {role}")

    # -- customers and tracking tokens -------------------------------------------------------

    def new_customer(self, at: str | None = None, **fields) -> Customer:
        """Create and store a customer (`at`: its createdAt when the caller names one, e.g. an import)."""
        with self._write():  # time and id taken together, so (createdAt, id) sorts in write order
            now = self.now()
            customer = Customer(id=self.new_id(now), created_at=at or now, updated_at=at or now, **fields)
            self.customers[customer.id] = customer
            if self._shared is not None:
                self._shared.note("customer", customer)
        self._announce("customer", customer)
        return customer

    def issue_token(self, customer: Customer, **options) -> str:
        """A new tracking token bound to `customer`, remembering the start options."""
        with self._write():
            token = new_token(self.rng)
            self.tokens[token] = {"customerId": customer.id, **options}
            if self._shared is not None:
                self._shared.note("token", token)
        return token

    def token_info(self, token: str | None) -> dict:
        """What a tracking token stands for, or NotStarted."""
        info = self.tokens.get(token or "")
        if info is None:
            raise NotStarted()
        return info

    def erase_customer(self, customer_id: str) -> None:
        """Remove a customer and everything of theirs: conversations, messages, notes, KObjects, sessions."""
        with self._write():
            if self._shared is not None:
                self._shared.note_everything()   # many records at once: the store writes the whole org
            self.customers.pop(customer_id, None)
            for conversation in [c for c in self.conversations.values() if c.customer_id == customer_id]:
                self.conversations.pop(conversation.id)
                self.messages.pop(conversation.id, None)
            for store in (self.notes, self.kobjects):
                for record_id in [r.id for r in store.values() if r.customer_id == customer_id]:
                    store.pop(record_id)
            for token in [t for t, info in self.tokens.items() if info["customerId"] == customer_id]:
                self.tokens.pop(token)

    def move_records(self, source_id: str, target_id: str) -> None:
        """Everything of one customer now belongs to another (a merge): conversations, messages, notes, KObjects."""
        with self._write():
            if self._shared is not None:
                self._shared.note_everything()   # many records at once: the store writes the whole org
            for conversation in [c for c in self.conversations.values() if c.customer_id == source_id]:
                conversation.customer_id = target_id
                for message in self.messages.get(conversation.id, []):
                    message.customer_id = target_id
            for record in [*self.notes.values(), *self.kobjects.values()]:
                if record.customer_id == source_id:
                    record.customer_id = target_id
            for info in self.tokens.values():
                if info["customerId"] == source_id:
                    info["customerId"] = target_id

    def erase_conversation(self, conversation_id: str) -> None:
        """Remove a conversation with its messages and notes."""
        with self._write():
            if self._shared is not None:
                self._shared.note_everything()   # many records at once: the store writes the whole org
            self.conversations.pop(conversation_id, None)
            self.messages.pop(conversation_id, None)
            for note_id in [n.id for n in self.notes.values() if n.conversation_id == conversation_id]:
                self.notes.pop(note_id)

    def customer(self, customer_id: str) -> Customer:
        """A customer by id, or NotFound."""
        customer = self.customers.get(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id}")
        return customer

    # -- conversations and messages ----------------------------------------------------------

    def conversation(self, conversation_id: str, customer_id: str | None = None) -> Conversation:
        """A conversation by id; another customer's answers NotFound exactly like a missing one."""
        conversation = self.conversations.get(conversation_id)
        if conversation is None or (customer_id is not None and conversation.customer_id != customer_id):
            raise NotFound(f"no conversation {conversation_id}")
        return conversation

    def new_conversation(self, customer: Customer, **fields) -> Conversation:
        """Create and store a conversation for `customer`."""
        fields.setdefault("brand_id", self.default_brand_id)
        with self._write():
            now = self.now()
            conversation_id = fields.pop("id", None) or self.new_id(now)   # REST lets the caller choose the id
            conversation = Conversation(id=conversation_id, customer_id=customer.id, created_at=now,
                                        updated_at=now, last_message_at=now, **fields)
            self.conversations[conversation.id] = conversation
            self.messages[conversation.id] = []
            if self._shared is not None:
                self._shared.note("conversation", conversation)
                self._shared.note("thread", conversation)
        self._announce("conversation", conversation)
        return conversation

    def record_message(self, conversation: Conversation, *, body: str, direction: str, sent_by: dict,
                       at: str | None = None, meta: dict | None = None, read: bool | None = None,
                       attachments: list | None = None, auto: bool = False, message_id: str | None = None
                       ) -> Message:
        """Append a message and update the conversation's preview and counters."""
        with self._write():  # time, id and append in one step: (createdAt, id) sorts in write order
            before = copy.copy(conversation)
            at = at or self.now()
            message = Message(id=message_id or self.new_id(at), conversation_id=conversation.id,
                              customer_id=conversation.customer_id, body=body, direction=direction,
                              created_at=at, sent_by=sent_by, meta=meta or None, attachments=attachments or None,
                              read=direction == "in" if read is None else read, auto=auto)
            self.messages.setdefault(conversation.id, []).append(message)
            conversation.message_count += 1
            conversation.last_message_at = conversation.updated_at = at
            if body:
                conversation.preview = body[:PREVIEW_CHARS]
            if self._shared is not None:
                self._shared.note("message", message)
                self._shared.note("conversation", conversation)
        self._announce("message", message)
        self._announce("conversation", conversation, before)
        return message

    def find_message(self, message_id: str) -> Message | None:
        """A message by id in any conversation, or None."""
        with self._lock:
            return next((m for messages in self.messages.values() for m in messages if m.id == message_id), None)

    def conversations_of(self, customer_id: str) -> list[Conversation]:
        """A customer's conversations, the most recently active first."""
        mine = [c for c in self.conversations.values() if c.customer_id == customer_id]
        return sorted(mine, key=lambda c: (c.last_message_at, c.created_at, c.id), reverse=True)

    def unread_counts(self, customer_id: str) -> dict:
        """{total, conversations: {id: n}} of messages to the customer not yet read."""
        counts = {}
        for conversation in self.conversations_of(customer_id):
            unread = sum(1 for m in self.messages.get(conversation.id, ()) if not m.read)
            if unread:
                counts[conversation.id] = unread
        return {"total": sum(counts.values()), "conversations": counts}

    def agent(self, user_id: str) -> dict:
        """An org user (agent) by id, or NotFound."""
        user = next((u for u in self.users if u["id"] == user_id), None)
        if user is None:
            raise NotFound(f"no user {user_id}", pointer="/from")
        return user

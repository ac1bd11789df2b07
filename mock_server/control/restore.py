"""Importing a state document, streamed: org by org and record by record, all checked before anything changes.

Records are checked and turned into the domain's objects as they are read, so the text of a big
document is never held whole; the orgs are put in place only once the whole document has passed,
so a bad one (at any depth, or cut short) leaves the old state as it was.
"""
from __future__ import annotations

import gc
import io
from typing import BinaryIO

from marshmallow import ValidationError

from ..domain.assistant_flow import check_assistants
from ..domain.clock import Clock, parse_iso
from ..domain.errors import ApiError, InvalidBody
from ..domain.fixtures import FixtureError
from ..domain.kobjects import CustomKlass
from ..domain.models import Conversation, Customer, KObject, Message, Note, from_dict
from ..domain.org import Org
from .heap import full_passes_deferred
from .json_stream import JsonStream
from .schemas.state import StateDocument, StateOrg

VERSION = 1
# Older versions and the function that brings a document's head a version up; none before 1 yet (the first
# one will also have to bring each org up as _read_org reads it).
MIGRATIONS: dict = {}
# Plain data an org holds besides its records; attributes another version lacks are skipped.
PLAIN = ("settings", "brands", "users", "teams", "tags", "queues", "shortcuts", "assistants", "tokens", "chat_secret",
         "sdk_warnings", "merges", "bulk_jobs")
# Lists of records read one at a time: attribute -> class
LISTED = {"customers": Customer, "conversations": Conversation, "notes": Note, "kobjects": KObject,
          "custom_klasses": CustomKlass}
# values many records repeat (the ids they name, a direction, a channel): kept once per import, not once a record
SHARED = ("conversation_id", "customer_id", "direction", "channel", "app", "status", "lang", "klass", "created_by")


class InvalidState(ApiError):
    """A state document that cannot be imported; nothing is changed."""
    code, title = "invalid_state", "Invalid state document"


class UnsupportedStateVersion(ApiError):
    """A state document of a version this mock cannot read or migrate."""
    code, title = "unsupported_state_version", "Unsupported state version"


def import_stream(store, clock: Clock, stream: BinaryIO) -> dict:
    """Replace every org with those of the JSON document read from `stream`; nothing changes on any error.

    Raises BadJson (not JSON), InvalidBody (not an object), marshmallow's ValidationError (a field, with
    its pointer), InvalidState (parts that do not fit together) or UnsupportedStateVersion.
    """
    reader = JsonStream(stream)
    if not reader.peek():   # no body at all: an empty object, as for every other body (the schema says what it lacks)
        reader = JsonStream(io.BytesIO(b"{}"))
    if reader.kind() != "object":
        found = reader.value()
        raise InvalidBody(f"The body must be a JSON object, not {'null' if found is None else type(found).__name__}")
    with full_passes_deferred():   # millions of new records: a full pass per quarter more would be wasted
        head, orgs = _read(reader, store, clock)
        head = migrate(head)
        StateDocument().load({**head, "orgs": []} if head.get("orgs") is _STREAMED else head)
    frozen = head.get("clock") or {}
    keys = head.get("keys") or []
    store.replace({org.name: org for org in orgs}, keys)
    if frozen.get("frozen"):
        clock.freeze(parse_iso(frozen["now"]))   # in range: the schema checked it
    imported = len(orgs)
    del orgs
    gc.collect()   # now, in the import's time, rather than as a pause of the next calls
    return {"imported": imported, "version": VERSION, "keys": len(keys)}


_STREAMED = object()   # the orgs were read one by one, not kept in the head


def _read(reader: JsonStream, store, clock: Clock) -> tuple[dict, list[Org]]:
    head, orgs = {}, []
    for name in reader.members():
        if name != "orgs" or reader.kind() != "array":
            head[name] = reader.value()
            continue
        # what came before the orgs (all of it, in an export) is checked before they are read
        StateDocument(partial=True).load({**migrate(dict(head)), "orgs": []})
        head["orgs"] = _STREAMED
        for index in reader.items():
            orgs.append(_read_org(reader, store, clock, index))
    reader.end()
    return head, orgs


def migrate(document) -> dict:
    """The document in the current version, or a 400 that says which versions this mock reads.

    A version that is missing or not an integer is left to the schema, which names the field.
    """
    if not isinstance(document, dict):
        raise InvalidState("a state document is an object with 'version' and an 'orgs' list")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        return document
    while version in MIGRATIONS:
        document, version = MIGRATIONS[version](document), version + 1
    if version != VERSION:
        raise UnsupportedStateVersion(f"state version {version} cannot be read: this mock reads version "
                                      f"{VERSION} (and migrates {sorted(MIGRATIONS) or 'no older ones'}); "
                                      "export it again with a matching kustomer-mock", pointer="/version")
    return document


def _under(index: int, messages) -> ValidationError:
    return ValidationError({"orgs": {index: messages}})


def _read_org(reader: JsonStream, store, clock: Clock, index: int) -> Org:
    """One org of the document: its plain data whole, its records one by one."""
    schema = StateOrg()
    if reader.kind() != "object":
        reader.value()
        raise _under(index, {"_schema": ["Invalid input type."]})
    raw, records, shared = {}, {}, {}
    for name in reader.members():
        if name in LISTED and reader.kind() == "array":
            check = schema.fields[name].inner
            records[name] = [_record(LISTED[name], check, reader.value(), shared, index, (name, at))
                             for at in reader.items()]
        elif name == "messages" and reader.kind() == "object":
            records[name] = _threads(reader, schema.fields[name].value_field.inner, shared, index)
        else:
            raw[name] = reader.value()
    try:
        schema.load(raw)
    except ValidationError as error:
        raise _under(index, error.messages) from None
    return _build_org(store, clock, raw, records, f"/orgs/{index}")


def _threads(reader: JsonStream, check, shared: dict, index: int) -> dict:
    """The messages of each conversation: a thread is decoded in one go (a few records), then checked one by one."""
    threads = {}
    for conversation_id in reader.members():
        thread = reader.value()
        if not isinstance(thread, list):
            raise _under(index, {"messages": {conversation_id: ["Not a valid list."]}})
        threads[conversation_id] = [_record(Message, check, raw, shared, index, ("messages", conversation_id, at))
                                    for at, raw in enumerate(thread)]
        thread.clear()   # each record is an object now: the decoded dicts can go at once
    return threads


def _record(cls, check, raw, shared: dict, index: int, path: tuple):
    """One record, checked by its schema (the error points at it) and made a domain object."""
    try:
        check.check(raw)
    except ValidationError as error:
        messages = error.messages
        for part in reversed(path):
            messages = {part: messages}
        raise _under(index, messages) from None
    for name in SHARED:
        value = raw.get(name)
        if value.__class__ is str:
            raw[name] = shared.setdefault(value, value)
    return from_dict(cls, raw)


def _build_org(store, clock: Clock, raw: dict, records: dict, pointer: str) -> Org:
    """An org from its checked parts; InvalidState when they do not fit together."""
    key = (raw.get("keys") or [raw["name"]])[0]
    spec = store.fixtures.spec(key)
    if spec.name != raw["name"]:
        raise InvalidState(f"key {key!r} belongs to org {spec.name!r} in these fixtures, not {raw['name']!r}",
                           pointer=f"{pointer}/name")
    org = Org(spec, store.seed, clock)
    for name in PLAIN:
        if name in raw and hasattr(org, name):
            setattr(org, name, raw[name])
    org.customers = {c.id: c for c in records.get("customers", ())}
    org.conversations = {c.id: c for c in records.get("conversations", ())}
    org.messages = records.get("messages", {})
    for name in ("notes", "kobjects", "custom_klasses"):
        if name in records:   # custom Klasses missing from an older export keep the fixtures' ones
            setattr(org, name, {(r.name if name == "custom_klasses" else r.id): r for r in records[name]})
    org.webhooks.restore(raw.get("webhooks") or [])
    org.webhooks.outbox.restore(raw.get("webhook_outbox") or {})
    _check_references(org, records.get("conversations", ()), pointer)
    try:
        check_assistants(org.assistants, org.klasses["conversation"], org.brands, org.settings)
    except FixtureError as exc:
        where = "settings/activeAssistant" if str(exc).startswith("settings:") else "assistants"
        raise InvalidState(f"org {raw['name']!r}: {exc}", pointer=f"{pointer}/{where}") from None
    if raw.get("rng"):
        version, state, gauss = raw["rng"]
        try:
            org.rng.setstate((version, tuple(state), gauss))
        except (TypeError, ValueError):
            raise InvalidState(f"org {raw['name']!r}: rng is not a generator state this mock exported",
                               pointer=f"{pointer}/rng") from None
    if raw.get("ids"):
        org.ids.restore(raw["ids"])
    if (raw.get("clock") or {}).get("frozen"):   # like the mock clock: a frozen org clock is frozen again
        org.clock.freeze(parse_iso(raw["clock"]["now"]))
    return org


def _check_references(org: Org, conversations, pointer: str) -> None:
    """Every conversation's customer, every message list's conversation, every token's customer exists."""
    for index, conversation in enumerate(conversations):
        if conversation.customer_id not in org.customers:
            raise InvalidState(f"conversation {conversation.id} names customer {conversation.customer_id}, "
                               "which is not among the org's customers",
                               pointer=f"{pointer}/conversations/{index}/customer_id")
    for conversation_id in org.messages:
        if conversation_id not in org.conversations:
            raise InvalidState(f"messages of {conversation_id}, which is not among the org's conversations",
                               pointer=f"{pointer}/messages/{conversation_id}")
    for note in org.notes.values():
        if note.conversation_id not in org.conversations:
            raise InvalidState(f"note {note.id} names conversation {note.conversation_id}, which is not among the "
                               "org's conversations", pointer=f"{pointer}/notes")
    for kobject in org.kobjects.values():
        if kobject.klass not in org.custom_klasses or (kobject.customer_id and kobject.customer_id not in
                                                       org.customers):
            raise InvalidState(f"KObject {kobject.id} names a Klass or customer the org lacks",
                               pointer=f"{pointer}/kobjects")
    for token, info in org.tokens.items():
        if info["customerId"] not in org.customers:
            raise InvalidState(f"tracking token {token} names customer {info['customerId']}, "
                               "which is not among the org's customers", pointer=f"{pointer}/tokens/{token}")

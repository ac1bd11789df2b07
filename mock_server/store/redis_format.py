"""An org as the fields of one Redis hash: one field per record, per conversation's messages and per part.

A write rewrites only the fields it changed; a replica applies only the fields others changed. The values
are JSON in control/snapshot.py's shapes (records as their attributes), so one export reads the same.
"""
from __future__ import annotations

import base64
import json

from ..domain.kobjects import CustomKlass
from ..domain.models import Conversation, Customer, KObject, Message, Note, from_dict, plain, to_dict
from ..domain.org import Org
from ..domain.webhooks import export_webhooks, restore_webhooks

# records kept one per field, "kind:id"
RECORDS = {"customer": ("customers", Customer), "conversation": ("conversations", Conversation),
           "note": ("notes", Note), "kobject": ("kobjects", KObject)}
THREAD = "thread"   # "thread:CONVERSATION_ID": the conversation's messages, in order
# the org's other data, one field each, "part:name"; the directory's lists are parts too
PARTS = ("settings", "brands", "users", "teams", "tags", "queues", "shortcuts", "assistants",
         "chat_secret", "sdk_warnings", "merges", "bulk_jobs", "proactive", "custom_klasses", "rng", "ids",
         "outbound_webhooks")
# dicts kept one entry per field, "token:TOKEN" and "file:ID": a chat start or an upload writes one field
KEYED = {"token": "tokens", "file": "files"}
KEYED_PARTS = {attribute: kind for kind, attribute in KEYED.items()}
LIST_KINDS = {"tag": "tags", "user": "users", "team": "teams"}
# parts whose writes change records one by one through the org's record methods (each noted by itself)
RECORD_PARTS = ("customers", "conversations", "notes", "kobjects", "messages")
_ENCODER = json.JSONEncoder(separators=(",", ":"))
PREFIX = "km"


def key(name: str, part: str) -> str:
    """The Redis key of one part of org `name`; the hash tag {name} puts every key of an org in one cluster slot."""
    return f"{PREFIX}:{{{name}}}:{part}"


def record_field(kind: str, record) -> str | None:
    """The field holding a record of `kind` (None: the kind is kept in no field of its own)."""
    if kind in RECORDS:
        return f"{kind}:{record.id}"
    if kind == "message":
        return f"{THREAD}:{record.conversation_id}"
    if kind == THREAD:
        return f"{THREAD}:{record.id}"
    if kind in LIST_KINDS:
        return f"part:{LIST_KINDS[kind]}"
    if kind in KEYED:
        return f"{kind}:{record}"   # the record is the entry's key
    return None


def keyed_fields(org: Org, part: str, before: dict) -> set[str]:
    """The fields of a keyed part (tokens, files) that a write changed, from a shallow copy taken before it.

    Tokens are few and small: every one is saved (a login changes entries in place). Files are large and
    never changed in place: only those added, removed or replaced are.
    """
    kind, now = KEYED_PARTS[part], getattr(org, part)
    if part == "tokens":
        names = set(now) | set(before)
    else:
        names = {name for name in set(now) | set(before) if now.get(name) is not before.get(name)}
    return {f"{kind}:{name}" for name in names}


def removal_field(kind: str, record_id: str) -> str | None:
    """The field a removal of `kind` deletes (or rewrites, for the directory's lists)."""
    if kind in RECORDS:
        return f"{kind}:{record_id}"
    if kind in LIST_KINDS:
        return f"part:{LIST_KINDS[kind]}"
    return None


def encode(org: Org, fields) -> dict[str, str | None]:
    """The values of `fields` as the org holds them now (None: the field goes)."""
    found = {}
    for field in fields:
        kind, _, name = field.partition(":")
        found[field] = _encode_one(org, kind, name)
    return found


def _encode_one(org: Org, kind: str, name: str) -> str | None:
    if kind == "part":
        return _ENCODER.encode(_part_value(org, name))
    if kind == THREAD:
        messages = org.messages.get(name)
        return None if messages is None else _ENCODER.encode([plain(m) for m in messages])
    if kind in KEYED:
        entry = getattr(org, KEYED[kind]).get(name)
        if entry is None or kind == "token":
            return None if entry is None else _ENCODER.encode(entry)
        return _ENCODER.encode({**entry, "data": base64.b64encode(entry["data"]).decode()})
    record = getattr(org, RECORDS[kind][0]).get(name)
    return None if record is None else _ENCODER.encode(plain(record))


def every_field(org: Org) -> list[str]:
    """Every field of the org."""
    fields = [f"part:{name}" for name in PARTS]
    for kind, attribute in [*((k, a) for k, (a, _) in RECORDS.items()), *KEYED.items()]:
        fields += [f"{kind}:{name}" for name in getattr(org, attribute)]
    return fields + [f"{THREAD}:{conversation_id}" for conversation_id in org.messages]


def _part_value(org: Org, name: str):
    if name == "custom_klasses":
        return [to_dict(k) for k in org.custom_klasses.values()]
    if name == "rng":
        version, state, gauss = org.rng.getstate()
        return [version, list(state), gauss]
    if name == "ids":
        return org.ids.export()
    if name == "outbound_webhooks":
        return export_webhooks(org.outbound_webhooks)
    return getattr(org, name)


def apply(org: Org, values: dict, in_write_order: bool = False) -> None:
    """Set the fields' values (bytes or str JSON; None: the record is gone) into the org's collections.

    `in_write_order` (a whole reload) adds records oldest first, as their writes did. The caller holds
    the org's lock (a replica catching up); nothing is announced.
    """
    parsed = []
    for field, raw in values.items():
        field = field.decode() if isinstance(field, bytes) else field
        kind, _, name = field.partition(":")
        parsed.append((kind, name, None if raw is None else json.loads(raw)))
    if in_write_order:
        parsed.sort(key=lambda item: (item[0] == "part", _written_at(item[2]), item[1]), reverse=False)
    for kind, name, value in parsed:
        if kind == "part":
            if value is not None:
                _set_part(org, name, value)
        elif kind == THREAD:
            if value is None:
                org.messages.pop(name, None)
            else:
                org.messages[name] = [from_dict(Message, m) for m in value]
        elif kind in KEYED:
            entries = getattr(org, KEYED[kind])
            if value is None:
                entries.pop(name, None)
            else:
                entries[name] = value if kind == "token" else {**value, "data": base64.b64decode(value["data"])}
        else:
            attribute, cls = RECORDS[kind]
            if value is None:
                getattr(org, attribute).pop(name, None)
            else:
                getattr(org, attribute)[name] = from_dict(cls, value)


def _written_at(value) -> str:
    return value.get("created_at") or "" if isinstance(value, dict) else ""


def _set_part(org: Org, name: str, value) -> None:
    if name == "custom_klasses":
        org.custom_klasses = {k.name: k for k in (from_dict(CustomKlass, raw) for raw in value)}
    elif name == "rng":
        version, state, gauss = value
        org.rng.setstate((version, tuple(state), gauss))
    elif name == "ids":
        org.ids.restore(value)
    elif name == "outbound_webhooks":
        org.outbound_webhooks = restore_webhooks(value)
    else:
        setattr(org, name, value)


def clear_records(org: Org) -> None:
    """Empty the org's record collections (before a whole reload sets every field)."""
    org.customers, org.conversations, org.messages, org.notes, org.kobjects = {}, {}, {}, {}, {}
    org.tokens, org.files = {}, {}

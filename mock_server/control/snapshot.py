"""The whole state as versioned JSON: export, import, and the --state-file saved atomically."""
from __future__ import annotations

import copy
import glob
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Iterator

from ..domain.assistant_flow import check_assistants
from ..domain.clock import Clock, parse_iso
from ..domain.errors import ApiError
from ..domain.fixtures import FixtureError
from ..domain.kobjects import CustomKlass
from ..domain.models import Conversation, Customer, KObject, Message, Note, from_dict, to_dict
from ..domain.org import Org

VERSION = 1
# Plain data an org holds besides its records; attributes another version lacks are skipped.
PLAIN = ("settings", "brands", "users", "teams", "tags", "queues", "shortcuts", "assistants", "tokens", "chat_secret",
         "sdk_warnings", "merges", "bulk_jobs")
# Records kept by id, exported as lists: (attribute, class)
RECORDS = (("notes", Note), ("kobjects", KObject), ("custom_klasses", CustomKlass))
# Older versions and the function that brings each one a version up; none exist before 1 yet.
MIGRATIONS: dict = {}
TEMPORARY_SUFFIX = ".tmp"
_SAVING = threading.Lock()   # one save at a time: a late periodic save never replaces a newer one


class InvalidState(ApiError):
    """A state document that cannot be imported; nothing is changed."""
    code, title = "invalid_state", "Invalid state document"


class UnsupportedStateVersion(ApiError):
    """A state document of a version this mock cannot read or migrate."""
    code, title = "unsupported_state_version", "Unsupported state version"


CHUNK = 500   # records serialized per hold of an org's lock: a write waits for one chunk at most


def export_state(store, clock: Clock) -> dict:
    """Every org built so far, with the keys seen and the clock, as one JSON document."""
    return json.loads("".join(export_chunks(store, clock)))


def export_chunks(store, clock: Clock) -> Iterator[str]:
    """The export document as JSON text, piece by piece, never holding an org's lock for long.

    Each org's records are listed under its lock in one quick pass (references only), then
    serialized CHUNK at a time, each chunk under the lock again: the document holds every record
    that existed when its org was listed (as it is when its chunk is written, so references never
    dangle), and calls on the org go on between chunks.
    """
    keys = store.keys()
    by_org: dict[str, list] = {}
    for key in keys:
        by_org.setdefault(store.fixtures.org_name(key), []).append(key)
    head = {"version": VERSION, "exportedAt": clock.now_iso(), "seed": store.seed, "clock": clock.describe(),
            "keys": keys}
    yield _dumps(head)[:-1] + ',"orgs":['
    for index, (name, org) in enumerate(store.orgs().items()):
        yield "," if index else ""
        yield from _org_chunks(org, by_org.get(name, []))
    yield "]}"


_ENCODER = json.JSONEncoder(separators=(",", ":"))   # made once: json.dumps with options makes one per call


def _dumps(value) -> str:
    return _ENCODER.encode(value)


def _records(batch: list) -> str:
    return _dumps([vars(record) for record in batch])[1:-1]


def _org_chunks(org: Org, keys: list) -> Iterator[str]:
    with org.reading():   # one pass over references: milliseconds even for 100k conversations
        plain = {name: copy.deepcopy(getattr(org, name)) for name in PLAIN
                 if hasattr(org, name) and name != "tokens"}
        version, state, gauss = org.rng.getstate()
        customers, conversations = list(org.customers.values()), list(org.conversations.values())
        threads = [(cid, len(messages)) for cid, messages in org.messages.items()]
        tokens = list(org.tokens)
        # the smaller collections in one go: notes, KObjects, Klasses, webhooks and their pending deliveries
        extra = {**{name: [to_dict(r) for r in getattr(org, name).values()] for name, _ in RECORDS},
                 "webhooks": org.webhooks.export(), "webhook_outbox": org.webhooks.outbox.export(),
                 "ids": org.ids.export()}
    own_clock = {"clock": org.clock.describe()} if org.clock.own else {}   # a test's own time for this org
    yield _dumps({"name": org.name, "keys": keys, **plain, **extra, **own_clock,
                  "rng": [version, list(state), gauss]})[:-1]
    yield ',"tokens":{'
    yield from _pieces(org, tokens, lambda batch: ",".join(filter(None, (_token(org, t) for t in batch))))
    yield '},"customers":['
    yield from _pieces(org, customers, _records)
    yield '],"conversations":['
    yield from _pieces(org, conversations, _records)
    yield '],"messages":{'
    # a thread of n messages counts n towards a chunk, so a chunk stays about CHUNK records
    yield from _pieces(org, threads, lambda batch: ",".join(_thread(org, *thread) for thread in batch),
                       weight=lambda thread: thread[1])
    yield "}}"


def _token(org: Org, token: str) -> str:
    info = org.tokens.get(token)   # a logout since the listing removed it: left out
    return "" if info is None else f"{_dumps(token)}:{_dumps(info)}"


def _thread(org: Org, conversation_id: str, count: int) -> str:
    messages = org.messages[conversation_id][:count]
    return f"{_dumps(conversation_id)}:[{_records(messages)}]"


def _pieces(org: Org, items: list, write, weight=lambda item: 1) -> Iterator[str]:
    """`items` written by `write(batch)` as one comma-separated run, CHUNK records per hold of the org's lock."""
    start, first = 0, True
    while start < len(items):
        end, size = start, 0
        while end < len(items) and (size < CHUNK or end == start):
            size, end = size + max(1, weight(items[end])), end + 1
        with org.reading():
            text = write(items[start:end])
        if text:
            yield text if first else "," + text
            first = False
        start = end


def import_state(store, clock: Clock, document) -> dict:
    """Replace every org with the document's: the whole document is checked first, so a bad one changes nothing.

    Schema errors (marshmallow's ValidationError, with a pointer per field) and InvalidState (a record that
    names a customer or conversation the document lacks) are raised before the store or the clock is touched.
    """
    from .schemas.state import StateDocument   # the schemas import the domain; keep this module light
    document = migrate(document)
    StateDocument().load(document)   # checks only: the import reads the document as exported (camelCase settings)
    frozen = document.get("clock") or {}
    freeze_at = parse_iso(frozen["now"]) if frozen.get("frozen") else None   # in range: the schema checked it
    orgs = {}
    for index, raw in enumerate(document["orgs"]):
        org = _import_org(store, clock, raw, f"/orgs/{index}")
        orgs[org.name] = org
    keys = document.get("keys") or []
    store.replace(orgs, keys)
    if freeze_at is not None:
        clock.freeze(freeze_at)
    return {"imported": len(orgs), "version": VERSION, "keys": len(keys)}


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


def _import_org(store, clock: Clock, raw: dict, pointer: str) -> Org:
    """An org from its (schema-checked) export; InvalidState when its parts do not fit together."""
    key = (raw.get("keys") or [raw["name"]])[0]
    spec = store.fixtures.spec(key)
    if spec.name != raw["name"]:
        raise InvalidState(f"key {key!r} belongs to org {spec.name!r} in these fixtures, not {raw['name']!r}",
                           pointer=f"{pointer}/name")
    org = Org(spec, store.seed, clock)
    for name in PLAIN:
        if name in raw and hasattr(org, name):
            setattr(org, name, copy.deepcopy(raw[name]))
    org.customers = {c["id"]: from_dict(Customer, c) for c in raw.get("customers", [])}
    org.conversations = {c["id"]: from_dict(Conversation, c) for c in raw.get("conversations", [])}
    org.messages = {cid: [from_dict(Message, m) for m in messages]
                    for cid, messages in (raw.get("messages") or {}).items()}
    for name, cls in RECORDS:
        if name in raw:   # custom Klasses missing from an older export keep the fixtures' ones
            records = (from_dict(cls, item) for item in raw[name])
            setattr(org, name, {(r.name if cls is CustomKlass else r.id): r for r in records})
    org.webhooks.restore(raw.get("webhooks") or [])
    org.webhooks.outbox.restore(raw.get("webhook_outbox") or {})
    _check_references(org, raw, pointer)
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


def _check_references(org: Org, raw: dict, pointer: str) -> None:
    """Every conversation's customer, every message list's conversation, every token's customer exists."""
    for index, conversation in enumerate(raw.get("conversations", [])):
        if conversation["customer_id"] not in org.customers:
            raise InvalidState(f"conversation {conversation['id']} names customer {conversation['customer_id']}, "
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


def save_file(path: str | Path, chunks: Iterable[str]) -> Path:
    """Write the document's pieces atomically: a temporary file in the same folder, then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Delete what a save killed mid-way left beside the state file (answers what it deleted)."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    stale = sorted(path.parent.glob(f".{glob.escape(path.name)}.*{TEMPORARY_SUFFIX}"))
    for leftover in stale:
        leftover.unlink(missing_ok=True)
    return stale


def load_file(path: str | Path) -> dict | None:
    """The document in `path`, or None when the file does not exist yet (a first run)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidState(f"state file {path} cannot be read: {exc}") from None


def init_app(app) -> None:
    """Load the --state-file (when it exists) into the app's store before the first request."""
    path = app.config.get("STATE_FILE")
    if path:
        remove_stale_temporaries(path)   # only a save killed mid-way (kill -9) leaves one
    document = load_file(path) if path else None
    if document is not None:
        from marshmallow import ValidationError

        from ..errors import validation_errors
        from ..state import get_state
        state = get_state(app)
        try:
            import_state(state.store, state.clock, document)
        except ValidationError as error:
            # each detail reads "orgs/0/name: reason": shown as a pointer, like the HTTP answer's source
            found = "; ".join(f"/{e.detail}" for e in validation_errors(error.messages))
            raise InvalidState(f"state file {path} cannot be imported: {found}") from None


def save_app(app) -> Path | None:
    """Write the app's state to its --state-file, if it has one."""
    path = app.config.get("STATE_FILE")
    if not path:
        return None
    from ..state import get_state
    state = get_state(app)
    with _SAVING:
        return save_file(path, export_chunks(state.store, state.clock))


def save_every(app, seconds: float, on_error=print) -> threading.Event:
    """Save the app's --state-file every `seconds` from a daemon thread, until the answered event is set."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(seconds):
            try:
                save_app(app)
            except OSError as exc:   # a full disk or a removed folder: say so, keep serving, try again
                on_error(f"kustomer-mock could not save the state: {exc}")
    threading.Thread(target=run, daemon=True, name="kustomer-mock-save").start()
    return stop

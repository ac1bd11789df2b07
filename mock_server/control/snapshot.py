"""The whole state as versioned JSON: export, import, and the --state-file saved atomically."""
from __future__ import annotations

import copy
import glob
import io
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Iterator

from ..domain.clock import Clock
from ..domain.errors import ApiError
from ..domain.models import plain, to_dict
from ..domain.org import Org
from .heap import full_passes_deferred
from .json_stream import BadJson
from .restore import PLAIN, VERSION, InvalidState, UnsupportedStateVersion, import_stream, migrate  # noqa: F401

# the smaller collections, written in one go with the org's plain data
RECORDS = ("notes", "kobjects", "custom_klasses")
TEMPORARY_SUFFIX = ".tmp"
_SAVING = threading.Lock()   # one save at a time: a late periodic save never replaces a newer one


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
    with full_passes_deferred():   # a full pass over every record would stop each call for its length
        yield from _document_chunks(store, clock)


def _document_chunks(store, clock: Clock) -> Iterator[str]:
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
    # models.plain reads the slots: a container never used is written as [] or {} without being made
    return _dumps([plain(record) for record in batch])[1:-1]


def _org_chunks(org: Org, keys: list) -> Iterator[str]:
    with org.reading():   # one pass over references: milliseconds even for 100k conversations
        plain = {name: copy.deepcopy(getattr(org, name)) for name in PLAIN
                 if hasattr(org, name) and name != "tokens"}
        version, state, gauss = org.rng.getstate()
        customers, conversations = list(org.customers.values()), list(org.conversations.values())
        threads = [(cid, len(messages)) for cid, messages in org.messages.items()]
        tokens = list(org.tokens)
        # the smaller collections in one go: notes, KObjects, Klasses, webhooks and their pending deliveries
        extra = {**{name: [to_dict(r) for r in getattr(org, name).values()] for name in RECORDS},
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
    """Replace every org with those of a document already in memory (as PUT /__admin/state does with a body)."""
    return import_stream(store, clock, io.BytesIO(_dumps(document).encode()))


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


def load_file(store, clock: Clock, path: str | Path) -> dict | None:
    """Import the document in `path`, streamed; None when the file does not exist yet (a first run)."""
    from marshmallow import ValidationError

    from ..errors import validation_errors
    path = Path(path)
    try:
        with path.open("rb") as stream:
            return import_stream(store, clock, stream)
    except FileNotFoundError:
        return None
    except (OSError, BadJson, ApiError) as exc:
        detail = exc.detail if isinstance(exc, ApiError) else exc
        where = f" ({exc.pointer})" if getattr(exc, "pointer", None) else ""
        raise InvalidState(f"state file {path} cannot be read: {detail}{where}") from None
    except ValidationError as error:
        # each detail reads "orgs/0/name: reason": shown as a pointer, like the HTTP answer's source
        found = "; ".join(f"/{e.detail}" for e in validation_errors(error.messages))
        raise InvalidState(f"state file {path} cannot be imported: {found}") from None


def init_app(app) -> None:
    """Load the --state-file (when it exists) into the app's store before the first request."""
    path = app.config.get("STATE_FILE")
    if path:
        from ..state import get_state
        remove_stale_temporaries(path)   # only a save killed mid-way (kill -9) leaves one
        state = get_state(app)
        load_file(state.store, state.clock, path)


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

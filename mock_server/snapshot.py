"""The whole state as versioned JSON: export, import, and the --state-file saved atomically."""
from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path

from .domain.clock import Clock, parse_iso
from .domain.errors import ApiError
from .domain.models import Conversation, Customer, Message, from_dict, to_dict
from .domain.org import Org

VERSION = 1
# Plain data an org holds besides its records; attributes another version lacks are skipped.
PLAIN = ("settings", "brands", "users", "teams", "tags", "queues", "assistants", "tokens", "chat_secret",
         "sdk_warnings")
# Older versions and the function that brings each one a version up; none exist before 1 yet.
MIGRATIONS: dict = {}


class InvalidState(ApiError):
    """A state document that cannot be imported; nothing is changed."""
    code, title = "invalid_state", "Invalid state document"


class UnsupportedStateVersion(ApiError):
    """A state document of a version this mock cannot read or migrate."""
    code, title = "unsupported_state_version", "Unsupported state version"


def export_state(store, clock: Clock) -> dict:
    """Every org built so far, with the keys seen and the clock, as one JSON document."""
    keys = store.keys()
    by_org: dict[str, list] = {}
    for key in keys:
        by_org.setdefault(store.fixtures.org_name(key), []).append(key)
    return {"version": VERSION, "exportedAt": clock.now_iso(), "seed": store.seed, "clock": clock.describe(),
            "keys": keys, "orgs": [_export_org(org, by_org.get(name, [])) for name, org in store.orgs().items()]}


def _export_org(org: Org, keys: list) -> dict:
    with org.lock:
        plain = {name: copy.deepcopy(getattr(org, name)) for name in PLAIN if hasattr(org, name)}
        version, state, gauss = org.rng.getstate()
        return {"name": org.name, "keys": keys, **plain,
                "customers": [to_dict(c) for c in org.customers.values()],
                "conversations": [to_dict(c) for c in org.conversations.values()],
                "messages": {cid: [to_dict(m) for m in messages] for cid, messages in org.messages.items()},
                "rng": [version, list(state), gauss]}


def import_state(store, clock: Clock, document) -> dict:
    """Replace every org with the document's (all or nothing); a frozen clock is frozen again."""
    document = migrate(document)
    orgs = {}
    for index, raw in enumerate(document["orgs"]):
        org = _import_org(store, clock, raw, f"/orgs/{index}")
        orgs[org.name] = org
    keys = document.get("keys") or []
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise InvalidState("keys must be a list of API keys", pointer="/keys")
    store.replace(orgs, keys)
    frozen = document.get("clock") or {}
    if frozen.get("frozen") and frozen.get("now"):
        clock.freeze(parse_iso(frozen["now"]))
    return {"imported": len(orgs), "version": VERSION, "keys": len(keys)}


def migrate(document) -> dict:
    """The document in the current version, or a 400 that says which versions this mock reads."""
    if not isinstance(document, dict) or not isinstance(document.get("orgs"), list):
        raise InvalidState("a state document is an object with 'version' and an 'orgs' list", pointer="/orgs")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise UnsupportedStateVersion(f"'version' must be an integer, not {version!r}; this mock writes "
                                      f"version {VERSION}", pointer="/version")
    while version in MIGRATIONS:
        document, version = MIGRATIONS[version](document), version + 1
    if version != VERSION:
        raise UnsupportedStateVersion(f"state version {version} cannot be read: this mock reads version "
                                      f"{VERSION} (and migrates {sorted(MIGRATIONS) or 'no older ones'}); "
                                      "export it again with a matching kustomer-mock", pointer="/version")
    return document


def _import_org(store, clock: Clock, raw, pointer: str) -> Org:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise InvalidState("each org needs a 'name'", pointer=f"{pointer}/name")
    key = (raw.get("keys") or [raw["name"]])[0]
    spec = store.fixtures.spec(key)
    if spec.name != raw["name"]:
        raise InvalidState(f"key {key!r} belongs to org {spec.name!r} in these fixtures, not {raw['name']!r}",
                           pointer=f"{pointer}/name")
    org = Org(spec, store.seed, clock)
    try:
        for name in PLAIN:
            if name in raw and hasattr(org, name):
                setattr(org, name, copy.deepcopy(raw[name]))
        org.customers = {c["id"]: from_dict(Customer, c) for c in raw.get("customers", [])}
        org.conversations = {c["id"]: from_dict(Conversation, c) for c in raw.get("conversations", [])}
        org.messages = {cid: [from_dict(Message, m) for m in messages]
                        for cid, messages in (raw.get("messages") or {}).items()}
        if raw.get("rng"):
            version, state, gauss = raw["rng"]
            org.rng.setstate((version, tuple(state), gauss))
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise InvalidState(f"org {raw['name']!r}: {exc}", pointer=pointer) from None
    return org


def save_file(path: str | Path, document: dict) -> Path:
    """Write the document atomically: a temporary file in the same folder, then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


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
    document = load_file(path) if path else None
    if document is not None:
        from .state import get_state
        state = get_state(app)
        import_state(state.store, state.clock, document)


def save_app(app) -> Path | None:
    """Write the app's state to its --state-file, if it has one."""
    path = app.config.get("STATE_FILE")
    if not path:
        return None
    from .state import get_state
    state = get_state(app)
    return save_file(path, export_state(state.store, state.clock))

"""The request journal: every call to the mock's surfaces, in a ring of JOURNAL_SIZE entries.

With the redis store the ring is a Redis stream every process records into (store/redis_journal.py).
"""
from __future__ import annotations

import itertools
import threading
import time
from collections import deque

from flask import Flask, Response, current_app, request
from werkzeug.datastructures import EnvironHeaders

from ..caller import caller_if_any
from ..domain.clock import parse_iso
from ..state import get_state
from ..store.redis import RedisStore
from ..store.redis_journal import SharedRing
from ..strict_json import loads

BODY_LIMIT = 4096  # characters of a request or response body kept per entry
MAX_WAIT_SECONDS = 25.0  # a long poll (?after=ID&wait=S) answers empty after this at most


class Journal:
    """A bounded, thread-safe ring of request entries with increasing ids (in memory, or `shared` in Redis)."""

    def __init__(self, size: int, max_wait: float = MAX_WAIT_SECONDS, shared: SharedRing | None = None):
        self.max_wait = max_wait   # JOURNAL_MAX_WAIT: the longest long poll (a fuzz run shortens it)
        self.shared = shared
        self._entries: deque[dict] = deque(maxlen=max(1, size))
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._added = threading.Condition(self._lock)   # wakes long polls (the dashboard's live journal)
        self._closed = False

    def record(self, entry: dict) -> dict:
        """Append an entry, giving it the next id (fields in RAW_FIELDS are finished when first read).

        A shared journal finishes the entry now (other processes read it) and gives it an id in Redis.
        """
        if self.shared is not None:
            return {"id": self.shared.add([_finished(entry)]), **entry}
        with self._lock:
            entry = {"id": next(self._ids), **entry}
            self._entries.append(entry)
            self._added.notify_all()
            return entry

    def close(self) -> None:
        """Answer every waiting long poll now (the server is stopping)."""
        with self._lock:
            self._closed = True
            self._added.notify_all()

    def wait_after(self, after: int, seconds: float) -> None:
        """Block until an entry newer than `after` exists, `seconds` pass, or the journal closes."""
        deadline = time.monotonic() + min(seconds, self.max_wait)
        if self.shared is not None:
            self.shared.wait_newer(after, deadline - time.monotonic(), lambda: self._closed)
            return
        with self._lock:
            while not self._closed and not (self._entries and self._entries[-1]["id"] > after):
                left = deadline - time.monotonic()
                if left <= 0 or not self._added.wait(left):
                    return

    def clear(self) -> int:
        """Forget every entry (ids keep growing, so a follower never sees one twice)."""
        if self.shared is not None:
            return self.shared.clear()
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count

    def query(self, operation=None, org=None, status=None, since=None, after=None, limit=None, wait=None) -> dict:
        """Entries matching every given filter, oldest first; `limit` keeps the newest ones.

        With `after` and `wait` (seconds), none matching yet: wait for new entries (a long poll).
        """
        if wait and after is not None:
            deadline = time.monotonic() + min(wait, self.max_wait)
            while True:
                found = self.query(operation, org, status, since, after, limit)
                left = deadline - time.monotonic()
                if found["requests"] or left <= 0 or self._closed:
                    return found
                self.wait_after(max(after, self._last_id()), left)
        entries = self._entries_after(after)
        since_at = parse_iso(since) if since else None
        found = [e for e in entries
                 if (operation is None or e["operation"] == operation)
                 and (org is None or e["org"] == org or e.get("orgName") == org)
                 and (status is None or _status_fits(e["status"], status))
                 and (since_at is None or parse_iso(e["time"]) >= since_at)
                 and (after is None or e["id"] > after)]
        shown = found[-limit:] if limit else found
        return {"requests": shown, "total": len(found)}


    def _entries_after(self, after: int | None) -> list[dict]:
        if self.shared is not None:
            return self.shared.entries(after)
        with self._lock:
            return [_finished(entry) for entry in self._entries]

    def _last_id(self) -> int:
        if self.shared is not None:
            return self.shared.newest()
        with self._lock:
            return self._entries[-1]["id"] if self._entries else 0


def _status_fits(actual: int | None, wanted: str) -> bool:
    if wanted == "dropped":
        return actual is None
    if wanted.endswith("xx"):
        return actual is not None and str(actual)[0] == wanted[0]
    return actual is not None and str(actual) == wanted


def init_app(app: Flask) -> Journal:
    """Keep a journal on the app; create_app puts `record` in the request pipeline."""
    state, size = get_state(app), int(app.config.get("JOURNAL_SIZE") or 1000)
    shared = SharedRing(state.store, size) if isinstance(state.store, RedisStore) else None
    journal = state.journal = Journal(size, float(app.config.get("JOURNAL_MAX_WAIT", MAX_WAIT_SECONDS)), shared)
    return journal


def get_journal(app: Flask | None = None) -> Journal:
    """The Journal of `app` (default: the current app)."""
    return get_state(app).journal


def record(response: Response) -> Response:
    """The pipeline's `journal` step (after the view): one entry for every call to the mock's surfaces.

    It runs on every call, so it only keeps references: bodies and headers become JSON when the
    journal is first read (`_finished`), not here.
    """
    caller = caller_if_any()
    if caller is None or caller.exempt:
        return response
    req = request._get_current_object()   # one proxy lookup, not one per field
    environ = req.environ
    fault = caller.fault or {}
    dropped = fault.get("drop") in ("reset", "empty", "hang")
    get_journal().record({
        "time": caller.time, "org": caller.key, "orgName": caller.org_name,
        "operation": caller.operation, "method": req.method, "path": req.path,
        "query": req.args.to_dict(flat=True) if environ.get("QUERY_STRING") else {},
        "status": None if dropped else response.status_code,
        "durationMs": round((time.perf_counter() - caller.started) * 1000, 3),
        "fault": fault.get("id"), "drop": fault.get("drop"), "stub": caller.stub,
        "requestHeaders": _Raw({k: v for k, v in environ.items() if k.startswith(_HEADER_KEYS)}),
        "responseHeaders": _Raw(response.headers.to_wsgi_list()[:]),
        "requestBody": _Raw(_kept(_request_body(req))),
        "responseBody": None if dropped or response.is_streamed or response.direct_passthrough
        else _Raw(_kept(response.get_data())),
    })
    return response


_HEADER_KEYS = ("HTTP_", "CONTENT_TYPE", "CONTENT_LENGTH")   # what EnvironHeaders reads of an environ


class _Raw:
    """A field of an entry as the request left it: made into JSON the first time the journal is read."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _kept(raw):
    """As much of a body as _body can show: a large upload is not held whole by the ring."""
    return raw[: BODY_LIMIT * 4] if isinstance(raw, bytes) and len(raw) > BODY_LIMIT else raw


def _finished(entry: dict) -> dict:
    """The entry with its raw fields made JSON (in place, once; called under the journal's lock)."""
    for name in ("requestHeaders", "responseHeaders", "requestBody", "responseBody"):
        value = entry.get(name)
        if isinstance(value, _Raw):
            entry[name] = _finish(name, value.value)
    return entry


def _finish(name: str, value):
    if name == "requestHeaders":
        return _headers(EnvironHeaders(value).items())
    if name == "responseHeaders":
        return _headers(value)
    return value if isinstance(value, str) or value is None else _body(value)


def _headers(pairs) -> dict:
    """Headers as a dict; a Cookie may carry the admin token, so only its presence is kept."""
    return {name: "<redacted>" if name.lower() == "cookie" else value for name, value in pairs}


def _request_body(req):
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (req.content_length or 0) > limit:
        return f"<{req.content_length} bytes, over the limit>"
    return req.get_data(cache=True)


def _body(raw: bytes):
    """A body as JSON when it is small JSON, else its text cut to BODY_LIMIT characters; never raises."""
    if not raw:
        return None
    text = raw[: BODY_LIMIT * 4].decode("utf-8", "replace")
    if len(raw) <= BODY_LIMIT:
        try:
            # the strict reader: an entry never holds NaN or Infinity, which would make the journal invalid JSON
            return loads(text)
        except ValueError:
            pass
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + "…"

"""The caller, resolved once per request: key, org, roles, operation, tracking token.

The `caller` step of the request pipeline (see create_app) makes one Caller before the faults act;
security's answers come first, the faults, the stubs, the role guards, the views and the journal read it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import g, request

from .domain.errors import MissingApiKey
from .domain.org import Org
from .domain.store import check_key
from .state import get_state

TRACKING_HEADER = "x-kustomer-tracking-token"
EXEMPT_PREFIXES = ("/__admin/", "/chat-web/")  # the control API and the browser files: no caller, no faults


@dataclass
class Caller:
    """Who is calling and what: read by faults, stubs, role guards, views and the journal."""

    operation: str | None
    started: float = field(default_factory=time.perf_counter)   # before faults delay the request
    time: str | None = None          # the mock clock's time when the request arrived
    exempt: bool = False             # the control API or a static file: never faulted or journaled
    key: str | None = None           # the API key (checked: an overlong one never gets this far)
    org_name: str | None = None      # the org the key belongs to (no org is made for it yet)
    tracking_token: str | None = None
    fault: dict | None = None        # {"id", "drop"} of the fault rule that fired
    stub: str | None = None          # the id of the stub rule that answered
    stream_cut_after: int | None = None   # a `drop: cut` fault: events before the stream is cut
    ratelimit_headers: dict | None = None  # REST v1's budget, reported on the response
    _org: Org | None = None

    @property
    def org(self) -> Org:
        """The org of the caller's key, made on first use (401 without a key)."""
        if self._org is None:
            self._org = get_state().store.org(self.require_key(), self.org_name)
        return self._org

    @property
    def roles(self) -> tuple:
        """The roles the caller's key holds in its org."""
        return tuple(self.org.roles.get(self.require_key(), ()))

    def require_key(self) -> str:
        """The caller's key, or 401 missing_api_key."""
        if not self.key:
            raise MissingApiKey("Send the API key as 'Authorization: Bearer <key>'.")
        return self.key


def exempt(path: str, endpoint: str | None) -> bool:
    """Whether a request belongs to the control API or the static files (never faulted or journaled)."""
    return path == "/" or path.startswith(EXEMPT_PREFIXES) or path in ("/__admin", "/chat-web") \
        or endpoint == "static"


def operation_name(req=None) -> str | None:
    """The operation of this request: its endpoint without the blueprint (the SDK method name)."""
    rule = (req or request).url_rule
    return rule.endpoint.split(".")[-1] if rule else None


def resolve_key(req=None) -> str | None:
    """The API key sent: `Authorization: Bearer KEY`, x-kustomer-api-key, or the `key` query (streams)."""
    req = req or request
    header = req.headers.get("Authorization", "")
    key = header[7:].strip() if header[:7].lower() == "bearer " else None
    key = key or req.headers.get("x-kustomer-api-key") or (req.args.get("key") if req.query_string else None)
    return check_key(key) if key else None   # an overlong key is refused before faults, views or the store


def resolve() -> None:
    """The pipeline's `caller` step: make this request's Caller (the key only off the control API)."""
    req, state = request._get_current_object(), get_state()   # every proxy lookup costs: once each
    caller = g.caller = Caller(operation_name(req), time=state.clock.now_iso(),
                               exempt=exempt(req.path, req.endpoint))
    if caller.exempt:
        return
    key = resolve_key(req)
    if key:
        caller.key, caller.org_name = key, state.store.fixtures.org_name(key)
        org = state.store.built(caller.org_name)
        if org is not None and org.clock.own:   # a test froze or moved this org's time: its calls carry it
            caller.time = org.clock.now_iso()
    caller.tracking_token = req.headers.get(TRACKING_HEADER) or (req.args.get("token") if req.query_string else None)


def current_caller() -> Caller:
    """This request's Caller."""
    return g.caller


def caller_if_any() -> Caller | None:
    """This request's Caller, or None when the request was answered before the caller step."""
    return g.get("caller")

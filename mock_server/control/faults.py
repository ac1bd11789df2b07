"""Fault injection over HTTP: before each view, the first rule that fires answers, delays or drops."""
from __future__ import annotations

import json
import time
from http import HTTPStatus

from flask import Flask, Response, current_app, request

from ..caller import Caller, current_caller, exempt
from ..domain.errors import ApiError
from ..errors import envelope
from ..serving import DROP_KEY, SOCKET_KEY, client_gone
from ..state import get_state
from ..store.redis import RedisStore
from ..store.redis_rules import SharedRules
from .rules import MAX_HANG_SECONDS, Call, Decision, FaultSet

HANG_POLL_SECONDS = 0.05
_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 408: "request_timeout",
          409: "conflict", 429: "rate_limited", 500: "internal_error", 502: "bad_gateway",
          503: "service_unavailable", 504: "gateway_timeout"}


class ConnectionDropped(ApiError):
    """A drop fault seen through a client without a socket (Flask's test client)."""
    status, code, title = 502, "connection_dropped", "Connection dropped"


def init_app(app: Flask) -> FaultSet:
    """Keep the fault rules on the app; create_app puts `before` in the request pipeline.

    With the redis store, the fault and the stub rules are shared by every process (store/redis_rules.py).
    """
    state, seed = get_state(app), int(app.config["SEED"])
    if isinstance(state.store, RedisStore):
        shared = SharedRules(state.store, seed)
        state.faults, state.stubs = shared.faults, shared.stubs
    else:
        state.faults = FaultSet(seed)
    return state.faults


def get_faults(app: Flask | None = None) -> FaultSet:
    """The FaultSet of `app` (default: the current app)."""
    return get_state(app).faults


def operation_names(app: Flask | None = None) -> list[str]:
    """Every operation a rule can match: the endpoint names of the routes that are faulted."""
    app = app or current_app
    return sorted({rule.endpoint.split(".")[-1] for rule in app.url_map.iter_rules()
                   if not exempt(rule.rule.split("<")[0], rule.endpoint)})


def before() -> Response | None:
    """The pipeline's `faults` step: the first rule that fires answers, delays or drops this call."""
    caller, faults = current_caller(), get_faults()
    if caller.exempt:
        return None
    faults.refresh(caller)   # shared rules: their version read with the org's, for this step and the stubs step
    if not faults.has_rules:
        return None
    decision = faults.decide(call_of(caller))
    if decision is None:
        return None
    caller.fault = {"id": decision.rule_id, "drop": decision.drop}
    if decision.delay_ms:
        get_state().clock.sleep(decision.delay_ms / 1000)
    if decision.drop:
        return _drop(decision)
    if decision.respond:
        return respond(decision.rule_id, decision.respond)
    return None  # a delay alone: a stub (or else the view) answers as usual


def call_of(caller: Caller) -> Call:
    """What a fault or stub rule matches: the caller's operation, method, path, key and org."""
    return Call(caller.operation, request.method, request.path, caller.key, caller.org_name)


def respond(rule_id: str, spec: dict) -> Response:
    """The error envelope a rule asks for; a 429 carries Kustomer's rate-limit headers."""
    status = spec["status"]
    error = ApiError(spec.get("detail") or f"Injected by fault {rule_id}", meta={"fault": rule_id})
    error.status, error.code = status, spec.get("code") or _CODES.get(status, "injected_fault")
    error.title = spec.get("title") or _phrase(status)
    headers = {"x-kustomer-mock-fault": rule_id}
    if status == 429:
        headers.update({"x-ratelimit-limit": "1000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1",
                        "Retry-After": "1"})
    headers.update(spec.get("headers") or {})
    return envelope([error], headers)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Injected fault"


def _drop(decision: Decision) -> Response | None:
    if decision.drop == "malformed":
        return _malformed(decision)
    if decision.drop == "cut" and current_caller().operation == "eventStream":
        # the stream opens as usual and is cut after `cutAfter` events (api/live.py reads this)
        current_caller().stream_cut_after = 1 if decision.cut_after is None else decision.cut_after
        return None
    drop = request.environ.get(DROP_KEY)
    if drop is None:
        raise ConnectionDropped(f"fault {decision.rule_id}: drop {decision.drop!r} closes the connection "
                                "on a real server; this client has no socket")
    if decision.drop == "hang":
        sock = request.environ.get(SOCKET_KEY)
        if sock is None:  # in-process interception: no connection to hold, the caller sees a timeout
            drop("hang")
            return Response(b"", 500)
        _hang(sock)
    drop("reset" if decision.drop == "reset" else "empty")
    return Response(b"", 500)  # never sent: the server closes the connection instead


def _hang(sock) -> None:
    """Hold the request until the client gives up, or the named maximum passes."""
    limit = float(current_app.config.get("FAULT_HANG_MAX_SECONDS") or MAX_HANG_SECONDS)
    deadline = time.monotonic() + min(limit, MAX_HANG_SECONDS)
    while time.monotonic() < deadline and not (sock is not None and client_gone(sock)):
        time.sleep(HANG_POLL_SECONDS)


def _malformed(decision: Decision) -> Response:
    """A JSON body cut in the middle, with a Content-Length that fits the cut body."""
    whole = json.dumps({"fault": decision.rule_id, "detail": "this body is cut short on purpose",
                        "data": {"id": "0" * 24, "createdAt": get_state().clock.now_iso()}})
    status = (decision.respond or {}).get("status", 200)
    return Response(whole[: len(whole) // 2], status, content_type="application/json",
                    headers={"x-kustomer-mock-fault": decision.rule_id})

"""Stubs over HTTP: rules that answer a call with any status, body and headers instead of the view.

They share the fault rules' machinery (control/rules.py: match, times, after, probability, scope);
faults are tried first, so a fault can still break a stubbed operation.
"""
from __future__ import annotations

import json

from flask import Flask, Response

from ..caller import current_caller
from ..state import get_state
from .faults import call_of
from .rules import FaultSet



def init_app(app: Flask) -> FaultSet:
    """Keep the stub rules on the app (ids s1, s2, ...); shared ones were made with the fault rules."""
    state = get_state(app)
    if state.stubs is None:
        state.stubs = FaultSet(int(app.config["SEED"]), prefix="s")
    return state.stubs


def get_stubs(app: Flask | None = None) -> FaultSet:
    """The stub rules of `app` (default: the current app)."""
    return get_state(app).stubs


def before() -> Response | None:
    """The pipeline's `stubs` step: a stub answers the call unless a fault already dropped it."""
    caller, stubs = current_caller(), get_stubs()
    if caller.exempt or not stubs.has_rules or (caller.fault and caller.fault["drop"]):
        return None   # a `cut` fault lets the stream open; no stub stands in for it
    decision = stubs.decide(call_of(caller))
    if decision is None:
        return None
    caller.stub = decision.rule_id
    if decision.delay_ms:
        get_state().clock.sleep(decision.delay_ms / 1000)
    return respond(decision.rule_id, decision.respond)


def respond(rule_id: str, spec: dict) -> Response:
    """The answer a stub asks for: its JSON body or text, its status and headers."""
    headers = dict(spec.get("headers") or {})
    content_type = next((headers.pop(k) for k in list(headers) if k.lower() == "content-type"), None)
    if "body" in spec:
        data, content_type = json.dumps(spec["body"]), content_type or "application/json"
    elif "text" in spec:
        data, content_type = spec["text"], content_type or "text/plain; charset=utf-8"
    else:
        data = b""
    response = Response(data, spec.get("status", 200), content_type=content_type)
    if content_type is None:  # no body: no made-up text/html type either
        del response.headers["Content-Type"]
    response.headers.update(headers)
    response.headers["x-kustomer-mock-stub"] = rule_id
    return response

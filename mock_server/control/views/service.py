"""The control API of the mock itself (/__admin): health, reset, orgs, the OpenAPI document."""
from __future__ import annotations

import os
import time

from flask import Blueprint, current_app, request

from ... import __version__
from ..describe import describe_org
from ..schemas import service as s
from ...schemas.common import Anything, EmptyBody, shared
from ...state import get_state, resident_bytes
from ...api.context import json_body
from ...api.docs import operation

bp = Blueprint("admin", __name__)   # mounted under /__admin by control/views/__init__.py


@bp.get("/health", endpoint="health")
@operation(response=s.Health)
def health():
    """200 once the mock is ready."""
    state = get_state()
    store = state.store
    return shared(s.Health).dump({
        "status": "ok", "version": __version__, "uptimeSeconds": round(time.time() - state.started_at, 3),
        "orgs": len(store.names()), "evictedOrgs": store.evicted, "orgIdleSeconds": store.idle_seconds,
        "memoryBytes": resident_bytes(), "pid": os.getpid()})


@bp.post("/reset", endpoint="reset")
@operation(body=EmptyBody, query=s.ResetQuery, response=s.Reset)
def reset():
    """Every org (or ?org=KEY's org) back to its fixtures and seed."""
    shared(EmptyBody).load(json_body())
    key = shared(s.ResetQuery).load(request.args).get("org")
    get_state().store.reset(key)
    return shared(s.Reset).dump({"reset": "org" if key else "all", "org": key})


@bp.get("/orgs/<key>", endpoint="getOrg")
@operation(response=s.OrgDescription)
def get_org(key):
    """An org as tools see it: brands, settings, assistants, Klasses, users, chat secret."""
    return shared(s.OrgDescription).dump(describe_org(get_state().store.org(key), key))


@bp.get("/openapi.json", endpoint="openapi")
@operation(response=Anything)
def openapi():
    """The OpenAPI 3 document of every surface, built from the schemas."""
    from ..openapi import build_spec  # built on demand: keeps apispec off the boot path
    return build_spec(current_app)

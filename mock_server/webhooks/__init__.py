"""Outbound webhooks: domain writes become signed POSTs to the endpoints an org registered."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, request
from marshmallow import ValidationError

from ..domain.errors import ApiError
from ..domain.fixtures import FixtureError
from ..domain.webhooks import check_declared
from ..schemas.common import shared
from ..schemas.webhooks import AdminWebhookBody
from ..state import get_state
from .capture import Capture
from .dispatcher import Dispatcher

# control calls after which due deliveries may have changed: look at once rather than at the next poll
WAKING_ENDPOINTS = ("setClock", "importState", "reset")
log = logging.getLogger(__name__)


@dataclass
class Webhooks:
    """The app's webhook machinery: the capture every org calls, and the delivery worker."""

    capture: Capture
    dispatcher: Dispatcher


def init_app(app: Flask) -> Webhooks:
    """Listen to every org's writes, emit at the end of each request, deliver in the background."""
    state = get_state(app)
    check_fixtures(state.fixtures)
    # a store shared by processes keeps every org's deliveries itself and names the orgs that have some
    # (store/redis_webhooks.py); its worker also looks for what other processes queued
    shared = getattr(state.store, "deliveries", None)
    orgs = shared.orgs if shared is not None else lambda: state.store.orgs().values()
    dispatcher = Dispatcher(orgs, state.faults, float(app.config["WEBHOOK_TIMEOUT"]), poll=shared is not None)
    hooks = state.webhooks = Webhooks(Capture(dispatcher.wake), dispatcher)
    state.store.add_listener(hooks.capture)
    app.teardown_request(_flush)
    app.after_request(_wake_after_control)
    # retries pending in a --state-file go out when due; on a shared store this process may have to send
    # what another queued (and stopped before it could), so its worker runs from the start
    if shared is not None or any(org.webhooks.outbox.count() for org in state.store.orgs().values()):
        dispatcher.wake()
    return hooks


def get_webhooks(app: Flask | None = None) -> Webhooks:
    """The Webhooks of `app` (default: the current app)."""
    return get_state(app).webhooks


def _flush(error=None) -> None:
    try:
        get_webhooks().capture.flush()
    except Exception:   # an event that cannot be built must never turn a finished call into a 500
        log.exception("webhook events of %s %s could not be emitted", request.method, request.path)


def _wake_after_control(response):
    if request.endpoint and request.endpoint.split(".")[-1] in WAKING_ENDPOINTS:
        get_webhooks().dispatcher.wake()
    return response


def check_fixtures(fixtures) -> None:
    """FixtureError at boot for a declared webhook that the REST API would refuse."""
    data = fixtures.data
    places = [("webhooks", data.get("webhooks")), ("default.webhooks", (data.get("default") or {}).get("webhooks"))]
    places += [(f"orgs[{i}].webhooks", org.get("webhooks")) for i, org in enumerate(data.get("orgs") or [])]
    for where, declared in places:
        for index, fields in enumerate(declared or []):
            try:
                check_declared(shared(AdminWebhookBody).load(fields))
            except ValidationError as error:
                raise FixtureError(f"{fixtures.source}: {where}[{index}]: {error.messages}") from None
            except ApiError as error:
                raise FixtureError(f"{fixtures.source}: {where}[{index}] {error.pointer}: {error.detail}") from None

"""The control API: one parent blueprint at /__admin, its children mounted from one route table."""
from __future__ import annotations

from flask import Blueprint, Flask

from . import faults, service, state, stubs, watch, webhooks

PREFIX = "/__admin"

# child blueprint   the routes it adds under /__admin
ROUTE_TABLE = (
    (service.bp,    "GET health, POST reset, GET orgs/KEY, GET openapi.json"),
    (faults.bp,     "GET|POST|DELETE faults, DELETE faults/ID, GET faults/scenarios, POST faults/scenarios/NAME, "
                    "GET|DELETE requests (the journal)"),
    (stubs.bp,      "GET|POST|DELETE stubs, DELETE stubs/ID"),
    (state.bp,      "GET|POST clock, PATCH orgs/KEY/settings, PATCH orgs/KEY/brands/ID, POST orgs/KEY/proactive, "
                    "GET|PUT state, POST state/save"),
    (watch.bp,      "GET orgs, GET orgs/KEY/conversations[/ID], GET orgs/KEY/events (a stream)"),
    (webhooks.bp,   "GET webhooks, POST orgs/KEY/webhooks, DELETE orgs/KEY/webhooks/ID, GET webhooks/deliveries, "
                    "POST orgs/KEY/webhooks/events/ID/redeliver"),
)

bp = Blueprint("control", __name__, url_prefix=PREFIX)
for _child, _routes in ROUTE_TABLE:
    bp.register_blueprint(_child)


def register(app: Flask) -> None:
    """Mount the control API on the app."""
    app.register_blueprint(bp)

"""The control API's clock, org settings and whole-state calls."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from .. import snapshot
from ...domain import proactive
from ...domain.clock import parse_iso
from ...domain.errors import ApiError, InvalidJson, UnsupportedMediaType
from ..json_stream import BadJson
from ...domain.settings import update_brand, update_settings
from ..schemas import calls as c
from ...schemas.common import EmptyBody, shared
from ..schemas.state import StateDocument
from ...state import get_state
from ...api.context import json_body
from ...api.docs import operation

bp = Blueprint("admin_state", __name__)   # mounted under /__admin by control/views/__init__.py


class NoStateFile(ApiError):
    """POST /__admin/state/save without --state-file."""
    status, code, title = 409, "no_state_file", "No state file"


def _clock():
    """The mock clock, or the clock of ?org=KEY's org (made from the fixtures on first use)."""
    key = shared(c.ClockQuery).load(request.args).get("org")
    return get_state().store.org(key).clock if key else get_state().clock


@bp.get("/clock", endpoint="getClock")
@operation(query=c.ClockQuery, response=c.ClockState)
def get_clock():
    """The mock clock (or ?org=KEY's clock): now, frozen, offsetSeconds."""
    return shared(c.ClockState).dump(_clock().describe())


@bp.post("/clock", endpoint="setClock")
@operation(body=c.ClockChange, query=c.ClockQuery, response=c.ClockState)
def set_clock():
    """Freeze at a time (or "now"), advance by seconds, or resume: the mock clock, or only ?org=KEY's clock.

    An org's resume makes it follow the mock clock again; the mock clock's resume leaves orgs with a time
    of their own where they are.
    """
    clock = _clock()
    change = shared(c.ClockChange).load(json_body())
    if "freeze" in change:
        clock.freeze(None if change["freeze"] == "now" else parse_iso(change["freeze"]))
    elif "advance_seconds" in change:
        clock.advance(change["advance_seconds"])
    else:
        clock.resume()
    return shared(c.ClockState).dump(clock.describe())


@bp.patch("/orgs/<key>/settings", endpoint="updateOrgSettings")
@operation(body=c.SettingsChange, response=c.OrgSettings)
def update_org_settings(key):
    """Change availability, startDelayMs, allowEndConversation, defaultAssistantId, businessHours (any subset)."""
    change = shared(c.SettingsChange).load(json_body())
    return update_settings(get_state().store.org(key), **change)


@bp.patch("/orgs/<key>/brands/<brand_id>", endpoint="updateBrandSettings")
@operation(body=c.BrandChange, response=c.BrandSettings)
def update_brand_settings(key, brand_id):
    """A brand's own availability and businessHours (null: the org's again) → {brand, availability now}."""
    change = shared(c.BrandChange).load(json_body())
    return shared(c.BrandSettings).dump(update_brand(get_state().store.org(key), brand_id, change))


@bp.post("/orgs/<key>/proactive", endpoint="triggerProactiveChat")
@operation(body=c.ProactiveTrigger, response=c.ProactiveMessage, status=201, errors=(409,))
def trigger_proactive_chat(key):
    """Show a proactive message in a logged-in customer's widgets; the conversation opens when they answer."""
    change = shared(c.ProactiveTrigger).load(json_body())
    org = get_state().store.org(key)
    customer = proactive.find_customer(org, change.get("customer_id"), change.get("email"), change.get("external_id"))
    message = proactive.trigger(org, customer, change["body"], change.get("from_"))
    return shared(c.ProactiveMessage).dump({**message, "customerId": customer.id}), 201


@bp.get("/state", endpoint="exportState")
@operation(response=StateDocument)
def export_state():
    """Every org as versioned JSON (streamed: an org's calls go on while it is written)."""
    state = get_state()
    return Response(snapshot.export_chunks(state.store, state.clock), mimetype="application/json")


@bp.put("/state", endpoint="importState")
@operation(body=StateDocument, response=c.StateImported)
def import_state():
    """Replace every org with the document's (streamed, up to MAX_IMPORT_BYTES); another version is refused with 400."""
    state = get_state()
    # an export of any size comes back: this route alone takes bodies up to MAX_IMPORT_BYTES
    request.max_content_length = int(current_app.config["MAX_IMPORT_BYTES"])
    if request.content_length and request.mimetype != "application/json":
        raise UnsupportedMediaType(f"Content-Type must be application/json, not {request.mimetype or 'none'}")
    try:   # read as it arrives, checked with schemas.state (after bringing an older version up)
        imported = snapshot.import_stream(state.store, state.clock, request.stream)
    except BadJson as exc:
        raise InvalidJson(f"Malformed JSON body: {exc}") from None
    return shared(c.StateImported).dump(imported)


@bp.post("/state/save", endpoint="saveState")
@operation(body=EmptyBody, response=c.StateSaved, errors=(409,))
def save_state():
    """Write the state to --state-file now (atomically)."""
    shared(EmptyBody).load(json_body())
    path = current_app.config.get("STATE_FILE")
    if not path:
        raise NoStateFile("the mock was started without --state-file (KUSTOMER_MOCK_STATE_FILE)")
    state = get_state()
    orgs = len(state.store.names())
    return shared(c.StateSaved).dump({"path": str(snapshot.save_app(current_app)), "orgs": orgs})

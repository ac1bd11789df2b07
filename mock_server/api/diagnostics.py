"""Integration diagnostics: the fake SDK reports host-page misuse here; tests read them back."""
from __future__ import annotations

import logging

from flask import Blueprint

from ..domain import diagnostics
from ..domain.errors import NotStarted
from ..schemas.common import EmptyBody, shared
from ..schemas.live import SdkWarning, SdkWarningList, SdkWarningRecord, SdkWarningsCleared
from ..state import get_state
from .context import chat_session, current_org, json_body, tracking_token
from .docs import operation

bp = Blueprint("diagnostics", __name__)
log = logging.getLogger("kustomer_mock")


@bp.post("/c/v1/diagnostics", endpoint="sdkWarning")
@operation(body=SdkWarning, response=SdkWarningRecord, status=201, auth="key")
def sdk_warning():
    """A misuse by the host page (call before start, unknown option, ...): kept on the org, logged."""
    report = shared(SdkWarning).load(json_body())
    org, customer_id = current_org(), None
    if tracking_token():
        try:
            customer_id = chat_session().customer.id
        except NotStarted:
            pass  # a warning about a call before start carries no valid token; keep it anyway
    warning = diagnostics.record(org, report["method"], report["reason"], report["page_url"], report["sdk"],
                                 customer_id)
    log.warning("sdkWarning %s: %s (page %s)", warning["method"], warning["reason"], warning["page_url"])
    return shared(SdkWarningRecord).dump(warning), 201


@bp.get("/__admin/orgs/<key>/sdk-warnings", endpoint="getSdkWarnings")
@operation(response=SdkWarningList)
def get_sdk_warnings(key):
    """Every integration warning of the org of `key`, oldest first."""
    warnings = list(get_state().store.org(key).sdk_warnings)
    return shared(SdkWarningList).dump({"warnings": warnings, "total": len(warnings)})


@bp.delete("/__admin/orgs/<key>/sdk-warnings", endpoint="clearSdkWarnings")
@operation(body=EmptyBody, response=SdkWarningsCleared)
def clear_sdk_warnings(key):
    """Forget the org's integration warnings."""
    shared(EmptyBody).load(json_body())
    return {"cleared": diagnostics.clear(get_state().store.org(key))}

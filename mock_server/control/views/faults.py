"""The control API's fault rules, fault scenarios and request journal (/__admin/faults, /__admin/requests)."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from .. import scenarios
from ..faults import get_faults, operation_names
from ..journal import get_journal
from ..stubs import get_stubs
from ..schemas import calls as c
from ..schemas import faults as s
from ...schemas.common import shared
from ...api.context import json_body
from ...api.docs import operation

bp = Blueprint("admin_faults", __name__)   # mounted under /__admin by control/views/__init__.py


@bp.get("/faults", endpoint="listFaults")
@operation(response=s.FaultList)
def list_faults():
    """Every fault rule, in the order they are tried, with hits and seen counts."""
    return {"faults": get_faults().list()}


@bp.post("/faults", endpoint="addFault")
@operation(body=s.FaultRule, response=s.StoredFault, status=201)
def add_fault():
    """Add a fault rule; answers it with its id."""
    rule = s.FaultRule(operations=operation_names()).rule(json_body())
    return get_faults().add([rule])[0], 201


@bp.delete("/faults", endpoint="clearFaults")
@operation(response=s.Cleared)
def clear_faults():
    """Remove every fault rule."""
    return {"removed": get_faults().clear()}


@bp.delete("/faults/<fault_id>", endpoint="removeFault")
@operation(response=s.StoredFault)
def remove_fault(fault_id):
    """Remove one fault rule; answers the rule removed."""
    return get_faults().remove(fault_id)


@bp.get("/faults/scenarios", endpoint="listFaultScenarios")
@operation(response=s.ScenarioList)
def list_fault_scenarios():
    """The scenarios that can be loaded by name."""
    return {"scenarios": scenarios.describe(current_app.config.get("FIXTURES"))}


@bp.post("/faults/scenarios/<name>", endpoint="loadFaultScenario")
@operation(body=s.Scenario, response=s.LoadedScenario, status=201)
def load_fault_scenario(name):
    """Add a scenario's fault rules and stubs: the named file, or the rules in the body (all or none)."""
    body = shared(s.Scenario, partial=("faults",)).load(json_body())
    inline = body.get("faults") or body.get("stubs")
    scenario = body if inline else scenarios.read(name, current_app.config.get("FIXTURES"))
    faults, stubs = scenarios.rules(scenario, operation_names())
    return {"faults": get_faults().add(faults, scenario=name), "stubs": get_stubs().add(stubs, scenario=name)}, 201


@bp.get("/requests", endpoint="listRequests")
@operation(query=c.JournalQuery, response=c.JournalPage)
def list_requests():
    """The journal, oldest first, filtered by operation, org, status, since, after; `limit` keeps the newest."""
    return get_journal().query(**shared(c.JournalQuery).load(request.args))


@bp.delete("/requests", endpoint="clearRequests")
@operation(response=s.Cleared)
def clear_requests():
    """Forget every journal entry."""
    return {"removed": get_journal().clear()}

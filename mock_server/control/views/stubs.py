"""The control API's stubs (/__admin/stubs): the contract of /__admin/faults, with any answer."""
from __future__ import annotations

from flask import Blueprint

from ..faults import operation_names
from ..schemas import faults as f
from ..schemas import stubs as s
from ..stubs import get_stubs
from ...api.context import json_body
from ...api.docs import operation

bp = Blueprint("admin_stubs", __name__)   # mounted under /__admin by control/views/__init__.py


@bp.get("/stubs", endpoint="listStubs")
@operation(response=s.StubList)
def list_stubs():
    """Every stub, in the order they are tried, with hits and seen counts."""
    return {"stubs": get_stubs().list()}


@bp.post("/stubs", endpoint="addStub")
@operation(body=s.StubRule, response=f.StoredFault, status=201)
def add_stub():
    """Add a stub; answers it with its id."""
    rule = s.StubRule(operations=operation_names()).rule(json_body())
    return get_stubs().add([rule])[0], 201


@bp.delete("/stubs", endpoint="clearStubs")
@operation(response=f.Cleared)
def clear_stubs():
    """Remove every stub."""
    return {"removed": get_stubs().clear()}


@bp.delete("/stubs/<stub_id>", endpoint="removeStub")
@operation(response=f.StoredFault)
def remove_stub(stub_id):
    """Remove one stub; answers the stub removed."""
    return get_stubs().remove(stub_id)

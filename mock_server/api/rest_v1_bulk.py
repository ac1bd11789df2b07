"""REST v1 bulk routes: create, update or delete up to 100 records in one call; the job is complete at once."""
from __future__ import annotations

from flask import Blueprint, request
from marshmallow import ValidationError

from ..domain import bulk, customers, kobjects, notes, rest, rest_messages
from ..domain.errors import InvalidBody, MissingField
from ..schemas import rest_v1_bulk as s
from ..schemas.common import shared
from ..schemas.jsonapi import resource
from .context import json_array
from .docs import operation
from .server_context import document, guard, server_org

bp = Blueprint("rest_v1_bulk", __name__, url_prefix="/v1")
guard(bp, rate_limited=True)
KEY = "key"

# what each (resource, method) does to one checked item; KObjects get their Klass name first
_APPLY = {
    ("customers", "POST"): lambda org, item: customers.create_customer(org, item).id,
    ("customers", "PUT"): lambda org, item: customers.update_customer(org, item["id"], item).id,
    ("conversations", "POST"): lambda org, item: rest.create_conversation(org, item["customer"], item).id,
    ("conversations", "PUT"): lambda org, item: rest.update_conversation(org, item["id"], item).id,
    ("messages", "POST"): lambda org, item: rest_messages.create_message(org, item["conversation"], item).id,
    ("messages", "PUT"): lambda org, item: rest_messages.update_message(org, item["id"], item).id,
    ("notes", "POST"): lambda org, item: notes.create_note(org, item["conversation"], item).id,
    ("notes", "PUT"): lambda org, item: notes.update_note(org, item["id"], item).id,
}
_CONTEXT = {"POST": "bulk-create", "PUT": "bulk-create", "DELETE": "bulk-delete"}   # Kustomer's names


def _job_document(job: dict):
    return document(s.BulkDocument, resource("bulk", job["id"], job, None, f"/v1/bulk/{job['id']}"))


def _items(resource_name: str, method: str) -> list[dict]:
    raw = json_array()
    if len(raw) > bulk.MAX_ITEMS:
        raise InvalidBody(f"a bulk request holds at most {bulk.MAX_ITEMS} items, not {len(raw)}")
    if not all(isinstance(item, dict) for item in raw):
        raise ValidationError({str(i): ["an object"] for i, item in enumerate(raw) if not isinstance(item, dict)})
    return shared(s.ITEMS[(resource_name, method)], many=True).load(raw)


def _ids(required: bool) -> list[str]:
    ids = shared(s.BulkIds).load(request.args).get("ids")
    if ids is None and required:
        raise MissingField("name the records with ?ids=a,b", parameter="ids")
    return ids.split(",") if ids else []


def _run(resource_name: str, method: str, apply, status: int, klass: str | None = None):
    items = _items(resource_name, method)
    org = server_org()
    if klass is not None:
        kobjects.custom_klass(org, klass)
    context = f"{resource_name}.{_CONTEXT[method]}"
    job = bulk.run(org, context, items, lambda item: apply(org, item), method, request.path)
    return _job_document(job), status


def _delete(apply):
    ids = _ids(required=True)
    org = server_org()
    resource_name = request.path.split("/")[2] if "/klasses/" not in request.path else "kobjects"
    job = bulk.run(org, f"{resource_name}.bulk-delete", ids, lambda record_id: apply(org, record_id) or record_id,
                   "DELETE", request.path)
    return _job_document(job), 201


def _register(resource_name: str, path: str, create_status: int = 201, update_status: int = 201) -> None:
    """POST and PUT PATH/bulk for one resource."""
    for method, status in (("POST", create_status), ("PUT", update_status)):
        def view(method=method, status=status):
            if method == "PUT":
                _ids(required=False)   # checked when sent; each item names its id
            return _run(resource_name, method, _APPLY[(resource_name, method)], status)
        verb = "create" if method == "POST" else "update"
        view.__doc__ = f"Bulk {verb} up to 100 {resource_name}: the job answers at once, complete."
        endpoint = f"bulk{verb.title()}{resource_name.title()}"
        operation(body=s.items_document(s.ITEMS[(resource_name, method)]), query=s.BulkIds if method == "PUT"
                  else None, response=s.BulkDocument, status=status, auth=KEY)(view)
        bp.add_url_rule(f"{path}/bulk", endpoint, view, methods=[method])


_register("customers", "/customers")
_register("conversations", "/conversations")
_register("messages", "/messages", create_status=200, update_status=200)
_register("notes", "/notes")


@bp.delete("/customers/bulk", endpoint="bulkDeleteCustomers")
@operation(query=s.BulkIds, response=s.BulkDocument, status=201, auth=KEY)
def bulk_delete_customers():
    """Bulk delete customers named by ?ids= (with their conversations, messages and KObjects)."""
    return _delete(lambda org, customer_id: customers.delete_customer(org, customer_id))


@bp.post("/klasses/<name>/bulk", endpoint="bulkCreateKObjects")
@operation(body=s.items_document(s.ITEMS[("kobjects", "POST")]), response=s.BulkDocument, status=201, auth=KEY)
def bulk_create_kobjects(name):
    """Bulk create up to 100 KObjects of a Klass."""
    return _run("kobjects", "POST", lambda org, item: kobjects.create_kobject(org, name, item).id, 201, name)


@bp.put("/klasses/<name>/bulk", endpoint="bulkUpdateKObjects")
@operation(body=s.items_document(s.ITEMS[("kobjects", "PUT")]), query=s.BulkIds, response=s.BulkDocument,
           auth=KEY)
def bulk_update_kobjects(name):
    """Bulk update up to 100 KObjects of a Klass (each item names its id)."""
    _ids(required=False)
    return _run("kobjects", "PUT", lambda org, item: kobjects.update_kobject(org, name, item["id"], item).id, 200,
                name)


@bp.delete("/klasses/<name>/bulk", endpoint="bulkDeleteKObjects")
@operation(query=s.BulkIds, response=s.BulkDocument, status=201, auth=KEY)
def bulk_delete_kobjects(name):
    """Bulk delete the KObjects of a Klass named by ?ids=."""
    kobjects.custom_klass(server_org(), name)
    return _delete(lambda org, kobject_id: kobjects.delete_kobject(org, name, kobject_id))


@bp.get("/bulk/<job_id>", endpoint="getBulkJob")
@operation(response=s.BulkDocument, auth=KEY)
def get_bulk_job(job_id):
    """A bulk job by id (always complete: the mock runs bulk requests at once)."""
    return _job_document(bulk.job(server_org(), job_id))

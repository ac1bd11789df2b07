"""REST v1 (/v1) custom Klasses and their KObjects, and the custom attribute metadata of every Klass.

`/v1/klasses/{x}` is both a Klass by id and the KObjects of a Klass by name, as at Kustomer: a 24-hex
segment that is a Klass's id means the Klass, anything else a Klass name.
"""
from __future__ import annotations

from flask import Blueprint, request

from ..domain import kobjects
from ..domain.errors import NotFound
from ..domain.ids import is_id
from ..schemas import rest_v1_kobjects as s
from ..schemas import rest_v1_resources as r
from ..schemas.common import shared
from ..schemas.jsonapi import ListQuery
from .context import JSON_PATCH, json_body
from .docs import operation
from .server_context import document, guard, listing, server_org

bp = Blueprint("rest_v1_kobjects", __name__, url_prefix="/v1")
guard(bp, rate_limited=True)
KEY = "key"


def _is_klass_id(org, segment: str) -> bool:
    return is_id(segment) and any(k.id == segment for k in org.custom_klasses.values())


# -- Klass definitions ---------------------------------------------------------------------------

@bp.get("/klasses", endpoint="getKlasses")
@operation(query=ListQuery, response=r.KlassList, auth=KEY)
def get_klasses():
    """The org's custom Klasses (?status=enabled by default, disabled, or existing_only for both)."""
    paging = shared(ListQuery).load(request.args)
    status = request.args.get("status", "enabled")
    found = [k for k in server_org().custom_klasses.values() if status == "existing_only" or k.status == status]
    return listing(r.KlassList, found, paging, r.klass)


@bp.post("/klasses", endpoint="createKlass")
@operation(body=s.KlassBody, response=r.KlassDocument, auth=KEY)
def create_klass():
    """A new custom Klass (200, as Kustomer answers this create); 409 when the name is taken."""
    fields = shared(s.KlassBody).load(json_body())
    return document(r.KlassDocument, r.klass(kobjects.create_klass(server_org(), fields)))


# one path for Kustomer's two routes: <name> is a Klass's id here (PUT, DELETE) and a Klass's name below
@bp.put("/klasses/<name>", endpoint="updateKlass")
@operation(body=s.KlassPatch, response=r.KlassDocument, auth=KEY)
def update_klass(name):
    """Change a custom Klass (by its id): display name, icon, color, status or mixins."""
    fields = shared(s.KlassPatch).load(json_body())
    return document(r.KlassDocument, r.klass(kobjects.update_klass(server_org(), name, fields)))


@bp.delete("/klasses/<name>", endpoint="deleteKlass")
@operation(status=204, auth=KEY)
def delete_klass(name):
    """Delete a custom Klass (by its id) and its KObjects."""
    kobjects.delete_klass(server_org(), name)
    return "", 204


@bp.get("/metadata/<resource_name>", endpoint="getMetadata")
@operation(response=r.MetadataDocument, auth=KEY)
def get_metadata(resource_name):
    """Custom attribute definitions of customer, conversation, message, company, user or kobject.NAME."""
    org = server_org()
    if resource_name in org.klasses:
        attributes = org.klasses[resource_name].describe()
    elif resource_name in kobjects.STANDARD:   # Klasses the fixtures give no custom attributes
        attributes = []
    elif resource_name.startswith("kobject.") and resource_name[8:] in org.custom_klasses:
        attributes = org.custom_klasses[resource_name[8:]].attributes
    else:
        raise NotFound(f"no metadata for {resource_name}; this org has "
                       + ", ".join([*sorted(org.klasses), *(f"kobject.{n}" for n in sorted(org.custom_klasses))]))
    return document(r.MetadataDocument, r.metadata(resource_name, attributes))


# -- KObjects ------------------------------------------------------------------------------------

def _one(record):
    return document(r.KObjectDocument, r.kobject(record))


@bp.get("/klasses/<name>", endpoint="getKObjects")
@operation(query=s.KObjectListQuery, response={"oneOf": [r.KObjectList, r.KlassDocument]}, auth=KEY)
def get_kobjects(name):
    """The KObjects of a Klass, newest first (fromDate: updated at or after); a Klass id gives the Klass."""
    org = server_org()
    if _is_klass_id(org, name):
        return document(r.KlassDocument, r.klass(kobjects.klass_by_id(org, name)))
    paging = shared(s.KObjectListQuery).load(request.args)
    found = kobjects.kobjects(org, name, from_date=paging.get("from_date"), sort=paging["sort"])
    return listing(r.KObjectList, found, paging, r.kobject)


@bp.post("/klasses/<name>", endpoint="createKObject")
@operation(body=s.KObjectBody, response=r.KObjectDocument, status=201, auth=KEY)
def create_kobject(name):
    """A new KObject, checked against its Klass (120 per customer per minute; importedAt is exempt)."""
    fields = shared(s.KObjectBody).load(json_body())
    return _one(kobjects.create_kobject(server_org(), name, fields)), 201


@bp.get("/klasses/<name>/externalId=<path:external_id>", endpoint="getKObjectByExternalId")
@operation(response=r.KObjectDocument, auth=KEY)
def get_kobject_by_external_id(name, external_id):
    """The KObject of this Klass with this externalId, or 404."""
    return _one(kobjects.by_external_id(server_org(), name, external_id))


@bp.get("/klasses/<name>/<kobject_id>", endpoint="getKObject")
@operation(response={"oneOf": [r.KObjectDocument, r.KObjectList]}, auth=KEY)
def get_kobject(name, kobject_id):
    """A KObject by id; comma-separated ids answer a list of those found."""
    org = server_org()
    if "," not in kobject_id:
        return _one(kobjects.kobject(org, name, kobject_id))
    paging = shared(ListQuery).load(request.args)
    found = [org.kobjects[i] for i in kobject_id.split(",") if i in org.kobjects and org.kobjects[i].klass == name]
    kobjects.custom_klass(org, name)
    return listing(r.KObjectList, found, paging, r.kobject)


@bp.put("/klasses/<name>/<kobject_id>", endpoint="updateKObject")
@bp.patch("/klasses/<name>/<kobject_id>", endpoint="patchKObject")
@operation(body=s.KObjectPatch, response=r.KObjectDocument, auth=KEY)
def update_kobject(name, kobject_id):
    """Change the fields sent; custom attributes merge, null clears one."""
    fields = shared(s.KObjectPatch).load(json_body(JSON_PATCH))
    return _one(kobjects.update_kobject(server_org(), name, kobject_id, fields))


@bp.delete("/klasses/<name>/<kobject_id>", endpoint="deleteKObject")
@operation(status=204, auth=KEY)
def delete_kobject(name, kobject_id):
    """Delete a KObject."""
    kobjects.delete_kobject(server_org(), name, kobject_id)
    return "", 204


@bp.post("/customers/<customer_id>/klasses/<name>", endpoint="createCustomerKObject")
@operation(body=s.CustomerKObjectBody, response=r.KObjectDocument, status=201, auth=KEY)
def create_customer_kobject(customer_id, name):
    """A new KObject linked to the customer in the path."""
    fields = shared(s.CustomerKObjectBody).load(json_body())
    org = server_org()
    org.customer(customer_id)
    return _one(kobjects.create_kobject(org, name, fields, customer_id=customer_id)), 201


@bp.get("/customers/<customer_id>/klasses/<name>", endpoint="getCustomerKObjects")
@operation(query=s.KObjectListQuery, response=r.KObjectList, auth=KEY)
def get_customer_kobjects(customer_id, name):
    """One customer's KObjects of a Klass, newest first."""
    paging = shared(s.KObjectListQuery).load(request.args)
    org = server_org()
    org.customer(customer_id)
    found = kobjects.kobjects(org, name, customer_id, paging.get("from_date"), paging["sort"])
    return listing(r.KObjectList, found, paging, r.kobject)

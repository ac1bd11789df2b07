"""Custom Klasses and their KObjects: definitions from the fixtures or POST /v1/klasses, objects checked
against them as custom attributes are."""
from __future__ import annotations

from typing import TYPE_CHECKING

import copy
from dataclasses import dataclass, field

from . import ratelimit
from .errors import Conflict, NotFound
from .klasses import Klass, merge_attributes
from .models import KObject
from .tags import resolve_tags

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

STANDARD = ("customer", "conversation", "message", "company", "user")   # Klasses that are not KObject types


@dataclass
class CustomKlass:
    """A custom Klass definition: its id, names, look, status and custom attributes."""

    id: str
    name: str
    display_name: str
    created_at: str
    updated_at: str
    icon: str | None = None
    color: str | None = None
    status: str = "enabled"
    mixins: list = field(default_factory=list)
    attributes: list = field(default_factory=list)   # fixture-shaped [{name, type, displayName}]

    @property
    def rules(self) -> Klass:
        """The Klass that checks this type's custom attributes."""
        return Klass.from_fixture(self.display_name, self.attributes)

    @classmethod
    def from_fixture(cls, raw: dict, klass_id: str, now: str) -> "CustomKlass":
        """A definition from the fixtures' customKlasses entry."""
        return cls(id=klass_id, name=raw["name"], display_name=raw.get("displayName") or raw["name"].title(),
                   created_at=now, updated_at=now, icon=raw.get("icon"), color=raw.get("color"),
                   status=raw.get("status", "enabled"), mixins=list(raw.get("mixins") or []),
                   attributes=copy.deepcopy(raw.get("attributes") or []))


def custom_klass(org: Org, name: str) -> CustomKlass:
    """A custom Klass by name, or NotFound naming the ones the org has."""
    found = org.custom_klasses.get(name)
    if found is None:
        have = ", ".join(sorted(org.custom_klasses)) or "none"
        raise NotFound(f"no custom Klass {name}; this org has {have}")
    return found


def klass_by_id(org: Org, klass_id: str) -> CustomKlass:
    """A custom Klass by its id, or NotFound."""
    found = next((k for k in org.custom_klasses.values() if k.id == klass_id), None)
    if found is None:
        raise NotFound(f"no Klass {klass_id}")
    return found


def create_klass(org: Org, fields: dict) -> CustomKlass:
    """POST /v1/klasses: a new custom Klass; 409 when the name is taken."""
    if fields["name"] in org.custom_klasses or fields["name"] in STANDARD:
        raise Conflict(f"a Klass named {fields['name']} already exists", pointer="/name")
    now = org.now()
    klass = CustomKlass(id=org.new_id(), name=fields["name"], display_name=fields.get("display_name") or
                        fields["name"].title(), created_at=now, updated_at=now)
    _apply_klass(klass, fields)
    with org.writing("custom_klasses") as klasses:
        klasses[klass.name] = klass
    return klass


def update_klass(org: Org, klass_id: str, fields: dict) -> CustomKlass:
    """PUT /v1/klasses/{id}: display name, icon, color, status, mixins."""
    klass = klass_by_id(org, klass_id)
    with org.writing("custom_klasses"):
        _apply_klass(klass, fields)
        klass.updated_at = org.now()
    return klass


def _apply_klass(klass: CustomKlass, fields: dict) -> None:
    for name in ("display_name", "icon", "color", "status", "mixins"):
        if fields.get(name) is not None:
            setattr(klass, name, fields[name])


def delete_klass(org: Org, klass_id: str) -> None:
    """DELETE /v1/klasses/{id}: the definition and its KObjects."""
    klass = klass_by_id(org, klass_id)
    with org.writing("custom_klasses") as klasses:
        klasses.pop(klass.name, None)
        for kobject_id in [k.id for k in org.kobjects.values() if k.klass == klass.name]:
            org.remove("kobject", kobject_id)


# -- KObjects ------------------------------------------------------------------------------------

_FIELDS = ("title", "external_id", "description", "images", "icon", "data", "imported_at", "company")


def _check_external_id(org: Org, klass: str, external_id: str | None, exclude: str | None = None) -> None:
    if not external_id:
        return
    for other in org.kobjects.values():
        if other.klass == klass and other.external_id == external_id and other.id != exclude:
            raise Conflict(f"{klass} {other.id} already has the externalId {external_id}", pointer="/externalId",
                           meta={"existingId": other.id})


def create_kobject(org: Org, klass_name: str, fields: dict, customer_id: str | None = None,
                   customer_pointer: str = "/customer") -> KObject:
    """POST /v1/klasses/{name} (or under a customer): checked whole before it is stored."""
    klass = custom_klass(org, klass_name)
    customer_id = customer_id or fields.get("customer")
    if customer_id is not None and customer_id not in org.customers:
        raise NotFound(f"no customer {customer_id}", pointer=customer_pointer)
    custom = klass.rules.validate(fields.get("custom") or {}, pointer_root="/custom")
    with org.writing("kobjects"):   # the externalId check and the write in one step
        _check_external_id(org, klass.name, fields.get("external_id"))
        if customer_id:
            ratelimit.count_creation(org, customer_id, "kobject", imported=bool(fields.get("imported_at")))
        values = {k: copy.deepcopy(fields[k]) for k in _FIELDS if fields.get(k) is not None}
        if fields.get("tags"):
            values["tags"] = resolve_tags(org, fields["tags"], "/tags")
        now = fields.get("created_at") or org.now()
        kobject = KObject(id=org.new_id(), klass=klass.name, created_at=now, updated_at=now,
                          customer_id=customer_id, custom=merge_attributes({}, custom), **values)
        return org.add("kobject", kobject)


def kobject(org: Org, klass_name: str, kobject_id: str) -> KObject:
    """A KObject of this Klass by id, or NotFound."""
    custom_klass(org, klass_name)
    found = org.kobjects.get(kobject_id)
    if found is None or found.klass != klass_name:
        raise NotFound(f"no {klass_name} {kobject_id}")
    return found


def by_external_id(org: Org, klass_name: str, external_id: str) -> KObject:
    """GET /v1/klasses/{name}/externalId={id}."""
    custom_klass(org, klass_name)
    found = next((k for k in org.kobjects.values() if k.klass == klass_name and k.external_id == external_id), None)
    if found is None:
        raise NotFound(f"no {klass_name} with externalId {external_id}")
    return found


def update_kobject(org: Org, klass_name: str, kobject_id: str, fields: dict) -> KObject:
    """PUT/PATCH /v1/klasses/{name}/{id}: the fields sent change; custom merges, null clears one."""
    found = kobject(org, klass_name, kobject_id)
    custom = org.custom_klasses[klass_name].rules.validate(fields.get("custom") or {}, pointer_root="/custom")
    with org.change("kobject", found, deep=True):
        _check_external_id(org, klass_name, fields.get("external_id"), exclude=found.id)
        tags = resolve_tags(org, fields["tags"], "/tags") if fields.get("tags") is not None else None
        for name in _FIELDS:
            if name in fields and name != "company":
                setattr(found, name, copy.deepcopy(fields[name]))
        if tags is not None:
            found.tags = tags
        found.custom = merge_attributes(found.custom, custom)
        found.updated_at = org.now()
        found.rev += 1
    return found


def delete_kobject(org: Org, klass_name: str, kobject_id: str) -> None:
    """DELETE /v1/klasses/{name}/{id}."""
    found = kobject(org, klass_name, kobject_id)
    org.remove("kobject", found.id)


def kobjects(org: Org, klass_name: str, customer_id: str | None = None, from_date: str | None = None,
             sort: str = "desc") -> list[KObject]:
    """A Klass's KObjects (or one customer's), newest first; fromDate bounds updatedAt from below."""
    custom_klass(org, klass_name)
    with org.reading():
        found = [k for k in org.kobjects.values() if k.klass == klass_name
                 and (customer_id is None or k.customer_id == customer_id)
                 and (from_date is None or k.updated_at >= from_date)]
    return sorted(found, key=lambda k: k.created_at, reverse=sort == "desc")

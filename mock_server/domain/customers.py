"""REST v1 customers: create, update (PUT/PATCH), delete, lookups and merges, as Kustomer's API handles them."""
from __future__ import annotations

import copy

from .errors import Conflict, NotFound
from .klasses import merge_attributes
from .models import Customer, reset
from .org import Org
from .tags import resolve_tags

# Fields of the body that map one-to-one onto the record (the lists keep Kustomer's item objects)
_PLAIN = ("name", "company", "external_id", "username", "signed_up_at", "last_activity_at",
          "last_customer_activity_at", "last_seen_at", "avatar_url", "external_ids", "shared_external_ids",
          "emails", "shared_emails", "phones", "shared_phones", "whatsapps", "facebook_ids", "instagram_ids",
          "socials", "shared_socials", "urls", "locations", "locale", "time_zone", "sentiment", "birthday_at",
          "gender", "imported_at", "default_lang")
_IDENTIFYING = ("name", "emails", "external_id", "phones")


def _primary_emails(customer: Customer) -> set[str]:
    return {e["email"].lower() for e in customer.emails}


def check_unique(org: Org, values: dict, exclude: str | None = None) -> None:
    """409 naming the holder when another customer has one of these emails or this externalId."""
    emails = {e["email"].lower() for e in values.get("emails") or []}
    external_id = values.get("external_id")
    for other in list(org.customers.values()):
        if other.id == exclude:
            continue
        clash = emails & _primary_emails(other)
        if clash:
            raise Conflict(f"customer {other.id} already has the email {sorted(clash)[0]}", pointer="/emails",
                           meta={"existingId": other.id})
        if external_id and other.external_id == external_id:
            raise Conflict(f"customer {other.id} already has the externalId {external_id}",
                           pointer="/externalId", meta={"existingId": other.id})


def _values(org: Org, fields: dict) -> dict:
    """The record fields of a checked body (tags not yet resolved)."""
    values = {name: copy.deepcopy(fields[name]) for name in _PLAIN if name in fields}
    for entry in values.get("whatsapps") or []:
        if not entry["phone"].startswith("whatsapp:"):
            entry["phone"] = f"whatsapp:{entry['phone']}"
    if "emails" in values:
        values["email"] = values["emails"][0]["email"] if values["emails"] else None
    return values


def _custom(org: Org, fields: dict) -> dict:
    return org.klasses["customer"].validate(fields.get("custom") or {}, pointer_root="/custom")


def create_customer(org: Org, fields: dict) -> Customer:
    """POST /v1/customers: every field checked (custom against the Customer Klass) before anything is written."""
    custom, values = _custom(org, fields), _values(org, fields)
    with org.writing("customers"):   # the uniqueness check and the write in one step
        check_unique(org, values)
        if fields.get("tags"):
            values["tags"] = resolve_tags(org, fields["tags"], "/tags")
        identified = any(values.get(k) for k in _IDENTIFYING)
        return org.new_customer(at=fields.get("created_at"), **values, custom=merge_attributes({}, custom),
                                anonymous=not identified)


def update_customer(org: Org, customer_id: str, fields: dict, replace: bool = False, unlink_company: bool = False
                    ) -> Customer:
    """PUT/PATCH /v1/customers/{id}: the fields sent change (lists wholesale, custom merged, null clears).

    `replace` (PUT ?replace=true) resets every field not sent; `unlink_company` (any PUT) unlinks the
    company when the body does not name one, as Kustomer documents for PUT.
    """
    customer = org.customer(customer_id)
    custom, values = _custom(org, fields), _values(org, fields)
    with org.change("customer", customer, deep=True):
        check_unique(org, values, exclude=customer.id)
        if fields.get("tags") is not None:
            values["tags"] = resolve_tags(org, fields["tags"], "/tags")
        if replace:
            reset(customer, (*_PLAIN, "email", "tags"))
        if unlink_company and "company" not in fields:
            customer.company = None
        for name, value in values.items():
            setattr(customer, name, value)
        customer.custom = merge_attributes({} if replace else customer.custom, custom)
        customer.anonymous = customer.anonymous and not any(getattr(customer, k) for k in _IDENTIFYING)
        customer.updated_at = customer.modified_at = org.now()
        customer.rev += 1
    return customer


def delete_customer(org: Org, customer_id: str) -> None:
    """DELETE /v1/customers/{id}: the customer, their conversations, messages, notes, KObjects and sessions."""
    customer = org.customer(customer_id)
    org.erase_customer(customer.id)


def find_by(org: Org, field: str, value: str) -> Customer:
    """GET /v1/customers/{field}={value}: the customer with this email, externalId or phone, or 404."""
    # a phone compares digits only: +1 (555) 010-0100 and +15550100100 are one number
    wanted = {"email": value.strip().lower(), "phone": _digits(value)}.get(field, value.strip())
    for customer in org.customers.values():
        if field == "email" and wanted in _primary_emails(customer):
            return customer
        if field == "externalId" and customer.external_id == wanted:
            return customer
        if field == "phone" and wanted and wanted in {_digits(p["phone"]) for p in customer.phones}:
            return customer
    raise NotFound(f"no customer with {field} {value}")


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())



# -- merges ----------------------------------------------------------------------------------------

_UNION = ("emails", "phones", "socials", "locations", "tags", "urls", "external_ids", "shared_emails",
          "shared_phones", "shared_socials", "shared_external_ids", "whatsapps", "facebook_ids", "instagram_ids")
_LATEST = ("signed_up_at", "last_seen_at", "last_activity_at", "last_customer_activity_at")
_TARGET_WINS = ("company", "name", "external_id", "username", "avatar_url", "locale", "time_zone", "birthday_at",
                "gender", "default_lang")


def merge_customers(org: Org, source_id: str, target_id: str) -> dict:
    """POST /v1/customers/merges: the source's records move to the target, which keeps Kustomer's merge rules.

    Lists are united, custom attributes combined (the target wins a clash), activity times keep the latest,
    createdAt the oldest, identity fields the target's unless it has none; the source is removed.
    """
    source = org.customer(source_id) if source_id in org.customers else _missing(source_id, "/source")
    target = org.customer(target_id) if target_id in org.customers else _missing(target_id, "/target")
    if source.id == target.id:
        raise Conflict("a customer cannot be merged into itself", pointer="/source")
    with org.change("customer", target, deep=True):
        for name in _UNION:
            merged = list(getattr(target, name))
            merged += [item for item in getattr(source, name) if item not in merged]
            setattr(target, name, merged)
        target.email = target.emails[0]["email"] if target.emails else None
        target.custom = {**source.custom, **target.custom}
        for name in _LATEST:
            times = [t for t in (getattr(source, name), getattr(target, name)) if t]
            setattr(target, name, max(times) if times else None)
        for name in _TARGET_WINS:
            if getattr(target, name) is None:
                setattr(target, name, getattr(source, name))
        target.created_at = min(source.created_at, target.created_at)
        target.anonymous = target.anonymous and source.anonymous
        org.move_records(source.id, target.id)
        org.remove("customer", source.id)
        target.updated_at = target.modified_at = org.now()
        target.rev += 1
        merge = {"id": org.new_id(), "status": "success", "source": source.id, "target": target.id,
                 "createdAt": target.updated_at, "updatedAt": target.updated_at}
        with org.writing("merges") as merges:
            merges[merge["id"]] = merge
    return merge


def _missing(customer_id: str, pointer: str):
    raise NotFound(f"no customer {customer_id}", pointer=pointer)


def merge(org: Org, merge_id: str) -> dict:
    """A merge by id, or NotFound."""
    found = org.merges.get(merge_id)
    if found is None:
        raise NotFound(f"no customer merge {merge_id}")
    return found

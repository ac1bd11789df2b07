"""Request schemas of REST v1 Klasses and KObjects."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .bounds import JsonObject
from .common import BoundedList, Id, StrictFloat
from .jsonapi import IsoTime, ListQuery
from .rest_v1 import Custom
from .rest_v1_customers import Tags

MIXINS = ("commentable", "assignable", "editable", "creatable")


class KlassPatch(Schema):
    """PUT /v1/klasses/{id}: the look and status of a custom Klass."""

    display_name = fields.String(data_key="displayName", validate=validate.Length(max=255))
    icon = fields.String(validate=validate.Length(max=64))
    color = fields.String(validate=validate.Length(max=64))
    json_schema = JsonObject(data_key="jsonSchema")
    klass_schema = fields.String(data_key="klassSchema", validate=validate.OneOf(("task",)))
    mixins = BoundedList(fields.String(validate=validate.OneOf(MIXINS)), maximum=len(MIXINS))
    status = fields.String(validate=validate.OneOf(("enabled", "disabled")))


class KlassBody(KlassPatch):
    """POST /v1/klasses: a new custom Klass; its name is letters, digits, _ and -."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=255), validate.Regexp(
        r"^[0-9a-zA-Z_-]+$", error="letters, digits, _ and - only")])


class KObjectPatch(Schema):
    """PUT and PATCH /v1/klasses/{name}/{id}: the fields sent change."""

    external_id = fields.String(data_key="externalId", validate=validate.Length(min=1, max=256))
    title = fields.String(validate=validate.Length(min=1, max=256))
    description = fields.String(validate=validate.Length(max=10_240), allow_none=True)
    images = BoundedList(fields.Url(require_tld=False, validate=validate.Length(max=2048)), maximum=20)
    icon = fields.String(validate=validate.Length(max=64), allow_none=True)
    data = fields.Dict(validate=validate.Length(max=100, error="at most 100 keys"))
    custom = Custom()
    tags = Tags()
    created_at = IsoTime(data_key="createdAt")
    imported_at = IsoTime(data_key="importedAt")
    rev = StrictFloat(validate=validate.Range(min=0))


class CustomerKObjectBody(KObjectPatch):
    """POST /v1/customers/{id}/klasses/{name}: title is required; the path names the customer."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=256))
    company = Id()


class KObjectBody(CustomerKObjectBody):
    """POST /v1/klasses/{name}: title is required; customer links it to a customer."""

    customer = Id()


class KObjectListQuery(ListQuery):
    """Paging plus fromDate on GET /v1/klasses/{name}: KObjects updated at or after it."""

    from_date = IsoTime(data_key="fromDate")

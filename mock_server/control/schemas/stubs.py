"""Schemas of stub rules (POST /__admin/stubs): a fault rule's match, times and scope, any answer."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...schemas.bounds import JsonSize
from ...schemas.common import StrictInteger
from .faults import FaultRule

MAX_STUB_TEXT = 1024 * 1024  # a stub answers at most what a request may send
BODYLESS = (204, 304)        # HTTP forbids a body on these


class StubRespond(Schema):
    """The answer of a stub: any status, a JSON body or a text, headers."""

    status = StrictInteger(load_default=200, validate=validate.Range(200, 599))
    body = fields.Raw(allow_none=True, validate=JsonSize(MAX_STUB_TEXT),
                      metadata={"description": "any JSON value, sent as application/json"})
    text = fields.String(validate=validate.Length(max=MAX_STUB_TEXT),
                         metadata={"description": "a raw body, text/plain unless headers name a Content-Type"})
    headers = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z0-9-]{1,64}$")),
                          values=fields.String(validate=validate.Length(max=1000)),
                          validate=validate.Length(max=50, error="at most 50 headers"))

    @validates_schema
    def _one_body(self, data, **kwargs):
        if "body" in data and "text" in data:
            raise ValidationError("give body (JSON) or text, not both", "text")
        if data["status"] in BODYLESS and ("body" in data or "text" in data):
            raise ValidationError(f"a {data['status']} has no body", "body")


class StubRule(FaultRule):
    """A stub: match (as a fault rule), respond with any status and body; delayMs, times, after, probability."""

    class Meta:
        exclude = ("drop", "cut_after")

    respond = fields.Nested(StubRespond, required=True)

    def rule(self, body: dict) -> dict:
        """Load a stub and give it its wire (camelCase) shape, without nulls (a null body stays)."""
        data = super().rule(body)
        data.pop("drop", None)
        return data


class StubList(Schema):
    """{"stubs": [...]}."""

    stubs = fields.List(fields.Dict())

"""Schemas of the control API (/__admin)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...schemas.common import Query


class Health(Schema):
    """GET /__admin/health."""

    status = fields.String()
    version = fields.String()
    uptimeSeconds = fields.Float()
    orgs = fields.Integer(metadata={"description": "orgs in memory now"})
    evictedOrgs = fields.Integer(metadata={"description": "orgs dropped for idleness since boot"})
    orgIdleSeconds = fields.Float(metadata={"description": "ORG_IDLE_SECONDS (0: never dropped)"})
    memoryBytes = fields.Integer(allow_none=True, metadata={"description": "resident memory of the process"})
    pid = fields.Integer(metadata={"description": "the answering process (serve --workers N: which worker)"})


class ResetQuery(Query):
    """POST /__admin/reset?org=KEY."""

    # present but empty must not mean "every org": a script with an unset variable would wipe them all
    org = fields.String(validate=validate.Length(min=1, error="an API key; leave org out to reset every org"))


class Reset(Schema):
    """What reset did."""

    reset = fields.String()
    org = fields.String(allow_none=True)


class OrgDescription(Schema):
    """GET /__admin/orgs/KEY: what tools need to know of an org."""

    key = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    brands = fields.List(fields.Dict())
    settings = fields.Dict()
    availability = fields.String()
    assistants = fields.List(fields.Dict())
    klasses = fields.Dict()
    users = fields.List(fields.Dict())
    chatSecret = fields.String()
    knowledgeBase = fields.Dict()
    counts = fields.Dict()

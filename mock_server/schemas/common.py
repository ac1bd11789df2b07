"""Fields and schemas shared by the surfaces."""
from __future__ import annotations

import functools

from marshmallow import Schema, fields, validate

from ..domain.ids import HEX24

Id = lambda **kw: fields.String(validate=validate.Regexp(HEX24, error="must be a 24-character hex id"), **kw)  # noqa: E731
CustomAttributes = lambda **kw: fields.Dict(keys=fields.String(), load_default=dict, **kw)  # noqa: E731


class ErrorObject(Schema):
    """One error of the envelope."""

    status = fields.Integer()
    code = fields.String()
    title = fields.String()
    detail = fields.String()
    source = fields.Dict()
    meta = fields.Dict()


class ErrorEnvelope(Schema):
    """{"errors": [...]}: every error answer."""

    errors = fields.List(fields.Nested(ErrorObject))


class Anything(Schema):
    """An object whose shape the operation's description gives."""

    class Meta:
        unknown = "include"


class EmptyBody(Schema):
    """An operation that takes no fields: an empty object (or no body) only."""


@functools.cache
def _shared(cls, options: tuple):
    return cls(**dict(options))


def shared(cls, **options):
    """One instance per schema class and options: building a Schema costs more than using it."""
    # marshmallow schemas keep no per-call state, so one instance serves every thread
    return _shared(cls, tuple(sorted(options.items())))

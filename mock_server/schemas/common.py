"""Fields and schemas shared by the surfaces."""
from __future__ import annotations

import functools

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..domain.ids import HEX24
from .bounds import ID_CHARS, NAME_CHARS, OBJECT_KEYS, BoundedList, Email, JsonObject, Text  # noqa: F401 (re-exported)


class StrictInteger(fields.Integer):
    """An integer in a JSON body: 3, never "3", 3.5 or true (query strings keep fields.Integer)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


class StrictFloat(fields.Float):
    """A finite number in a JSON body: 0.5 or 1, never "0.5" or true."""

    def _validated(self, value):
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)   # refuses booleans, NaN and infinities


class StrictBoolean(fields.Boolean):
    """true or false in a JSON body, never "yes", "false", 1 or 0."""

    def _deserialize(self, value, attr, data, **kwargs):
        # `value in {True}` would let 1 through (1 == True): compare identities
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


STRICT = (StrictInteger, StrictFloat, StrictBoolean)  # the only number and boolean fields a body schema uses

Id = lambda **kw: Text(ID_CHARS, validate_also=[validate.Regexp(HEX24, error="must be a 24-character hex id")], **kw)  # noqa: E731,E501


def CustomAttributes(**kwargs) -> fields.Dict:  # noqa: N802 (a field factory)
    """customAttributes: at most OBJECT_KEYS names; each value is checked against its Klass attribute."""
    if not kwargs.get("required"):
        kwargs.setdefault("load_default", dict)
    return fields.Dict(keys=Text(NAME_CHARS), validate=validate.Length(
        max=OBJECT_KEYS, error=f"at most {OBJECT_KEYS} attributes"), **kwargs)


MAX_ATTACHMENTS = 10   # per message; more is 400 on every route that takes attachments


class Attachment(Schema):
    """One attachment of a message, as metadata: the mock stores no files (README: attachments)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=256))
    contentType = Text(255, required=True, validate_also=[validate.Regexp(   # RFC 6838: 127 + / + 127
        r"^[\w.+-]+/[\w.+-]+$", error="a media type such as image/png")])
    contentLength = StrictInteger(validate=validate.Range(min=0), metadata={"description": "bytes"})
    url = fields.Url(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2048))


Attachments = lambda **kw: fields.List(fields.Nested(Attachment), validate=validate.Length(  # noqa: E731
    max=MAX_ATTACHMENTS, error=f"at most {MAX_ATTACHMENTS} attachments per message"), **kw)


class ChatAttachment(Attachment):
    """A chat message's attachment: an uploaded file by its id, or described by name and contentType."""

    id = Id(metadata={"description": "the id an upload answered (POST /c/v1/chat/attachments, /v2.1/chat/attachments)"})

    # required unless the item names an upload (checked below, with the same missing_field answer)
    name = fields.String(validate=validate.Length(min=1, max=256))
    contentType = fields.String(validate=[validate.Length(max=255), validate.Regexp(
        r"^[\w.+-]+/[\w.+-]+$", error="a media type such as image/png")])

    @validates_schema(skip_on_field_errors=True)
    def _described_or_uploaded(self, data, **kwargs):
        missing = [name for name in ("name", "contentType") if not data.get("id") and name not in data]
        if missing:
            raise ValidationError({name: ["Missing data for required field."] for name in missing})


ChatAttachments = lambda **kw: fields.List(fields.Nested(ChatAttachment), validate=validate.Length(  # noqa: E731
    max=MAX_ATTACHMENTS, error=f"at most {MAX_ATTACHMENTS} attachments per message"), **kw)


class QueryError(ValidationError):
    """A query string that does not fit its schema: the errors name parameters, not body pointers."""


class Query(Schema):
    """Base of every query-string schema: its errors answer with source.parameter."""

    def handle_error(self, error, data, *, many, **kwargs):
        """Raise the errors as a QueryError, so the envelope names parameters."""
        raise QueryError(error.messages, data=data, valid_data=error.valid_data)


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

"""The bound of every string, list and object a request may store: said once here, enforced by the schemas.

docs/reliability.md lists every field with its bound; tests/test_bounds.py walks every body schema and
fails on a field without one, so a new field cannot store an unbounded value.
"""
from __future__ import annotations

import json

from marshmallow import ValidationError, fields, validate

NAME_CHARS = 256        # names, titles, external ids, subjects, free-form ids (Kustomer documents 256 for names)
LANG_CHARS = 35         # a BCP 47 language tag (RFC 5646 §4.4.1: 35 characters hold any useful tag)
EMAIL_CHARS = 254       # the longest address SMTP carries (RFC 5321 §4.5.3.1)
ID_CHARS = 24           # Kustomer's ids: 24 hex characters
TOKEN_CHARS = 8192      # a login JWT
PAYLOAD_CHARS = 1024    # a quick-reply value or a tree node id
OBJECT_CHARS = 16384    # a free-form object (message meta, initAssistantPayload, ...), as compact JSON
OBJECT_KEYS = 100       # keys of a free-form or customAttributes object
TIME_CHARS = 64         # an ISO 8601 time as sent
MAX_LIST_ITEMS = 100    # emails, phones, socials, message ids, tag and user ids in one body


def Text(maximum: int = NAME_CHARS, *, validate_also=(), **kwargs) -> fields.String:  # noqa: N802 (factory)
    """A string of at most `maximum` characters."""
    return fields.String(validate=[validate.Length(max=maximum), *validate_also], **kwargs)


def Email(**kwargs) -> fields.Email:  # noqa: N802 (a field factory)
    """An email address of at most EMAIL_CHARS characters."""
    return fields.Email(validate=validate.Length(max=EMAIL_CHARS), **kwargs)


def BoundedList(inner, maximum: int = MAX_LIST_ITEMS, **kwargs) -> fields.List:  # noqa: N802 (a field factory)
    """A list of at most `maximum` items (400 pointing at the list beyond that)."""
    return fields.List(inner, validate=validate.Length(max=maximum, error=f"at most {maximum} items"), **kwargs)


class JsonSize(validate.Validator):
    """At most `maximum` characters once written as compact JSON (objects and scalars alike)."""

    def __init__(self, maximum: int = OBJECT_CHARS):
        self.max = maximum

    def __call__(self, value):
        if len(json.dumps(value, separators=(",", ":"), default=str)) > self.max:
            raise ValidationError(f"at most {self.max} characters as JSON")
        return value


def JsonObject(maximum: int = OBJECT_CHARS, **kwargs) -> fields.Dict:  # noqa: N802 (a field factory)
    """A free-form object of at most OBJECT_KEYS keys and `maximum` characters as JSON."""
    return fields.Dict(keys=fields.String(), validate=[
        validate.Length(max=OBJECT_KEYS, error=f"at most {OBJECT_KEYS} keys"), JsonSize(maximum)], **kwargs)


def bound_of(field: fields.Field) -> int | None:
    """The largest length (characters, items or keys) a field's validators let through, or None."""
    for check in field.validators:
        if isinstance(check, (validate.Length, JsonSize)) and check.max is not None:
            return check.max
        if isinstance(check, validate.OneOf):
            return max(len(str(choice)) for choice in check.choices)
    return None

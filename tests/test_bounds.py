"""Every string, list and object a request body may store has a bound, the schemas enforce it, the docs list it."""
from __future__ import annotations

import pathlib

import pytest
from marshmallow import Schema, ValidationError, fields

from mock_server import create_app
from mock_server.schemas.bounds import LANG_CHARS, bound_of
from mock_server.control.schemas.faults import Delay

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs" / "reliability.md"
# the whole-state import is the mock's own export, bounded as a whole (MAX_IMPORT_BYTES), not field by field
WHOLE = {"StateDocument"}
BODY_LIMIT_ONLY: set = set()   # fields only the 1 MiB body limit bounds: none
SCALARS = (fields.Number, fields.Boolean, Delay)   # Delay: a number or {min, max} of numbers


def _fields(schema: Schema, where: str):
    """(pointer, field) of every stored field of a body schema, nested ones and list items included."""
    for name, field in schema.fields.items():
        yield from _field(field, f"{where}.{field.data_key or name}")


def _field(field, where: str):
    if isinstance(field, fields.Nested):
        yield from _fields(field.schema, where)
    elif isinstance(field, fields.List):
        yield where, field
        yield from _field(field.inner, where + "[]")
    elif not isinstance(field, SCALARS) and type(field).__name__ != "IsoTime":   # times are rewritten canonically
        yield where, field


def _body_fields() -> dict:
    """Every stored field of every operation's body schema, by pointer (`Schema.field[].item`)."""
    found = {}
    for view in create_app().view_functions.values():
        body = getattr(view, "openapi", {}).get("body")
        if isinstance(body, dict):   # a bare JSON array: its items' schema (bulk routes), or plain strings (tags)
            body = body.get("items") if isinstance(body.get("items"), type) else None
        if body is not None and body.__name__ not in WHOLE:
            found.update(_fields(body(), body.__name__))
    return found


FIELDS = _body_fields()
TABLE = {where: bound_of(field) for where, field in FIELDS.items()}


def _too_long(field, bound: int):
    if isinstance(field, fields.List):
        return [None] * (bound + 1)
    if isinstance(field, fields.Dict):
        return {f"k{i}": "v" * bound for i in range(bound + 1)}
    return "x" * (bound + 1)


def test_every_stored_body_field_has_a_bound():
    unbounded = sorted(where for where, bound in TABLE.items() if bound is None)
    assert unbounded == sorted(BODY_LIMIT_ONLY)


@pytest.mark.parametrize("where", sorted(w for w, b in TABLE.items() if b is not None))
def test_a_value_past_the_bound_is_refused(where):
    with pytest.raises(ValidationError):
        FIELDS[where].deserialize(_too_long(FIELDS[where], TABLE[where]))


def doc_row(where: str, bound: int | None) -> str:
    """The start of the row of docs/reliability.md's bounds table for one field."""
    return f"| `{where}` | {bound if bound is not None else 'body limit'} |"


def test_the_docs_list_every_field_with_its_bound():
    text = DOCS.read_text()
    assert [doc_row(w, b) for w, b in sorted(TABLE.items()) if doc_row(w, b) not in text] == []


@pytest.mark.parametrize(("path", "body"), [
    ("/c/v1/tracking/tokens", {"lang": "x" * (LANG_CHARS + 1)}),
    ("/c/v1/chat/sessions", {"message": "hi", "lang": "en" * 1000}),
])
def test_an_overlong_lang_is_refused_and_nothing_is_stored(chat, path, body):
    rv = chat.call("POST", path, json=body)
    assert rv.status_code == 400 and rv.json["errors"][0]["source"]["pointer"] == "/lang"


def test_a_payload_that_is_not_a_string_is_refused_outside_an_assistant(chat):
    cid = chat.new_conversation(message="hi")
    rv = chat.send_message(cid, body="x", payload={"a": 1})
    assert rv.status_code == 400 and rv.json["errors"][0]["code"] == "invalid_field"
    assert rv.json["errors"][0]["source"]["pointer"] == "/payload"
    assert "{'a': 1}" not in [m["body"] for m in chat.messages(cid).json["messages"]]

"""Small accessors the views share: the body, and the caller's key, org and customer session."""
from __future__ import annotations

from flask import request

from ..caller import current_caller
from ..domain.chat import ChatSession
from ..domain.errors import InvalidBody, InvalidJson, UnsupportedMediaType
from ..domain.org import Org
from ..strict_json import loads

JSON_PATCH = "application/json-patch+json"   # Kustomer's PATCH content type; the body is still a plain object


_EMPTY = object()   # no body at all (JSON's null is a body, and not an object)


def _json(*also: str):
    """The request body parsed as JSON (_EMPTY when there is none); 4xx for another media type or bad JSON."""
    raw = request.get_data(cache=True)
    if not raw.strip(b" \t\n\r"):   # JSON's whitespace only: bytes.strip() would also take \x0b and \x0c
        return _EMPTY
    if request.mimetype not in ("application/json", *also):
        raise UnsupportedMediaType(f"Content-Type must be application/json, not {request.mimetype or 'none'}")
    try:
        return loads(raw)   # NaN, Infinity, 1e400 and deep nesting are refused here, before any view
    except ValueError as exc:
        raise InvalidJson(f"Malformed JSON body: {exc}") from None


def json_body(*also: str) -> dict:
    """The request body as a JSON object ({} when empty); 4xx for anything else. `also`: more media types."""
    body = _json(*also)
    if body is _EMPTY:
        return {}
    if not isinstance(body, dict):
        raise InvalidBody(f"The body must be a JSON object, not {'null' if body is None else type(body).__name__}")
    return body


def json_array() -> list:
    """The request body as a JSON array; 4xx for anything else."""
    body = _json()
    if not isinstance(body, list):
        found = "an empty body" if body is _EMPTY else "null" if body is None else type(body).__name__
        raise InvalidBody(f"The body must be a JSON array, not {found}")
    return body


def api_key() -> str:
    """The API key of the caller (resolved once, by the pipeline's caller step); 401 without one."""
    return current_caller().require_key()


def current_org() -> Org:
    """The org of the caller's API key, made on first use."""
    return current_caller().org


def tracking_token() -> str | None:
    """The tracking token that start issued, from its header (or the `token` query for streams)."""
    return current_caller().tracking_token


def chat_session() -> ChatSession:
    """The customer session of the caller's tracking token, or 401 not_started."""
    return ChatSession(current_org(), tracking_token())

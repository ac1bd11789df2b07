"""The one JSON error envelope: every ApiError, validation error and HTTP error leaves here."""
from __future__ import annotations

import logging
import traceback

from flask import Flask, g, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from .schemas.common import QueryError
from .security import path_methods
from .state import get_state

from .domain.errors import *  # noqa: F401,F403  (the exception classes live with the domain)
from .domain.errors import (ApiError, InvalidField, MethodNotAllowed, MissingField,
                            PayloadTooLarge, RouteNotFound, UnknownField, UnsupportedMediaType)

log = logging.getLogger("kustomer_mock")

_HTTP = {404: RouteNotFound, 405: MethodNotAllowed, 413: PayloadTooLarge, 415: UnsupportedMediaType}
_MARSHMALLOW = {"Unknown field.": UnknownField, "Missing data for required field.": MissingField}


def _with_sub_errors(error: dict) -> dict:
    """A REST v1 4xx as Kustomer's validation answers carry it: the error again under meta.subErrors.

    Real REST clients read errors[0].meta.subErrors[0].source.pointer without a guard.
    """
    sub = {k: error[k] for k in ("title", "detail", "source") if k in error}
    return {**error, "meta": {**error.get("meta", {}), "subErrors": [sub]}}


def envelope(errors: list[ApiError], headers: dict | None = None):
    """The Flask response for a list of errors; the status is the first one's."""
    bodies = [e.to_dict() for e in errors]
    if request.path.startswith("/v1/") and 400 <= errors[0].status < 500:
        bodies = [_with_sub_errors(body) for body in bodies]
    response = jsonify({"errors": bodies})
    response.status_code = errors[0].status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_errors(messages, path: str = "", query: bool = False) -> list[ApiError]:
    """marshmallow's nested messages as one error per field: a JSON pointer each, or (query) the parameter.

    An error of the body as a whole has no source, like invalid_json and the other body-level errors.
    """
    if isinstance(messages, list):
        text = "; ".join(str(m) for m in messages)
        error_class = _MARSHMALLOW.get(messages[0], InvalidField) if messages else InvalidField
        name = path.lstrip("/")
        if query:
            return [error_class(f"{name or 'query'}: {text}", parameter=name or None)]
        return [error_class(f"{name or 'body'}: {text}", pointer=path or None)]
    found: list[ApiError] = []
    for name, inner in messages.items():
        found += validation_errors(inner, f"{path}/{name}" if name != "_schema" else path, query)
    return found


def init_app(app: Flask) -> None:
    """Route every error of the app through the envelope."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return envelope([error], getattr(error, "headers", None))

    @app.errorhandler(ValidationError)
    def schema_error(error: ValidationError):
        return envelope(validation_errors(error.messages, query=isinstance(error, QueryError)))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        error_class = _HTTP.get(error.code)
        if error_class is None:
            wrapped = ApiError(error.description)
            wrapped.status, wrapped.code, wrapped.title = error.code or 400, "http_error", error.name
        elif error.code in (404, 405):
            wrapped = error_class(f"{error_class.title}: {request.method} {request.path}")
        else:
            wrapped = error_class()
        headers = None
        if getattr(error, "valid_methods", None):
            headers = {"Allow": ", ".join(sorted(path_methods(request.path)))}
        return envelope([wrapped], headers)

    seen = get_state(app).unexpected

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error")
        # kept for an in-process host (the pytest plugin fails the test that caused it, with this traceback)
        seen.append({"method": request.method, "path": request.path, "org": g.caller.key if "caller" in g else None,
                     "error": repr(error), "traceback": traceback.format_exc()})
        wrapped = ApiError("The mock failed unexpectedly; see its log.")
        wrapped.status, wrapped.code, wrapped.title = 500, "internal_error", "Internal error"
        return envelope([wrapped])

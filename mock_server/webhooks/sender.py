"""One HTTP POST of an event to an endpoint: signed, with its headers, timed, never following redirects."""
from __future__ import annotations

import hashlib
import hmac
import http.client
import time
import urllib.parse
from dataclasses import dataclass

from .. import __version__

READ_LIMIT = 64 * 1024   # the receiver's answer is read (so keep-alive works) but never kept


@dataclass
class Outcome:
    """What one POST gave: an HTTP status, or an error; and how long it took."""

    status: int | None
    error: str | None
    duration_ms: float

    @property
    def ok(self) -> bool:
        """A 2xx within the timeout."""
        return self.status is not None and 200 <= self.status < 300


def sign(token: str, body: bytes) -> str:
    """X-Kustomer-Webhook-Signature: lowercase hex HMAC-SHA256 of the raw body keyed with the token."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def headers(event: str, token: str, body: bytes, custom: list[dict]) -> dict:
    """The documented headers, then the webhook's own."""
    sent = {"Content-Type": "application/json", "User-Agent": f"kustomer-mock/{__version__} (webhooks)",
            "X-Kustomer-Webhook-Event": event, "X-Kustomer-Webhook-Signature": sign(token, body)}
    sent.update({h["name"]: h["value"] for h in custom})
    return sent


def post(url: str, body: bytes, sent_headers: dict, timeout: float) -> Outcome:
    """POST `body` to `url` (no proxy, no redirect followed: a 3xx fails); any answer is an Outcome."""
    started = time.monotonic()
    parts = urllib.parse.urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    status, error = None, None
    try:
        connection = kind(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request("POST", urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, "")),
                               body=body, headers=sent_headers)
            response = connection.getresponse()
            status = response.status
            response.read(READ_LIMIT)
        finally:
            connection.close()
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = _describe(failure)
    return Outcome(status, error, round((time.monotonic() - started) * 1000, 1))


def _describe(failure: Exception) -> str:
    if isinstance(failure, TimeoutError) or "timed out" in str(failure):
        return "timeout"
    return f"{type(failure).__name__}: {failure}"

"""One HTTP POST of an event to an endpoint: signed, with its headers, timed, never following redirects."""
from __future__ import annotations

import hashlib
import hmac
import http.client
import time
import urllib.error
import urllib.request
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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):   # a 3xx is a failed delivery, as any non-2xx
        return None


# no proxies from the environment: deliveries go to the URL as registered (loopback ones included)
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


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
    """POST `body` to `url`; any answer is an Outcome, never an exception."""
    started = time.monotonic()
    request = urllib.request.Request(url, data=body, headers=sent_headers, method="POST")
    status, error = None, None
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
            response.read(READ_LIMIT)
    except urllib.error.HTTPError as answer:
        status = answer.code
        answer.close()
    except urllib.error.URLError as failure:
        error = _describe(failure.reason)
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = _describe(failure)
    return Outcome(status, error, round((time.monotonic() - started) * 1000, 1))


def _describe(reason) -> str:
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timeout"
    return f"{type(reason).__name__}: {reason}" if not isinstance(reason, str) else reason

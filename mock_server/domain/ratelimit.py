"""Kustomer's rate limits on the mock clock: an org-wide budget per minute, and per-customer creation caps."""
from __future__ import annotations

from typing import TYPE_CHECKING

import math
import threading
import weakref
from collections import deque

from .errors import RateLimited

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

WINDOW_SECONDS = 60
CREATES_PER_CUSTOMER = 120  # conversations or messages per customer per minute (importedAt exempt)
KINDS = ("conversation", "message", "note", "kobject")


def budget_of(org: Org) -> int | None:
    """The org's requests-per-minute budget, or None when rate limiting is off."""
    value = org.settings.get("rateLimitPerMinute")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


class OrgLimits:
    """The counters of one org: a fixed 60-second window for the budget, sliding windows for caps."""

    def __init__(self):
        self._lock = threading.Lock()
        self._window_start: float | None = None
        self._used = 0
        self._creates: dict[tuple[str, str], deque] = {}
        self._searches: OrgLimits | None = None

    def searches(self) -> "OrgLimits":
        """The separate window that counts searches."""
        with self._lock:
            if self._searches is None:
                self._searches = OrgLimits()
            return self._searches

    def take(self, limit: int, now: float, what: str = "requests") -> dict:
        """Spend one request of the budget; the rate-limit headers, or RateLimited once spent."""
        with self._lock:
            if self._window_start is None or now >= self._window_start + WINDOW_SECONDS:
                self._window_start, self._used = now, 0
            reset = max(1, math.ceil(self._window_start + WINDOW_SECONDS - now))
            if self._used >= limit:
                headers = _headers(limit, 0, reset)
                raise _limited(f"the org's budget of {limit} {what} per minute is spent; "
                               f"retry in {reset} s", headers, reset)
            self._used += 1
            return _headers(limit, limit - self._used, reset)

    def create(self, customer_id: str, kind: str, now: float) -> None:
        """Count one creation for a customer, or RateLimited past 120 in the last 60 seconds."""
        with self._lock:
            stamps = self._creates.setdefault((customer_id, kind), deque())
            while stamps and stamps[0] <= now - WINDOW_SECONDS:
                stamps.popleft()
            if len(stamps) >= CREATES_PER_CUSTOMER:
                retry = max(1, math.ceil(stamps[0] + WINDOW_SECONDS - now))
                raise _limited(f"customer {customer_id} may create at most {CREATES_PER_CUSTOMER} {kind}s "
                               f"per minute (send importedAt for imports); retry in {retry} s",
                               {"Retry-After": str(retry)}, retry)
            stamps.append(now)


def _headers(limit: int, remaining: int, reset: int) -> dict:
    return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": str(reset)}


def _limited(detail: str, headers: dict, retry: int) -> RateLimited:
    error = RateLimited(detail, meta={"retryAfterSeconds": retry})
    error.headers = {**headers, "Retry-After": str(retry)}
    return error


# Kept beside the org rather than on it: the counters are not state to export, and a reset org
# (a new Org object) starts with fresh counters without anyone clearing them.
_limits: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_limits_lock = threading.Lock()


def limits_of(org: Org) -> OrgLimits:
    """The counters of `org`, made on first use."""
    with _limits_lock:
        limits = _limits.get(org)
        if limits is None:
            limits = _limits[org] = OrgLimits()
        return limits


def take_request(org: Org) -> dict | None:
    """Spend one request of the org's budget: the headers to send, None when limiting is off."""
    limit = budget_of(org)
    if limit is None:
        return None
    return limits_of(org).take(limit, org.clock.timestamp())


def count_creation(org: Org, customer_id: str, kind: str, imported: bool = False) -> None:
    """Apply the per-customer cap on conversation and message creation (imports are exempt)."""
    if not imported:
        limits_of(org).create(customer_id, kind, org.clock.timestamp())


def take_search(org: Org) -> None:
    """Count one search against Kustomer's 100 searches per minute for API keys (the setting changes it)."""
    limit = org.settings.get("searchRateLimitPerMinute", 100)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        return
    limits_of(org).searches().take(limit, org.clock.timestamp(), "searches")

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
    """The counters of one org: a fixed 60-second window for the budget, sliding windows for caps.

    A store that shares the org between processes keeps the counters there instead (store/redis_limits.py):
    it replaces `spend` and `stamp`, the two steps that count.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[str, list] = {}     # "requests" or "searches" -> [window start, used]
        self._creates: dict[tuple[str, str], deque] = {}

    def take(self, limit: int, now: float, what: str = "requests") -> dict:
        """Spend one request (or search) of the budget; the rate-limit headers, or RateLimited once spent."""
        spent, start, used = self.spend(what, limit, now)
        reset = max(1, math.ceil(start + WINDOW_SECONDS - now))
        if not spent:
            raise _limited(f"the org's budget of {limit} {what} per minute is spent; "
                           f"retry in {reset} s", _headers(limit, 0, reset), reset)
        return _headers(limit, limit - used, reset)

    def create(self, customer_id: str, kind: str, now: float) -> None:
        """Count one creation for a customer, or RateLimited past 120 in the last 60 seconds."""
        oldest = self.stamp(customer_id, kind, now)
        if oldest is not None:
            retry = max(1, math.ceil(oldest + WINDOW_SECONDS - now))
            raise _limited(f"customer {customer_id} may create at most {CREATES_PER_CUSTOMER} {kind}s "
                           f"per minute (send importedAt for imports); retry in {retry} s",
                           {"Retry-After": str(retry)}, retry)

    def spend(self, what: str, limit: int, now: float) -> tuple[bool, float, int]:
        """Count one call in the window of `what` (a new window once 60 s passed): (spent, start, used)."""
        with self._lock:
            window = self._windows.get(what)
            if window is None or now >= window[0] + WINDOW_SECONDS:
                window = self._windows[what] = [now, 0]
            if window[1] >= limit:
                return False, window[0], window[1]
            window[1] += 1
            return True, window[0], window[1]

    def stamp(self, customer_id: str, kind: str, now: float) -> float | None:
        """Record one creation at `now`; None, or (cap reached, nothing recorded) the oldest one in the window."""
        with self._lock:
            stamps = self._creates.setdefault((customer_id, kind), deque())
            while stamps and stamps[0] <= now - WINDOW_SECONDS:
                stamps.popleft()
            if len(stamps) >= CREATES_PER_CUSTOMER:
                return stamps[0]
            stamps.append(now)
            return None


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
    """The counters of `org`: the store's shared ones, or this process's, made on first use."""
    if org.limits is not None:
        return org.limits
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
    limits_of(org).take(limit, org.clock.timestamp(), "searches")

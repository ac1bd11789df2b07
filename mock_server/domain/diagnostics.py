"""Integration warnings: misuses of the SDK by the host page, reported by the fake SDK."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

MAX_WARNINGS = 1000  # per org; the oldest go first


def record(org: Org, method: str, reason: str, page_url: str | None, sdk: str = "widget",
           customer_id: str | None = None) -> dict:
    """Keep one warning on the org and answer it with its id and time."""
    with org.writing("sdk_warnings") as warnings:
        warning = {"id": (warnings[-1]["id"] + 1) if warnings else 1, "time": org.now(), "method": method,
                   "reason": reason, "page_url": page_url, "sdk": sdk, "customer_id": customer_id}
        warnings.append(warning)
        del warnings[:-MAX_WARNINGS]
    return warning


def clear(org: Org) -> int:
    """Forget every warning of the org; answers how many there were."""
    with org.writing("sdk_warnings") as warnings:
        count = len(warnings)
        warnings.clear()
    return count

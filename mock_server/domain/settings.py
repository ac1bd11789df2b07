"""Org chat settings changed at run time (PATCH /__admin/orgs/KEY/settings)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import NotFound, UnknownAssistant

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

MAX_START_DELAY_MS = 60_000  # start never takes longer than this, whatever the settings say


def update_settings(org: Org, availability: str | None = None, start_delay_ms: float | None = None,
                    allow_end_conversation: bool | None = None, default_assistant_id=...,
                    rate_limit_per_minute=..., search_rate_limit_per_minute=...,
                    business_hours: dict | None = None) -> dict:
    """Apply any subset of the changes (validated as a whole first) and answer the settings."""
    if default_assistant_id not in (..., None) and not any(a["id"] == default_assistant_id
                                                           for a in org.assistants):
        raise UnknownAssistant(f"no assistant {default_assistant_id} in this org",
                               pointer="/defaultAssistantId")
    with org.writing("settings"):
        if availability is not None:
            org.settings["availability"] = availability
            if org.settings.get("enabled") is False and availability != "disabled":
                org.settings["enabled"] = True  # else availability() would still answer disabled
        if start_delay_ms is not None:
            delay = min(start_delay_ms, MAX_START_DELAY_MS)
            # the schema reads numbers as floats: 1500 must come back as 1500, not 1500.0
            org.settings["startDelayMs"] = int(delay) if float(delay).is_integer() else delay
        if allow_end_conversation is not None:
            org.settings["allowEndConversation"] = allow_end_conversation
        if default_assistant_id is not ...:
            org.settings["activeAssistant"] = default_assistant_id
        if rate_limit_per_minute is not ...:
            org.settings["rateLimitPerMinute"] = rate_limit_per_minute
        if search_rate_limit_per_minute is not ...:
            org.settings["searchRateLimitPerMinute"] = search_rate_limit_per_minute
        if business_hours is not None:
            org.settings["businessHours"] = business_hours
        return describe_settings(org)


def describe_settings(org: Org) -> dict:
    """The settings as the control API shows them: the stored ones, and defaultAssistantId (activeAssistant)."""
    # stored as activeAssistant (Kustomer's chat settings name); PATCH and DESIGN.md call it defaultAssistantId
    return {**org.settings, "defaultAssistantId": org.settings.get("activeAssistant")}


def update_brand(org: Org, brand_id: str, change: dict) -> dict:
    """Set a brand's own availability and business hours (None: follow the org's); answers the brand."""
    brand = org.brand(brand_id) if brand_id else None
    if brand is None:
        raise NotFound(f"no brand {brand_id} in this org", parameter="brandId")
    with org.writing("brands"):
        for name, value in change.items():   # camelCase names, as in the fixtures
            if value is None:
                brand.pop(name, None)
            else:
                brand[name] = value
        return {"brand": dict(brand), "availability": org.availability(brand_id)}

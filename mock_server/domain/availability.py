"""Chat availability: a fixed mode, or business hours and holidays read on the mock clock."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

MODES = ("online", "offline", "hidden", "disabled", "scheduled")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OFF_HOURS = ("offline", "hidden", "online")   # what a scheduled widget shows outside its hours


def _within(hours: list, moment: datetime) -> bool:
    clock_time = moment.time()
    for start, end in hours:
        # "24:00" closes at midnight: time() has no 24:00, and every time of the day is before it
        if time.fromisoformat(start) <= clock_time and (end == "24:00" or clock_time < time.fromisoformat(end)):
            return True
    return False


def availability(settings: dict, now: datetime) -> str:
    """online, offline, hidden or disabled for these settings at this moment."""
    if settings.get("enabled") is False:
        return "disabled"
    mode = settings.get("availability", "online")
    if mode != "scheduled":
        return mode
    schedule = settings.get("businessHours") or {}
    local = now.astimezone(ZoneInfo(schedule.get("timezone", "UTC")))
    holidays = {h["date"] if isinstance(h, dict) else h for h in schedule.get("holidays", [])}
    open_now = (local.date().isoformat() not in {str(d) for d in holidays}
                and _within(schedule.get("hours", {}).get(DAYS[local.weekday()], []), local))
    return "online" if open_now else schedule.get("offHours", "offline")


BRAND_KEYS = ("availability", "businessHours")   # what a brand may set for itself (fixtures, the control API)


def brand_settings(settings: dict, brand: dict | None) -> dict:
    """The org's settings with a brand's own availability mode and business hours laid over them."""
    own = {k: brand[k] for k in BRAND_KEYS if brand and brand.get(k) is not None}
    return {**settings, **own}

"""Idle orgs, as every store evicts them: when each org was last called, and which ones to drop."""
from __future__ import annotations

import time


class IdleOrgs:
    """A store's record of org use; `idle_seconds` (0: keep every org) and `evicted` are the store's settings."""

    def start_idle(self) -> None:
        """No org used yet, no sweep yet, eviction off until ORG_IDLE_SECONDS sets idle_seconds."""
        self.idle_seconds = 0.0            # ORG_IDLE_SECONDS: 0 keeps every org for good
        self.evicted = 0                   # orgs dropped for idleness since boot
        self._used: dict[str, float] = {}  # org name -> monotonic time of its last call
        self._swept = time.monotonic()

    def called(self, name: str) -> None:
        """Org `name` is called now; at most once a second, sweep the idle ones first (evict_idle)."""
        now = time.monotonic()
        if self.idle_seconds and now - self._swept >= min(1.0, self.idle_seconds):
            self.evict_idle(now)
        self._used[name] = now

    def take_idle(self, orgs: dict, now: float) -> list:
        """Pop from `orgs` every entry idle for idle_seconds and count them (the caller holds its lock)."""
        self._swept = now
        idle = [name for name, at in self._used.items() if now - at >= self.idle_seconds]
        dropped = [org for org in (orgs.pop(name, None) for name in idle) if org is not None]
        for name in idle:
            del self._used[name]
        self.evicted += len(dropped)
        return dropped

    def evict_idle(self, now: float | None = None) -> int:
        """Drop every org idle for idle_seconds; answers how many went (each store says what dropping means)."""
        raise NotImplementedError

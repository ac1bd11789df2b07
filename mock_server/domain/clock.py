"""The mock clock: real time by default; tests freeze and advance it."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds, as Kustomer writes times."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 time (a trailing Z allowed); naive times are UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Clock:
    """A clock that runs with real time, or stands frozen, shifted by an offset."""

    def __init__(self):
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """The current mock time, aware, in UTC."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(timezone.utc) + self._offset

    def now_iso(self) -> str:
        """The current mock time as Kustomer writes it."""
        return iso(self.now())

    def timestamp(self) -> float:
        """The current mock time in seconds since the epoch."""
        return self.now().timestamp()

    def freeze(self, at: datetime | None = None) -> None:
        """Stop the clock at `at` (default: now)."""
        moment = at or self.now()
        with self._lock:
            self._frozen_at = moment.astimezone(timezone.utc)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (frozen or running)."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)

    def resume(self) -> None:
        """Run with real time again, from the real now."""
        with self._lock:
            self._frozen_at = None
            self._offset = timedelta(0)

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still."""
        return self._frozen_at is not None

    def describe(self) -> dict:
        """The clock's state for the control API."""
        return {"now": self.now_iso(), "frozen": self.frozen,
                "offsetSeconds": self._offset.total_seconds()}

    def sleep(self, seconds: float) -> None:
        """Real sleep; kept here so the delay source is one place."""
        time.sleep(seconds)

"""The mock clock: real time by default; tests freeze and advance it."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from .errors import InvalidField

# The mock clock never leaves these: every time it writes then has four digits and converts safely.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc)


class ClockOutOfRange(InvalidField):
    """A freeze or an advance that would take the mock clock outside 1970..9999."""


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds, as Kustomer writes times (years always four digits)."""
    moment = moment.astimezone(timezone.utc)
    # strftime's %Y writes year 1 as "1" on glibc: format the fields ourselves
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:"
            f"{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 time (a trailing Z allowed); naive times are UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def in_range(moment: datetime) -> bool:
    """Whether `moment` lies within the clock's range, 1970-01-01 to 9999-12-31 (UTC)."""
    try:
        return EARLIEST <= moment.astimezone(timezone.utc) <= LATEST
    except (OverflowError, ValueError):   # year 1 at +01:00 cannot even be converted
        return False


def _out_of_range(what: str, pointer: str) -> ClockOutOfRange:
    return ClockOutOfRange(f"{what}: the mock clock stays between {iso(EARLIEST)} and {iso(LATEST)}",
                           pointer=pointer)


class Clock:
    """A clock that runs with real time, or stands frozen, shifted by an offset."""

    def __init__(self):
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = None
        self._offset = timedelta(0)
        # a store's shared copy of this clock (store/redis_clock.py), read before a change and written after;
        # None: this process alone keeps the clock
        self.sync = None

    def now(self) -> datetime:
        """The current mock time, aware, in UTC; never outside EARLIEST..LATEST, never raises."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return self._running_now(self._offset)

    @staticmethod
    def _running_now(offset: timedelta) -> datetime:
        try:
            return min(max(datetime.now(timezone.utc) + offset, EARLIEST), LATEST)
        except OverflowError:  # only reachable if real time outruns a bounded offset: stay at the edge
            return LATEST if offset > timedelta(0) else EARLIEST

    def now_iso(self) -> str:
        """The current mock time as Kustomer writes it."""
        return iso(self.now())

    def timestamp(self) -> float:
        """The current mock time in seconds since the epoch."""
        return self.now().timestamp()

    def freeze(self, at: datetime | None = None) -> None:
        """Stop the clock at `at` (default: now); ClockOutOfRange outside 1970..9999, changing nothing."""
        with self._changing():
            self._freeze(at)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (frozen or running); ClockOutOfRange past 9999, changing nothing."""
        with self._changing():
            self._advance(seconds)

    def resume(self) -> None:
        """Run with real time again, from the real now."""
        with self._changing():
            self._resume()

    @contextmanager
    def _changing(self):
        """A change of a shared clock starts from the shared state and is shared once it succeeded."""
        if self.sync is not None:
            self.sync.pull(self)
        yield
        if self.sync is not None:
            self.sync.push(self)

    def _freeze(self, at: datetime | None) -> None:
        moment = at or self.now()
        if not in_range(moment):
            raise _out_of_range(f"cannot freeze at {moment.isoformat()}", "/freeze")
        with self._lock:
            self._frozen_at = moment.astimezone(timezone.utc)

    def _advance(self, seconds: float) -> None:
        refused = _out_of_range(f"cannot advance by {seconds} seconds", "/advanceSeconds")
        with self._lock:
            try:
                step = timedelta(seconds=seconds)
                if self._frozen_at is not None:
                    moved = self._frozen_at + step
                else:
                    moved = datetime.now(timezone.utc) + self._offset + step
            except (OverflowError, ValueError):
                raise refused from None
            if not in_range(moved):
                raise refused
            if self._frozen_at is not None:
                self._frozen_at = moved
            else:
                self._offset += step

    def _resume(self) -> None:
        with self._lock:
            self._frozen_at = None
            self._offset = timedelta(0)

    def shared_state(self) -> dict:
        """What a store shares of this clock: where it stands frozen (or None) and its offset from real time."""
        with self._lock:
            return {"frozenAt": None if self._frozen_at is None else self._frozen_at.isoformat(),
                    "offset": self._offset.total_seconds()}

    def adopt(self, state: dict | None) -> None:
        """Take the shared state another process wrote (None: never changed, so running with real time)."""
        state = state or {}
        frozen_at = state.get("frozenAt")
        with self._lock:
            self._frozen_at = None if frozen_at is None else datetime.fromisoformat(frozen_at)
            self._offset = timedelta(seconds=state.get("offset", 0.0))

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still."""
        return self._frozen_at is not None

    def describe(self) -> dict:
        """The clock's state for the control API."""
        if self.sync is not None:
            self.sync.pull(self)
        return {"now": self.now_iso(), "frozen": self.frozen,
                "offsetSeconds": self._offset.total_seconds()}

    def sleep(self, seconds: float) -> None:
        """Real sleep; kept here so the delay source is one place."""
        time.sleep(seconds)

    def _state(self) -> tuple[datetime | None, timedelta]:
        with self._lock:
            return self._frozen_at, self._offset


class OrgClock(Clock):
    """One org's clock: the mock clock's time until the org's own freeze or advance; resume follows it again.

    Parallel tests each freeze their own org without moving anyone else's time.
    """

    def __init__(self, parent: Clock):
        super().__init__()
        self.parent = parent
        self.own = False   # False: this org reads the mock clock

    def now(self) -> datetime:
        """The org's time: its own once frozen or advanced, else the mock clock's."""
        return super().now() if self.own else self.parent.now()

    def _freeze(self, at: datetime | None) -> None:
        """Stop this org's clock at `at` (default: its now); the mock clock and other orgs keep theirs."""
        super()._freeze(at or self.now())
        self.own = True

    def _advance(self, seconds: float) -> None:
        """Move this org's clock forward; it starts from where the mock clock stands (frozen or running)."""
        if not self.own:
            trial = Clock()   # the mock clock's state, advanced aside: an out-of-range step changes nothing
            trial._frozen_at, trial._offset = self.parent._state()
            trial.advance(seconds)
            with self._lock:
                self._frozen_at, self._offset = trial._state()
            self.own = True
            return
        super()._advance(seconds)

    def _resume(self) -> None:
        """Follow the mock clock again."""
        super()._resume()
        self.own = False

    def shared_state(self) -> dict:
        """The shared state of an org clock: its own time, or that it follows the mock clock."""
        return {**super().shared_state(), "own": self.own}

    def adopt(self, state: dict | None) -> None:
        """Take the shared state of this org's clock (None: it follows the mock clock)."""
        super().adopt(state)
        self.own = bool((state or {}).get("own"))

    @property
    def frozen(self) -> bool:
        """Whether this org's time stands still (its own, or the mock clock's that it follows)."""
        return self._frozen_at is not None if self.own else self.parent.frozen

    def describe(self) -> dict:
        """The org clock's state: the mock clock's fields, and whether the org has a time of its own."""
        for clock in (self, self.parent):
            if clock.sync is not None:
                clock.sync.pull(clock)
        offset = self._offset if self.own else self.parent._state()[1]
        return {"now": self.now_iso(), "frozen": self.frozen, "offsetSeconds": offset.total_seconds(),
                "own": self.own}

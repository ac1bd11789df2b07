"""Every org's state in this process's memory."""
from __future__ import annotations

import threading
import time

from ..domain.clock import Clock
from ..domain.fixtures import Fixtures
from ..domain.org import Org
from ..domain.store import check_key
from .idle import IdleOrgs


class MemoryStore(IdleOrgs):
    """The OrgStore of one process: orgs by name, made lazily under a lock; keys map to orgs through the fixtures."""

    def __init__(self, fixtures: Fixtures, seed: int, clock: Clock):
        self.fixtures, self.seed, self.clock = fixtures, seed, clock
        self._orgs: dict[str, Org] = {}
        self._keys: dict[str, None] = {}  # keys seen, in order
        self._lock = threading.Lock()
        self.start_idle()
        self.listeners: list = []  # given to every org: called after each write (Org.record_changed)

    def add_listener(self, listener) -> None:
        """Call `listener(org, kind, record, before)` after every write of every org, present and future."""
        with self._lock:
            self.listeners.append(listener)
            for org in self._orgs.values():
                org.listeners.append(listener)

    def org(self, key: str, name: str | None = None) -> Org:
        """The org of `key` (named `name` when the caller worked it out), built on first use."""
        name = name or self.fixtures.org_name(check_key(key))
        self.called(name)
        org = self._orgs.get(name)
        if org is not None:
            self._keys.setdefault(key)
            return org
        with self._lock:
            self._keys.setdefault(key)
            if name not in self._orgs:
                built = Org(self.fixtures.spec(key), self.seed, self.clock)
                built.listeners.extend(self.listeners)
                self._orgs[name] = built
            return self._orgs[name]

    def built(self, name: str) -> Org | None:
        """The org of that name if it is built, without building it."""
        return self._orgs.get(name)

    def evict_idle(self, now: float | None = None) -> int:
        """Drop every org without a call for idle_seconds (its next call rebuilds it); how many went."""
        with self._lock:
            dropped = self.take_idle(self._orgs, time.monotonic() if now is None else now)
        for org in dropped:
            org.events.close()  # its open streams end; their reconnects rebuild it
        return len(dropped)

    def reset(self, key: str | None = None) -> None:
        """Drop every org (or one key's org): the next call rebuilds it from the fixtures."""
        with self._lock:
            if key is None:
                dropped = list(self._orgs.values())
                self._orgs.clear()
                self._keys.clear()
            else:
                dropped = [self._orgs.pop(self.fixtures.org_name(check_key(key)), None)]
        for org in filter(None, dropped):
            org.events.close()  # open event streams of a dropped org end now, not at their next heartbeat

    def close(self) -> None:
        """End the event streams of every org (the server is stopping)."""
        for org in list(self._orgs.values()):
            org.events.close()

    def keys(self) -> list[str]:
        """The API keys seen since the last full reset."""
        return list(self._keys)

    def orgs(self) -> dict[str, Org]:
        """The orgs built so far, by name."""
        return dict(self._orgs)

    def names(self) -> list[str]:
        """The names of the orgs built so far."""
        return list(self._orgs)

    def replace(self, orgs: dict[str, Org], keys: list[str]) -> None:
        """Swap in a whole set of orgs (state import)."""
        with self._lock:
            dropped = list(self._orgs.values())
            for org in orgs.values():   # attached after the import, so imported records emit nothing
                org.listeners[:] = self.listeners
            self._orgs, self._keys = dict(orgs), dict.fromkeys(keys)
            self._used = dict.fromkeys(self._orgs, time.monotonic())
        for org in dropped:
            org.events.close()

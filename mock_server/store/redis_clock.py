"""The clocks in Redis: the mock clock and each org's own clock, the same on every process.

A clock's state (where it stands frozen, its offset from real time, whether an org clock has a time of its
own) is one JSON value; a change reads the shared value first and writes the new one with a bump of one
counter (`km:clockversion`). Every request reads that counter in the round trip it makes anyway (store
`org`), and the live-events reader reads it a few times a second, so a process that served nothing since
another one moved a clock adopts the new state before it next reads the time.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..domain.clock import Clock
from .redis_format import PREFIX, key

if TYPE_CHECKING:   # the store makes the syncs and hands itself
    from .redis import RedisStore

CLOCK_VERSION = f"{PREFIX}:clockversion"
MOCK_CLOCK = f"{PREFIX}:clock"


class ClockSync:
    """One clock's shared copy: the Redis key of its state."""

    def __init__(self, store: RedisStore, redis_key: str):
        self.store, self.key = store, redis_key

    def pull(self, clock: Clock) -> None:
        """Adopt the shared state (none written yet: the clock's starting state)."""
        raw = self.store.call(self.store.redis.get, self.key)
        clock.adopt(None if raw is None else json.loads(raw))

    def push(self, clock: Clock) -> None:
        """Share the clock's state and tell every process that a clock moved."""
        pipe = self.store.redis.pipeline(transaction=True)
        pipe.set(self.key, json.dumps(clock.shared_state())).incr(CLOCK_VERSION)
        self.store.call(pipe.execute)   # this process too adopts it again on its next round trip: harmless


class SharedClocks:
    """A process's side of the shared clocks: which change it last adopted, and adopting the newer ones."""

    def __init__(self, store: RedisStore, clock: Clock):
        self.store, self.clock, self.seen = store, clock, None
        clock.sync = ClockSync(store, MOCK_CLOCK)

    def attach(self, org) -> None:
        """Share a replica's clock: adopt the shared state, or share an imported org's own time."""
        sync = org.clock.sync = ClockSync(self.store, key(org.name, "clock"))
        if org.clock.own:
            sync.push(org.clock)
        else:
            sync.pull(org.clock)

    def check(self, version: bytes | None) -> None:
        """After a round trip that read the clock counter: adopt every clock's state if one moved since."""
        version = 0 if version is None else int(version)
        if version == self.seen:
            return
        replicas = self.store.replicas()
        keys = [MOCK_CLOCK] + [key(shared.org.name, "clock") for shared in replicas]
        states = self.store.call(self.store.redis.mget, keys)
        self.clock.adopt(None if states[0] is None else json.loads(states[0]))
        for shared, raw in zip(replicas, states[1:]):
            shared.org.clock.adopt(None if raw is None else json.loads(raw))
        self.seen = version

    def poll(self) -> None:
        """Read the clock counter and adopt what moved (the live-events reader's few times a second)."""
        self.check(self.store.call(self.store.redis.get, CLOCK_VERSION))

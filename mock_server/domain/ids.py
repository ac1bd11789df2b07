"""Ids that look and sort like Kustomer's ObjectIds: a time prefix, a per-org part, then a counter."""
from __future__ import annotations

import hashlib
import random
import re
import threading
from datetime import datetime

HEX24 = re.compile(r"^[0-9a-f]{24}$")
MAX_SECONDS = 0xFFFFFFFF  # 4 bytes of seconds reach 2106; later mock times keep the last prefix
COUNTER_SPAN = 0x1000000  # 3 bytes, as an ObjectId's counter


class IdMaker:
    """ObjectId-shaped ids: 4 bytes of seconds, 5 seeded bytes of this org, a 3-byte counter.

    Ids made at the same second differ only by the counter, which grows with every id, so sorting
    records by (createdAt, id) gives the order they were written in, even when the clock is frozen.
    """

    def __init__(self, rng: random.Random):
        self.machine = rng.getrandbits(40)
        # starts low, so a run of millions of ids never wraps into smaller ones
        self.counter = rng.getrandbits(20)
        self._lock = threading.Lock()

    def make(self, moment: datetime) -> str:
        """The next id, its time prefix from `moment`."""
        seconds = min(max(int(moment.timestamp()), 0), MAX_SECONDS)
        with self._lock:
            self.counter = (self.counter + 1) % COUNTER_SPAN
            counter = self.counter
        return f"{seconds:08x}{self.machine:010x}{counter:06x}"

    def export(self) -> dict:
        """The state a later import continues from."""
        return {"machine": f"{self.machine:010x}", "counter": self.counter}

    def restore(self, state: dict) -> None:
        """Continue from an exported state."""
        self.machine, self.counter = int(state["machine"], 16), int(state["counter"])


def new_token(rng: random.Random, prefix: str = "trk_") -> str:
    """An opaque token with a recognisable prefix."""
    return f"{prefix}{rng.getrandbits(128):032x}"


def is_id(text) -> bool:
    """Whether `text` has the shape of a Kustomer id."""
    return isinstance(text, str) and bool(HEX24.match(text))


def stable_id(*parts: str) -> str:
    """A 24-hex id derived from names, for fixture records that have none (Klasses, tokens)."""
    return hashlib.sha1(":".join(parts).encode()).hexdigest()[:24]

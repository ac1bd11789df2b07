"""Stores of org state; memory is the default, redis://HOST:PORT/DB shares orgs between processes."""
from __future__ import annotations

from ..domain.clock import Clock
from ..domain.fixtures import Fixtures
from ..domain.store import OrgStore
from .memory import MemoryStore
from .redis import RedisStore

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def make_store(kind: str, fixtures: Fixtures, seed: int, clock: Clock) -> OrgStore:
    """The store named by `kind`: "memory", or a Redis URL (redis://HOST:PORT/DB)."""
    if kind == "memory":
        return MemoryStore(fixtures, seed, clock)
    if kind.startswith(REDIS_SCHEMES):
        return RedisStore(kind, fixtures, seed, clock)
    raise ValueError(f"unknown store {kind!r}; known: memory, redis://HOST:PORT/DB")

"""Stores of org state; memory is the default."""
from __future__ import annotations

from ..domain.clock import Clock
from ..domain.fixtures import Fixtures
from ..domain.store import OrgStore
from .memory import MemoryStore


def make_store(kind: str, fixtures: Fixtures, seed: int, clock: Clock) -> OrgStore:
    """The store named by `kind` (only "memory" for now)."""
    if kind != "memory":
        raise ValueError(f"unknown store {kind!r}; known: memory")
    return MemoryStore(fixtures, seed, clock)

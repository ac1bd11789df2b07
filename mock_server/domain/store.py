"""The interface the domain needs from a store of orgs; store/ implements it."""
from __future__ import annotations

from typing import Iterable, Protocol

from .org import Org


class OrgStore(Protocol):
    """Every org of this process, made lazily from fixtures, reset by re-making them."""

    def org(self, key: str) -> Org:
        """The org an API key belongs to, created on first use."""

    def reset(self, key: str | None = None) -> None:
        """Every org (or the org of one key) back to its fixtures and seed."""

    def keys(self) -> Iterable[str]:
        """The API keys seen so far."""

"""The interface the domain needs from a store of orgs; store/ implements it."""
from __future__ import annotations

from typing import Callable, Protocol

from .errors import InvalidApiKey
from .fixtures import Fixtures
from .org import Org

MAX_KEY_CHARS = 256   # Kustomer keys are JWTs of a few hundred characters at most; longer is a mistake


def check_key(key: str) -> str:
    """The key, or InvalidApiKey when it is too long to be one (no org is built for it)."""
    if len(key) > MAX_KEY_CHARS:
        raise InvalidApiKey(f"the API key is {len(key)} characters long; a key has at most {MAX_KEY_CHARS}")
    return key


class OrgStore(Protocol):
    """Every org of one mock, made lazily from fixtures: what the surfaces, export, import, reset and close use.

    A store keeps the orgs of every API key it has seen; `memory` (store/memory.py) is the embedded one. A
    second store implements these members and nothing else is asked of it.
    """

    fixtures: Fixtures    # the org specs keys map to
    seed: int             # the seed every org's generator starts from (exports carry it)
    idle_seconds: float   # orgs without a call for this long are dropped (0: never)
    evicted: int          # orgs dropped for idleness since boot

    def org(self, key: str, name: str | None = None) -> Org:
        """The org an API key belongs to (`name`: its org name, when already known), created on first use.

        InvalidApiKey for an overlong key.
        """

    def built(self, name: str) -> Org | None:
        """The org of that name if it is built, without building it."""

    def keys(self) -> list[str]:
        """The API keys seen since the last full reset, in order."""

    def orgs(self) -> dict[str, Org]:
        """The orgs built so far, by name (state export, watch, webhooks delivery)."""

    def names(self) -> list[str]:
        """The names of the orgs built so far, without reading any of them (health, counts)."""

    def add_listener(self, listener: Callable) -> None:
        """Call `listener(org, kind, record, before)` after every write of every org, present and future."""

    def replace(self, orgs: dict[str, Org], keys: list[str]) -> None:
        """Swap in a whole set of orgs (state import); imported records are not announced."""

    def reset(self, key: str | None = None) -> None:
        """Every org (or the org of one key) back to its fixtures and seed."""

    def evict_idle(self, now: float | None = None) -> int:
        """Drop every org idle for idle_seconds; answers how many went."""

    def close(self) -> None:
        """The server is stopping: every org's event streams end."""

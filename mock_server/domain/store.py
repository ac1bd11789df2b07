"""The interface the domain needs from a store of orgs; store/ implements it."""
from __future__ import annotations

from typing import Iterable, Protocol

from .errors import InvalidApiKey
from .org import Org

MAX_KEY_CHARS = 256   # Kustomer keys are JWTs of a few hundred characters at most; longer is a mistake


def check_key(key: str) -> str:
    """The key, or InvalidApiKey when it is too long to be one (no org is built for it)."""
    if len(key) > MAX_KEY_CHARS:
        raise InvalidApiKey(f"the API key is {len(key)} characters long; a key has at most {MAX_KEY_CHARS}")
    return key


class OrgStore(Protocol):
    """Every org of this process, made lazily from fixtures, reset by re-making them."""

    def org(self, key: str) -> Org:
        """The org an API key belongs to, created on first use."""

    def reset(self, key: str | None = None) -> None:
        """Every org (or the org of one key) back to its fixtures and seed."""

    def keys(self) -> Iterable[str]:
        """The API keys seen so far."""

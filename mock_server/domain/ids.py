"""Ids that look like Kustomer's: 24 lowercase hex characters, drawn from a seeded generator."""
from __future__ import annotations

import hashlib
import random
import re

HEX24 = re.compile(r"^[0-9a-f]{24}$")


def new_id(rng: random.Random) -> str:
    """A 24-hex id from the given generator."""
    return f"{rng.getrandbits(96):024x}"


def new_token(rng: random.Random, prefix: str = "trk_") -> str:
    """An opaque token with a recognisable prefix."""
    return f"{prefix}{rng.getrandbits(128):032x}"


def is_id(text) -> bool:
    """Whether `text` has the shape of a Kustomer id."""
    return isinstance(text, str) and bool(HEX24.match(text))


def stable_id(*parts: str) -> str:
    """A 24-hex id derived from names, for fixture records that have none (Klasses, tokens)."""
    return hashlib.sha1(":".join(parts).encode()).hexdigest()[:24]

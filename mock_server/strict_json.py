"""Reading JSON the way the mock writes it: standard JSON only, finite numbers, bounded nesting."""
from __future__ import annotations

import json
import math

MAX_DEPTH = 64  # no Kustomer body nests anywhere near this; deeper input is refused before any view sees it


def _no_constant(name: str):
    # Python's json reads NaN, Infinity and -Infinity by default; no other JSON reader does
    raise ValueError(f"{name} is not JSON: send a finite number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a JSON number (a 64-bit float)")
    return number


# one decoder for every call: json.loads with hooks builds a decoder and its scanner on each call,
# which cost more than parsing a request body
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def _text(raw: bytes | str) -> str:
    """What json.loads does before decoding: bytes in any UTF encoding it detects; a str with a BOM refused."""
    if isinstance(raw, str):
        if raw.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", raw, 0)
        return raw
    return raw.decode(json.detect_encoding(raw), "surrogatepass")


def loads(raw: bytes | str):
    """Parse standard JSON; ValueError (with the reason) for NaN, Infinity, 1e400, huge ints, deep nesting."""
    try:
        value = _DECODER.decode(_text(raw))
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: {exc}") from None
    if depth(value) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return value


def depth(value) -> int:
    """How deep objects and arrays nest in `value` (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest   # enough to refuse it; no need to walk the rest
        pending.extend((child, level + 1) for child in children)
    return deepest

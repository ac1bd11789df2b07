"""Matching journal entries against what a test expects, and explaining the calls that came closest."""
from __future__ import annotations

from collections import Counter

# keywords that name a field of the journal entry itself; any other keyword is a request body field
ENTRY_FIELDS = ("status", "method", "path", "query", "fault", "drop", "stub")
ALIASES = {"body": "requestBody", "response": "responseBody"}
_MISSING = object()
NEAREST_SHOWN = 3


def _lookup(entry: dict, name: str):
    """(label, actual value) of one expected keyword in an entry."""
    if name in ENTRY_FIELDS:
        return name, entry.get(name, _MISSING)
    if name in ALIASES:
        return name, entry.get(ALIASES[name], _MISSING)
    body = entry.get("requestBody")
    return f"body.{name}", body.get(name, _MISSING) if isinstance(body, dict) else _MISSING


def _fits(want, got) -> bool:
    if callable(want):
        return got is not _MISSING and bool(want(got))
    if isinstance(want, dict):
        return isinstance(got, dict) and all(_fits(v, got.get(k, _MISSING)) for k, v in want.items())
    return want == got


def _show(value) -> str:
    if value is _MISSING:
        return "nothing (absent)"
    if callable(value):
        return getattr(value, "__name__", repr(value))
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def differences(entry: dict, expected: dict) -> list[str]:
    """One line per expected keyword the entry does not fit: 'label: expected X, got Y'."""
    lines = []
    for name, want in expected.items():
        label, got = _lookup(entry, name)
        if not _fits(want, got):
            lines.append(f"{label}: expected {_show(want)}, got {_show(got)}")
    return lines


def matches(entry: dict, expected: dict) -> bool:
    """Whether the entry fits every expected keyword (dicts as subsets, callables as predicates)."""
    return not differences(entry, expected)


def describe_expectation(operation: str, expected: dict, times: int | None) -> str:
    """'createConversation with message='hi', status=201 (exactly 2 times)'."""
    words = operation + (" with " + ", ".join(f"{k}={_show(v)}" for k, v in expected.items()) if expected else "")
    if times is None:
        return words + " (at least once)"
    return words + f" (exactly {times} time{'' if times == 1 else 's'})"


def _line(entry: dict) -> str:
    status = "dropped" if entry.get("status") is None else entry["status"]
    fault = f", fault {entry['fault']}" if entry.get("fault") else ""
    return f"  #{entry['id']} {entry['method']} {entry['path']} -> {status}{fault}"


def explain(operation: str, expected: dict, times: int | None, entries: list[dict], key: str,
            url: str) -> str:
    """Why an assertion on the journal of org `key` failed: what was expected, what was seen, the nearest calls."""
    same = [e for e in entries if e["operation"] == operation]
    fitting = [e for e in same if matches(e, expected)]
    head = (f"expected {describe_expectation(operation, expected, times)} for org {key!r}; "
            f"found {len(fitting)} matching of {len(same)} {operation} call{'' if len(same) == 1 else 's'}.")
    if not entries:
        return (f"{head}\nThe mock journaled no call at all for this org: does the code under test use the "
                f"key {key!r} and the mock at {url}?")
    if not same:
        seen = Counter(e["operation"] for e in entries)
        listed = ", ".join(f"{op} x{n}" for op, n in seen.most_common())
        return f"{head}\nCalls seen for this org: {listed}."
    lines = [head]
    if fitting and times is not None:
        lines.append("Matching calls:")
        lines += [_line(e) for e in fitting[:10]]
    others = sorted((e for e in same if e not in fitting), key=lambda e: (len(differences(e, expected)), -e["id"]))
    if others:
        lines.append("Nearest other calls (fields that differ):")
        for entry in others[:NEAREST_SHOWN]:
            lines.append(_line(entry))
            lines += [f"      {d}" for d in differences(entry, expected)]
        if len(others) > NEAREST_SHOWN:
            lines.append(f"  ... and {len(others) - NEAREST_SHOWN} more")
    return "\n".join(lines)

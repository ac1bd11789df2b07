"""Klasses and their custom attributes: the rules Kustomer applies to customAttributes."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlparse

from .clock import parse_iso
from .errors import InvalidAttribute, UnknownAttribute, ValueTooLong

MAX_STR_CHARS = 1024
MAX_TXT_CHARS = 1024
TYPES = ("str", "txt", "num", "bool", "at", "url", "tree")


def _tree_nodes(children: list[dict]) -> set[str]:
    """Every node id of a tree, at any depth."""
    ids: set[str] = set()
    for node in children or []:
        ids.add(node["id"])
        ids |= _tree_nodes(node.get("children", []))
    return ids


@dataclass(frozen=True)
class Attribute:
    """One custom attribute of a Klass."""

    name: str
    type: str
    display_name: str = ""
    tree: dict | None = None  # {"children": [{"id", "displayName", "children"}]}
    nodes: frozenset = field(default_factory=frozenset)

    @classmethod
    def from_fixture(cls, raw: dict) -> "Attribute":
        """Build from a fixtures entry."""
        tree = raw.get("tree")
        return cls(name=raw["name"], type=raw["type"], display_name=raw.get("displayName", raw["name"]),
                   tree=tree, nodes=frozenset(_tree_nodes(tree["children"]) if tree else ()))

    def describe(self) -> dict:
        """The attribute as tools see it."""
        return {"name": self.name, "type": self.type, "displayName": self.display_name, "tree": self.tree}

    def check(self, value, pointer_root: str) -> None:
        """Raise InvalidAttribute unless `value` fits this attribute's type."""
        fault = _CHECKS[self.type](self, value)
        if fault == "too_long":
            limit = MAX_STR_CHARS if self.type == "str" else MAX_TXT_CHARS
            raise ValueTooLong(f"{self.name} is longer than {limit} characters",
                               pointer=f"{pointer_root}/{self.name}")
        if fault:
            raise InvalidAttribute(self.name, fault, pointer_root)


def _check_text(limit: int):
    def check(attr: Attribute, value) -> str | None:
        if not isinstance(value, str):
            return "expected a string"
        return "too_long" if len(value) > limit else None
    return check


def _check_num(attr: Attribute, value) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return None if ok else "expected a (finite) number"


def _check_bool(attr: Attribute, value) -> str | None:
    return None if isinstance(value, bool) else "expected a boolean"


def _check_at(attr: Attribute, value) -> str | None:
    if not isinstance(value, str):
        return "expected an ISO 8601 date-time string"
    try:
        parse_iso(value)
    except ValueError:
        return "expected an ISO 8601 date-time string"
    return None


def _check_url(attr: Attribute, value) -> str | None:
    if not isinstance(value, str):
        return "expected a URL string"
    parts = urlparse(value)
    return None if parts.scheme in ("http", "https") and parts.netloc else "expected an absolute http(s) URL"


def _check_tree(attr: Attribute, value) -> str | None:
    if not isinstance(value, str):
        return "expected a tree node id (a string)"
    if value in attr.nodes:
        return None
    if value.lower() in attr.nodes:
        return f"tree values are lowercase: send {value.lower()!r}"
    return f"not a node of the tree; valid nodes: {', '.join(sorted(attr.nodes))}"


_CHECKS = {"str": _check_text(MAX_STR_CHARS), "txt": _check_text(MAX_TXT_CHARS), "num": _check_num,
           "bool": _check_bool, "at": _check_at, "url": _check_url, "tree": _check_tree}


@dataclass(frozen=True)
class Klass:
    """A Klass (Conversation, Customer) with its custom attributes by system name."""

    name: str
    attributes: dict[str, Attribute]

    @classmethod
    def from_fixture(cls, name: str, raw: list[dict]) -> "Klass":
        """Build from the list of attributes in the fixtures."""
        return cls(name=name, attributes={a["name"]: Attribute.from_fixture(a) for a in raw})

    def validate(self, values: dict, pointer_root: str = "/customAttributes") -> dict:
        """Check every value; return them unchanged, or raise on the first bad one."""
        for name, value in values.items():
            attribute = self.attributes.get(name)
            if attribute is None:
                raise UnknownAttribute(name, self.name, pointer_root)
            if value is not None:
                attribute.check(value, pointer_root)
        return values

    def describe(self) -> list[dict]:
        """Every attribute as tools see it."""
        return [a.describe() for a in self.attributes.values()]



def merge_attributes(current: dict, changes: dict) -> dict:
    """Merge validated changes into current values; None clears a value."""
    merged = dict(current)
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


_SUFFIXES = {"Str": "str", "Txt": "txt", "Num": "num", "Bool": "bool", "At": "at", "Url": "url"}


def check_suffixed(values: dict, owner: str, pointer_root: str = "/custom") -> dict:
    """Custom attributes of an object with no Klass in the fixtures (messages): each checked by its suffix."""
    for name, value in values.items():
        suffix = next((s for s in _SUFFIXES if name.endswith(s) and len(name) > len(s)), None)
        if suffix is None:
            raise UnknownAttribute(name, owner, pointer_root)
        if value is not None:
            Attribute(name=name, type=_SUFFIXES[suffix]).check(value, pointer_root)
    return values

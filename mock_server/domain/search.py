"""Kustomer's search (POST /v1/customers/search) over an org: criteria, sort and the objects they reach.

A criterion is {attribute: {operator: value}}; `and`, `or` and `not` take one or a list, and nest.
Attributes of a related object reach it: customer_* on a conversation, message, note or KObject is its
customer; conversation_* on a message or note is its conversation.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .clock import parse_iso
from .errors import ApiError
from .search_fields import ANY_TEXT, CUSTOMER_SORTS, FIELDS, NOT_COMPUTED, SUFFIX_KINDS

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

OPERATORS = ("equals", "not_equals", "contains", "not_contains", "in", "not_in", "gt", "gte", "lt", "lte",
             "set", "not_set", "starts_with")
MAX_PAGE = 100   # Kustomer's hard limit on pages of one query
EMPTY_CONTEXTS = ("company", "conversation_time", "work_session", "work_item")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidCriteria(ApiError):
    """A search the criteria format (or the mock) cannot express: names what and where."""
    code, title = "invalid_criteria", "Invalid search criteria"


def _related(org: Org, obj: str, record, context: str):
    """The object an attribute prefix reads, seen from a record of `context` (None when unrelated)."""
    if obj == context:
        return record
    customer_id = getattr(record, "customer_id", None)
    if obj == "customer" and customer_id:
        return org.customers.get(customer_id)
    conversation_id = getattr(record, "conversation_id", None)
    if obj == "conversation" and conversation_id:
        return org.conversations.get(conversation_id)
    return None


class Query:
    """One checked search: the context, its records, and a predicate built from the criteria."""

    def __init__(self, org, body: dict):
        self.org, self.body = org, body
        context = body.get("query_context") or "customer"
        self.context, _, self.klass = context.partition("_") if context.startswith("kobject_") else (context, "", "")
        self.zone = _zone(body.get("time_zone"))
        # the mock keeps no companies, conversation times or work items: such searches find nothing
        self.empty = self.context in EMPTY_CONTEXTS
        self.predicate = (lambda record: False) if self.empty else self._group(body, "")

    # -- building ------------------------------------------------------------------------------

    def _group(self, node: dict, pointer: str):
        tests = []
        for key in ("and", "or", "not"):
            if node.get(key) is None:
                continue
            items = node[key] if isinstance(node[key], list) else [node[key]]
            many = isinstance(node[key], list)
            parts = [self._criterion(item, f"{pointer}/{key}/{i}" if many else f"{pointer}/{key}")
                     for i, item in enumerate(items)]
            tests.append(_combine(key, parts))
        return lambda record: all(test(record) for test in tests)

    def _criterion(self, item, pointer: str):
        if not isinstance(item, dict) or not item:
            raise InvalidCriteria("a criterion is an object {attribute: {operator: value}}", pointer=pointer)
        if set(item) & {"and", "or", "not"}:
            return self._group(item, pointer)
        tests = [self._test(name, spec, f"{pointer}/{name}") for name, spec in item.items()]
        return lambda record: all(test(record) for test in tests)

    def _test(self, name: str, spec, pointer: str):
        obj, kind, getter = self._attribute(name, pointer)
        if not isinstance(spec, dict) or len(spec) != 1:
            raise InvalidCriteria(f"{name}: give one operator, e.g. {{\"equals\": ...}}", pointer=pointer)
        operator, value = next(iter(spec.items()))
        if operator not in OPERATORS:
            raise InvalidCriteria(f"{name}: operator {operator!r} is not one of {', '.join(OPERATORS)}",
                                  pointer=f"{pointer}/{operator}")
        check = _matcher(kind, operator, value, self.zone, f"{pointer}/{operator}")

        def test(record):
            target = _related(self.org, obj, record, self.context)
            return check(getter(target, self.org) if target is not None else None)
        return test

    def _attribute(self, name: str, pointer: str) -> tuple:
        if name in FIELDS:
            return FIELDS[name]
        obj, _, rest = name.partition("_")
        if rest == "any_text" and obj in ANY_TEXT:
            return obj, "text", lambda r, o: " ".join(str(v) for v in ANY_TEXT[obj](r, o) if v)
        if rest.startswith("custom_") and obj in ("customer", "conversation", "message", "kobject"):
            return self._custom(obj, rest[7:], name, pointer)
        known = "a Kustomer attribute the mock does not compute" if name in NOT_COMPUTED else \
            "not a Kustomer search attribute"
        raise InvalidCriteria(f"{name} is {known} (docs/rest-v1.md lists the searchable ones)", pointer=pointer)

    def _custom(self, obj: str, attribute: str, name: str, pointer: str) -> tuple:
        if obj == "kobject":   # kobject_custom_<klass>_<attribute>
            klass, _, attribute = attribute.partition("_")
            if klass not in self.org.custom_klasses:
                raise InvalidCriteria(f"{name}: no custom Klass {klass!r}", pointer=pointer)
        suffix = next((s for s in SUFFIX_KINDS if attribute.endswith(s) and len(attribute) > len(s)), None)
        if suffix is None:
            raise InvalidCriteria(f"{name}: a custom attribute name ends in its type (Str, Num, At, ...)",
                                  pointer=pointer)
        return obj, SUFFIX_KINDS[suffix], lambda r, o: r.custom.get(attribute)

    # -- running -------------------------------------------------------------------------------

    def records(self) -> list:
        """The records of the context the criteria admit, in the requested order."""
        org = self.org
        with org.reading():
            pool = {"customer": lambda: list(org.customers.values()),
                    "conversation": lambda: list(org.conversations.values()),
                    "message": lambda: [m for ms in org.messages.values() for m in ms],
                    "note": lambda: list(org.notes.values()),
                    "kobject": lambda: [k for k in org.kobjects.values() if not self.klass or k.klass == self.klass],
                    }.get(self.context, list)
            found = [record for record in pool() if self.predicate(record)]
        return self._sorted(found)

    def _sorted(self, found: list) -> list:
        if self.empty:
            return found
        found.sort(key=lambda r: (r.created_at, r.id), reverse=True)   # newest first unless sorted
        sorts = self.body.get("sort") or []
        sorts = sorts if isinstance(sorts, list) else [sorts]
        for index, item in reversed(list(enumerate(sorts))):
            for name, direction in item.items():
                getter = self._sort_key(name, direction, f"/sort/{index}/{name}")
                found.sort(key=lambda r: (getter(r) is not None, getter(r) or ""), reverse=direction == "desc")
        return found

    def _sort_key(self, name: str, direction, pointer: str):
        if direction not in ("asc", "desc"):
            raise InvalidCriteria(f"sort {name}: asc or desc, not {direction!r}", pointer=pointer)
        allowed = CUSTOMER_SORTS if self.context == "customer" else \
            {f"{self.context}_created_at", f"{self.context}_updated_at"}
        if name not in allowed:
            raise InvalidCriteria(f"cannot sort {self.context} results on {name}; sortable: "
                                  f"{', '.join(sorted(allowed))}", pointer=pointer)
        _, kind, getter = FIELDS[name]
        return lambda record: getter(record, self.org)


def _combine(key: str, parts: list):
    if key == "and":
        return lambda record: all(p(record) for p in parts)
    if key == "or":
        return lambda record: not parts or any(p(record) for p in parts)
    return lambda record: not any(p(record) for p in parts)


def _zone(name: str | None):
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidCriteria(f"timeZone {name!r} is not an IANA time zone", pointer="/timeZone") from None


# -- matching one value ----------------------------------------------------------------------------

def _values(value) -> list:
    if value is None:
        return []
    return [v for v in value if v is not None] if isinstance(value, list) else [value]


def _matcher(kind: str, operator: str, expected, zone, pointer: str):
    """A test of a record's value (one or a list) against `operator` and `expected`."""
    if operator in ("set", "not_set"):
        present = lambda v: any(x not in ("", None) for x in _values(v))  # noqa: E731
        return present if operator == "set" else (lambda v: not present(v))
    if operator.startswith("not_"):
        positive = _matcher(kind, operator[4:], expected, zone, pointer)
        return lambda v: not positive(v)
    if operator == "in":
        if not isinstance(expected, list):
            raise InvalidCriteria("in takes a list of values", pointer=pointer)
        tests = [_matcher(kind, "equals", item, zone, pointer) for item in expected]
        return lambda v: any(t(v) for t in tests)
    if kind == "datetime":
        return _time_matcher(operator, expected, zone, pointer)
    if kind == "number":
        return _number_matcher(operator, expected, pointer)
    if kind == "boolean":
        if operator != "equals" or not isinstance(expected, bool):
            raise InvalidCriteria("a boolean attribute takes equals true or false", pointer=pointer)
        return lambda v: any(x is expected for x in _values(v)) or (expected is False and not _values(v))
    return _text_matcher(kind, operator, expected, pointer)


def _text_matcher(kind: str, operator: str, expected, pointer: str):
    if isinstance(expected, (dict, list)) or expected is None:
        raise InvalidCriteria(f"{operator} takes a string, number or boolean", pointer=pointer)
    wanted = str(expected)
    exact = kind == "exact"
    fold = (lambda s: s) if exact else str.lower
    if operator == "equals":
        return lambda v: any(fold(str(x)) == fold(wanted) for x in _values(v))
    if operator == "starts_with":
        return lambda v: any(fold(str(x)).startswith(fold(wanted)) for x in _values(v))
    if operator == "contains":
        if kind == "list":   # a list attribute contains a value when one of its items is that value
            return lambda v: any(str(x) == wanted for x in _values(v))
        # Kustomer's contains matches whole words, not fragments of a word
        words = re.compile(r"(?<!\w)" + re.escape(wanted) + r"(?!\w)", 0 if exact else re.IGNORECASE)
        return lambda v: any(words.search(str(x)) for x in _values(v))
    raise InvalidCriteria(f"{operator} compares numbers and times, not text", pointer=pointer)


def _number_matcher(operator: str, expected, pointer: str):
    if isinstance(expected, bool) or not isinstance(expected, (int, float)):
        raise InvalidCriteria(f"{operator} on a number takes a number", pointer=pointer)
    compare = {"equals": lambda a: a == expected, "gt": lambda a: a > expected, "gte": lambda a: a >= expected,
               "lt": lambda a: a < expected, "lte": lambda a: a <= expected}.get(operator)
    if compare is None:
        raise InvalidCriteria(f"{operator} does not apply to a number", pointer=pointer)
    return lambda v: any(isinstance(x, (int, float)) and compare(x) for x in _values(v))


def _time_matcher(operator: str, expected, zone, pointer: str):
    start, end = _moment(expected, zone, pointer)   # a local date is a whole day; a time is an instant
    compare = {"equals": lambda t: start <= t <= end, "gt": lambda t: t > end, "gte": lambda t: t >= start,
               "lt": lambda t: t < start, "lte": lambda t: t <= end}.get(operator)
    if compare is None:
        raise InvalidCriteria(f"{operator} does not apply to a date", pointer=pointer)
    return lambda v: any(compare(parse_iso(x)) for x in _values(v) if isinstance(x, str))


def _moment(value, zone, pointer: str) -> tuple[datetime, datetime]:
    if not isinstance(value, str):
        raise InvalidCriteria("a date is YYYY-MM-DD (in timeZone) or an ISO 8601 UTC time", pointer=pointer)
    if _DATE.match(value):
        try:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=zone)
        except ValueError:
            raise InvalidCriteria(f"{value!r} is not a calendar date", pointer=pointer) from None
        return day, day + timedelta(days=1) - timedelta(milliseconds=1)
    try:
        moment = parse_iso(value)
    except ValueError:
        raise InvalidCriteria("a date is YYYY-MM-DD (in timeZone) or an ISO 8601 UTC time", pointer=pointer) from None
    return moment, moment

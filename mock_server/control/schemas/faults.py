"""Schemas of fault rules (POST /__admin/faults) and of scenarios."""
from __future__ import annotations

import difflib
import math

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...schemas.bounds import JsonObject
from ...schemas.common import Anything, StrictFloat, StrictInteger
from ..rules import DROPS, MAX_DELAY_MS, TARGETS, WEBHOOK_ACTIONS

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_NAME = validate.Length(min=1, max=200)


def check_glob(pattern: str) -> None:
    """Refuse a path glob that can never match: paths start with /, and every [ class needs its ]."""
    if not pattern.startswith(("/", "*", "?", "[")):
        raise ValidationError("a glob on the path, which starts with / (e.g. /c/*)")
    index = 0
    while index < len(pattern):
        if pattern[index] == "[":
            # as fnmatch reads it: a ] right after [ or [! belongs to the class
            end = index + 1 + (pattern[index + 1:index + 2] == "!")
            end = pattern.find("]", end + 1)
            if end < 0:
                raise ValidationError(f"the [ at {index} is never closed: write [[] for a literal [")
            index = end
        index += 1


class Match(Schema):
    """Which calls a rule applies to; every field optional, none = every call."""

    operation = fields.String(validate=_NAME, metadata={"description": "SDK method or REST operation name"})
    method = fields.String(validate=validate.OneOf(METHODS + tuple(m.lower() for m in METHODS)))
    path = fields.String(validate=[_NAME, check_glob], metadata={"description": "glob on the path, e.g. /c/*"})
    org = fields.String(validate=_NAME, metadata={"description": "an API key or an org name"})
    event = fields.String(validate=_NAME, metadata={"description": "webhook rules: glob on the event name, "
                                                                   "e.g. kustomer.conversation.*"})
    endpoint = fields.String(validate=_NAME,
                             metadata={"description": "webhook rules: glob on the URL, or a webhook id"})


class Respond(Schema):
    """The error answer of a rule, in the usual envelope."""

    status = StrictInteger(required=True, validate=validate.Range(400, 599))
    code = fields.String(validate=[validate.Length(max=64),
                                   validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error="snake_case, at most 64")])
    title = fields.String(validate=validate.Length(max=200))
    detail = fields.String(validate=validate.Length(max=2000))
    headers = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z0-9-]{1,64}$")),
                          values=fields.String(validate=validate.Length(max=1000)),
                          validate=validate.Length(max=20, error="at most 20 headers"))


class DelayRange(Schema):
    """A delay drawn uniformly between min and max ms."""

    min = StrictFloat(required=True, validate=validate.Range(min=0))
    max = StrictFloat(required=True, validate=validate.Range(min=0))

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data["min"] > data["max"]:
            raise ValidationError("min must not be above max", "min")


class Delay(fields.Field):
    """delayMs: a number of ms, or {min, max}; clamped to MAX_DELAY_MS."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, dict)):
            raise ValidationError("a number of ms or {\"min\": ms, \"max\": ms}")
        if isinstance(value, dict):
            loaded = DelayRange().load(value)
            return {"min": min(loaded["min"], MAX_DELAY_MS), "max": min(loaded["max"], MAX_DELAY_MS)}
        if not math.isfinite(value):   # YAML scenarios can say .nan and .inf; JSON bodies cannot
            raise ValidationError("must be a finite number")
        if value < 0:
            raise ValidationError("must be 0 or more")
        return min(value, MAX_DELAY_MS)

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class FaultRule(Schema):
    """A fault rule: match, then any of respond, delayMs and drop; times, after, probability.

    Given `operations` (the app's faultable operation names), match.operation must be one of them.
    """

    def __init__(self, *, operations=None, **kwargs):
        super().__init__(**kwargs)
        self.operations = frozenset(operations) if operations is not None else None

    target = fields.String(validate=validate.OneOf(TARGETS),
                           metadata={"description": "request (default) or webhook: deliveries of outbound webhooks"})
    match = fields.Nested(Match, load_default=dict)
    action = fields.String(validate=validate.OneOf(WEBHOOK_ACTIONS), allow_none=True,
                           metadata={"description": "webhook rules: fail, duplicate, reorder or drop the delivery"})
    respond = fields.Nested(Respond, allow_none=True)
    delay_ms = Delay(data_key="delayMs", allow_none=True)
    drop = fields.String(validate=validate.OneOf(DROPS), allow_none=True)
    cut_after = StrictInteger(data_key="cutAfter", validate=validate.Range(min=0), allow_none=True,
                               metadata={"description": "drop cut: events the stream sends before it is cut (default 1)"})
    times = StrictInteger(validate=validate.Range(min=1), allow_none=True)
    after = StrictInteger(validate=validate.Range(min=0), load_default=0)
    probability = StrictFloat(validate=validate.Range(0.0, 1.0), load_default=1.0)
    seed = fields.String(validate=_NAME,
                         metadata={"description": "seeds this rule alone (default: the mock seed and the rule id)"})
    name = fields.String(validate=_NAME)

    @validates_schema
    def _acts(self, data, **kwargs):
        if data.get("target") == "webhook":
            _check_webhook_rule(data)
            return
        if data.get("action") is not None or {"event", "endpoint"} & set(data.get("match") or {}):
            raise ValidationError("action, match.event and match.endpoint need \"target\": \"webhook\"", "target")
        if not any(data.get(k) is not None for k in ("respond", "delay_ms", "drop")):
            raise ValidationError("a rule needs at least one of respond, delayMs or drop", "respond")

    @validates_schema
    def _known_operation(self, data, **kwargs):
        name = (data.get("match") or {}).get("operation")
        if self.operations is None or name is None or name in self.operations:
            return
        # a misspelt name would never fire: say which names come close (case differences included)
        close = difflib.get_close_matches(name, self.operations, n=3, cutoff=0.6)
        close += [o for o in self.operations if o.lower() == name.lower() and o not in close]
        hint = f"did you mean {', '.join(close)}?" if close else "see the operationIds of /__admin/openapi.json"
        raise ValidationError({"operation": [f"{name!r} is not an operation this mock answers "
                                             f"(the control API and browser files are never faulted); {hint}"]},
                              "match")

    def rule(self, body: dict) -> dict:
        """Load a rule and give it its wire (camelCase) shape, without nulls."""
        data = self.load(body)
        if "method" in data["match"]:
            data["match"]["method"] = data["match"]["method"].upper()
        data["delayMs"] = data.pop("delay_ms", None)
        data["cutAfter"] = data.pop("cut_after", None)
        return {k: v for k, v in data.items() if v is not None}


def _check_webhook_rule(data: dict) -> None:
    """A webhook rule matches on event, endpoint and org, and acts with action, respond or delayMs."""
    wrong = {"operation", "method", "path"} & set(data.get("match") or {})
    if wrong:
        raise ValidationError({sorted(wrong)[0]: ["webhook rules match on event, endpoint and org"]}, "match")
    for name, wire in (("drop", "drop"), ("cut_after", "cutAfter")):
        if data.get(name) is not None:
            raise ValidationError(f"webhook rules use action (fail, duplicate, reorder, drop), not {wire}", wire)
    if not any(data.get(k) is not None for k in ("respond", "delay_ms", "action")):
        raise ValidationError("a webhook rule needs at least one of action, respond or delayMs", "action")


class Scenario(Schema):
    """A named set of rules (fixtures/faults/*.yaml, or a body of POST /__admin/faults/scenarios/NAME)."""

    name = fields.String(validate=_NAME)
    description = fields.String(validate=validate.Length(max=2000))
    faults = fields.List(JsonObject(), load_default=list, validate=validate.Length(max=100))
    stubs = fields.List(JsonObject(), load_default=list, validate=validate.Length(max=100),
                        metadata={"description": "stub rules (see /__admin/stubs), added with the faults"})


class StoredFault(Anything):
    """A rule as stored: its fields (camelCase, no nulls), its id, hits and seen counts, its scenario."""


class FaultList(Schema):
    """{"faults": [...]}."""

    faults = fields.List(fields.Dict())


class LoadedScenario(FaultList):
    """{"faults": [...], "stubs": [...]}: the rules a scenario added."""

    stubs = fields.List(fields.Dict())


class ScenarioList(Schema):
    """{"scenarios": [{name, description, faults, stubs}]}."""

    scenarios = fields.List(fields.Dict())


class Cleared(Schema):
    """How many rules a DELETE removed."""

    removed = fields.Integer()

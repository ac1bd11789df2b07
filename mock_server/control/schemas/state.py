"""The exported state document, checked as a whole before an import changes anything."""
from __future__ import annotations

import dataclasses

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from ...domain.clock import EARLIEST, LATEST, in_range, iso, parse_iso
from ...domain.kobjects import CustomKlass
from ...domain.models import Conversation, Customer, KObject, Message, Note
from ...domain.webhook_outbox import MAX_ATTEMPTS
from ...domain.webhooks import Webhook
from ...schemas.common import StrictBoolean, StrictFloat, StrictInteger
from .calls import SettingsChange

MAX_KEY_CHARS = 256   # as context.MAX_KEY_CHARS: an API key the mock would accept


class StateTime(fields.String):
    """A time the mock wrote: ISO 8601 within the clock's range, kept as written."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = parse_iso(text)
        except ValueError:
            raise ValidationError("an ISO 8601 time such as 2030-01-02T03:04:05.000Z") from None
        if not in_range(moment):
            raise ValidationError(f"a time between {iso(EARLIEST)} and {iso(LATEST)}")
        return text


# the type of each record field, read from the dataclasses so a new field is checked without an edit here
_BY_TYPE = {"str": lambda **kw: fields.String(**kw), "bool": StrictBoolean, "int": StrictInteger,
            "float": StrictFloat, "list": lambda **kw: fields.List(fields.Raw(), **kw),
            "dict": lambda **kw: fields.Dict(**kw)}


def _record_schema(cls) -> type[Schema]:
    """A schema of one exported record: every field of the dataclass, typed, required unless defaulted."""
    declared = {}
    for field in dataclasses.fields(cls):
        kind, _, optional = str(field.type).partition(" | ")
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        options = {"required": required, "allow_none": optional == "None"}
        make = StateTime if field.name.endswith("_at") else _BY_TYPE[kind]
        declared[field.name] = make(**options)
    return Schema.from_dict(declared, name=f"State{cls.__name__}")


CustomerRecord, ConversationRecord, MessageRecord, NoteRecord, KObjectRecord, KlassRecord = (
    _record_schema(c) for c in (Customer, Conversation, Message, Note, KObject, CustomKlass))
WebhookRecord = _record_schema(Webhook)


class PendingDelivery(Schema):
    """A delivery still due: its event's exact body, the attempts made, when the first was due."""

    id = fields.String(required=True)
    event_id = fields.String(required=True)
    event = fields.String(required=True)
    webhook_id = fields.String(required=True)
    body = fields.String(required=True)
    firstDue = StateTime(required=True)
    seq = StrictInteger(validate=validate.Range(min=0))
    attempts = StrictInteger(validate=validate.Range(min=0, max=MAX_ATTEMPTS))
    redelivery = StrictBoolean()
    held = StrictBoolean()
    faulted = fields.List(fields.String())


class StateOutbox(Schema):
    """An org's pending webhook deliveries (retries included), recent events and delivery log."""

    pending = fields.List(fields.Nested(PendingDelivery))
    events = fields.List(fields.Dict())
    log = fields.List(fields.Dict())


_PLAIN = {fields.String: str, StrictBoolean: bool, fields.List: list, fields.Dict: dict}


class Record(fields.Field):
    """One record checked as its schema says, fast: an export of 100k conversations holds a million messages.

    A value of the right type passes on a plain type check; any other goes through the schema's own
    field, so the errors (and their pointers) are the schema's.
    """

    MAX_SHAPES = 1000   # shapes remembered per record kind: an export has a handful

    def __init__(self, schema: type[Schema], **kwargs):
        super().__init__(**kwargs)
        self.schema = schema()
        self.required = {name for name, field in self.schema.fields.items() if field.required}
        self.quick = {name: self._quick(field) for name, field in self.schema.fields.items()}
        self.times = tuple(name for name, field in self.schema.fields.items() if isinstance(field, StateTime))
        self.shapes: set[tuple] = set()   # (keys, types of their values) of records that passed

    @staticmethod
    def _quick(field):
        if isinstance(field, StateTime):
            return lambda value: isinstance(value, str) and in_range(parse_iso(value))
        if isinstance(field, StrictInteger):
            return lambda value: isinstance(value, int) and not isinstance(value, bool)
        if isinstance(field, StrictFloat):
            return lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)
        kind = next(python for cls, python in _PLAIN.items() if isinstance(field, cls))
        return lambda value: isinstance(value, kind)

    def check(self, value) -> dict:
        """The record if it passes, else ValidationError with its fields' errors (as deserialize, minus its overhead)."""
        if value is None:
            raise ValidationError("Field may not be null.")
        return self._deserialize(value, None, None)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("Invalid input type.")
        # a record of a shape seen right before (same keys, same types): only its times are left to check
        shape = (tuple(value), tuple(map(type, value.values())))
        if shape in self.shapes:
            if all(self._passes(name, value[name]) for name in self.times if value.get(name) is not None):
                return value
        elif value.keys() <= self.quick.keys() and self.required <= value.keys() \
                and all(self._passes(name, item) for name, item in value.items()):
            if len(self.shapes) < self.MAX_SHAPES:
                self.shapes.add(shape)
            return value
        return self._check_each(value)

    def _check_each(self, value: dict) -> dict:
        """Every field through the schema's own, collecting the errors under their names."""
        errors = {name: ["Unknown field."] for name in value.keys() - self.quick.keys()}
        errors.update({name: ["Missing data for required field."] for name in self.required - value.keys()})
        for name, item in value.items():
            if name in errors or (item is None and self.schema.fields[name].allow_none):
                continue
            if self._passes(name, item):
                continue
            try:
                self.schema.fields[name].deserialize(item)   # the schema's own verdict and error
            except ValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)
        return value

    def _passes(self, name: str, value) -> bool:
        if value is None:
            return self.schema.fields[name].allow_none
        try:
            return self.quick[name](value)
        except (ValueError, TypeError, OverflowError):   # a time that does not parse
            return False


class StateSettings(SettingsChange):
    """An org's settings: what PATCH settings may change follows its rules; the widget's settings pass."""

    class Meta:
        unknown = INCLUDE

    active_assistant = fields.String(data_key="activeAssistant", allow_none=True)
    enabled = StrictBoolean()
    business_hours = fields.Dict(data_key="businessHours", allow_none=True)


class StateToken(Schema):
    """What a tracking token stands for."""

    class Meta:
        unknown = INCLUDE

    customerId = fields.String(required=True)


class StateClock(Schema):
    """The clock as exported: a frozen clock is frozen again at `now`."""

    now = StateTime(required=True)
    frozen = StrictBoolean(required=True)
    offsetSeconds = StrictFloat()
    own = StrictBoolean()   # an org's own clock (exported only when a test froze or moved it)


class StateOrg(Schema):
    """One exported org: its plain data, its records, its random generator."""

    name = fields.String(required=True, validate=validate.Length(min=1))
    keys = fields.List(fields.String(validate=validate.Length(min=1, max=MAX_KEY_CHARS)))
    settings = fields.Nested(StateSettings)
    brands = fields.List(fields.Dict())
    users = fields.List(fields.Dict())
    teams = fields.List(fields.Dict())
    tags = fields.List(fields.Dict())
    queues = fields.List(fields.Dict())
    shortcuts = fields.List(fields.Dict())
    assistants = fields.List(fields.Dict())
    tokens = fields.Dict(keys=fields.String(), values=fields.Nested(StateToken))
    chat_secret = fields.String()
    sdk_warnings = fields.List(fields.Dict())
    customers = fields.List(Record(CustomerRecord))
    conversations = fields.List(Record(ConversationRecord))
    messages = fields.Dict(keys=fields.String(), values=fields.List(Record(MessageRecord)))
    notes = fields.List(Record(NoteRecord))
    kobjects = fields.List(Record(KObjectRecord))
    custom_klasses = fields.List(Record(KlassRecord))
    merges = fields.Dict(keys=fields.String(), values=fields.Dict())
    bulk_jobs = fields.Dict(keys=fields.String(), values=fields.Dict())
    webhooks = fields.List(fields.Nested(WebhookRecord))
    webhook_outbox = fields.Nested(StateOutbox)
    ids = fields.Nested(Schema.from_dict({
        "machine": fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{10}$")),
        "counter": StrictInteger(required=True, validate=validate.Range(0, 0xFFFFFF))}, name="StateIds"))
    clock = fields.Nested(StateClock)
    rng = fields.List(fields.Raw(allow_none=True),
                      validate=validate.Length(equal=3, error="[version, state, gauss] as exported"))


class StateDocument(Schema):
    """The exported state: {"version": 1, "exportedAt", "seed", "clock", "keys", "orgs": [...]}."""

    version = StrictInteger(required=True)
    exportedAt = StateTime()
    seed = StrictInteger()
    clock = fields.Nested(StateClock)
    keys = fields.List(fields.String(validate=validate.Length(min=1, max=MAX_KEY_CHARS)))
    orgs = fields.List(fields.Nested(StateOrg), required=True)

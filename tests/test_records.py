"""The records' memory shape: slots and containers made on first use, invisible to every reader and writer."""
from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from mock_server.domain.models import (Conversation, Customer, KObject, Message, Note, from_dict, plain, reset,
                                       to_dict)

NOW = "2030-01-02T03:04:05.000Z"
MADE = {
    Customer: dict(id="c1", created_at=NOW, updated_at=NOW),
    Conversation: dict(id="v1", customer_id="c1", brand_id="b1", created_at=NOW, updated_at=NOW, last_message_at=NOW),
    Message: dict(id="m1", conversation_id="v1", customer_id="c1", body="hi", direction="in", created_at=NOW),
    Note: dict(id="n1", conversation_id="v1", customer_id="c1", body="x", created_at=NOW, updated_at=NOW),
    KObject: dict(id="k1", klass="order", title="A-1", created_at=NOW, updated_at=NOW),
}


def _containers(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.metadata.get("lazy")]


def _empty(cls, name: str):
    return next(f for f in dataclasses.fields(cls) if f.name == name).metadata["lazy"]()


@pytest.mark.parametrize("cls", list(MADE))
def test_a_record_keeps_no_dict_and_every_container_reads_empty(cls):
    record = cls(**MADE[cls])
    assert not hasattr(record, "__dict__")
    assert _containers(cls)
    assert [getattr(record, name) for name in _containers(cls)] == [_empty(cls, name) for name in _containers(cls)]


@pytest.mark.parametrize("cls", list(MADE))
def test_a_container_written_in_place_keeps_what_was_written(cls):
    record = cls(**MADE[cls])
    for name in _containers(cls):
        value = getattr(record, name)
        if isinstance(value, list):
            value.append("x")
            assert getattr(record, name) == ["x"]
        else:
            value["k"] = "x"
            assert getattr(record, name) == {"k": "x"}


@pytest.mark.parametrize("cls", list(MADE))
def test_exports_read_unmade_containers_as_empty_without_making_them(cls):
    record = cls(**MADE[cls])
    exported = plain(record)
    assert [exported[name] for name in _containers(cls)] == [_empty(cls, name) for name in _containers(cls)]
    assert list(exported) == [f.name for f in dataclasses.fields(cls)]   # every field, in order
    assert to_dict(record) == json.loads(json.dumps(exported))
    first = _containers(cls)[0]
    getattr(record, first)   # made now: the export reads the record's own container from then on
    assert plain(record)[first] is getattr(record, first)


@pytest.mark.parametrize("cls", list(MADE))
def test_import_copy_and_reset_give_the_same_record(cls):
    record = cls(**MADE[cls])
    getattr(record, _containers(cls)[-1])   # one container made, the others not
    again = from_dict(cls, json.loads(json.dumps(to_dict(record))))
    assert again == record and to_dict(again) == to_dict(record)
    for copied in (copy.copy(record), copy.deepcopy(record)):
        assert copied == record and to_dict(copied) == to_dict(record)
    name = _containers(cls)[0]
    setattr(record, name, ["x"] if isinstance(_empty(cls, name), list) else {"k": "x"})
    reset(record, [name])
    assert getattr(record, name) == _empty(cls, name)


def test_a_shallow_copy_shares_made_containers_as_before():
    # org.change announces a shallow copy from before: in-place writes show in both, as with plain dataclasses
    message = Message(**MADE[Message])
    message.meta["a"] = 1
    before = copy.copy(message)
    assert before.meta is message.meta

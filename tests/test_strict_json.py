"""The strict JSON reader: standard JSON only, finite numbers, bounded nesting."""
from __future__ import annotations

import json

import pytest

from mock_server.strict_json import MAX_DEPTH, loads

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(("text", "reason"), [
    (b'{"a": NaN}', "NaN"),
    (b'{"a": Infinity}', "Infinity"),
    (b'{"a": -Infinity}', "-Infinity"),
    (b'{"a": 1e400}', "1e400"),
    (b'{"a": -1e400}', "-1e400"),
    (b'{"a": [1, 2, 3e999]}', "3e999"),
    (b'{"a": ' + b"9" * 5000 + b"}", "digits"),
    (DEEP, "nested"),
    (b'{"a": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}", "nested"),
    (b'{"a": ', "Expecting value"),
    (b'{"a": "\xff"}', "UTF-8"),
])
def test_refused_with_a_value_error_that_names_the_reason(text, reason):
    with pytest.raises(ValueError) as caught:
        loads(text)
    assert reason in str(caught.value)


@pytest.mark.parametrize("value", [
    {"a": 1.5, "b": -2, "c": 1e308, "d": [True, None, "NaN"]},
    {"a": [[[[[[[[[[1]]]]]]]]]]},
    {"x": "Infinity", "y": "1e400"},        # strings are only strings
    [],
])
def test_standard_json_reads_as_json_does(value):
    assert loads(json.dumps(value).encode()) == value


def test_nesting_up_to_the_limit_is_fine():
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads(text) == json.loads(text)

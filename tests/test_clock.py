"""The mock clock: ISO times with milliseconds, freeze, advance, resume, and its bounds."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mock_server.domain.clock import EARLIEST, LATEST, Clock, ClockOutOfRange, iso, parse_iso
from mock_server.testing.appcalls import clock_of

pytestmark = pytest.mark.private_app   # moves the clock


def test_iso_has_milliseconds_and_z():
    assert iso(datetime(2026, 11, 25, 9, 41, 12, 345678, tzinfo=timezone.utc)) == "2026-11-25T09:41:12.345Z"


@pytest.mark.parametrize(("moment", "text"), [
    (datetime(1, 1, 1, tzinfo=timezone.utc), "0001-01-01T00:00:00.000Z"),
    (datetime(999, 2, 3, 4, 5, 6, tzinfo=timezone.utc), "0999-02-03T04:05:06.000Z"),
    (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc), "9999-12-31T23:59:59.999Z"),
])
def test_iso_pads_the_year_to_four_digits(moment, text):
    assert iso(moment) == text


def test_freeze_advance_resume():
    clock = Clock()
    clock.freeze(parse_iso("2030-01-02T03:04:05.000Z"))
    assert clock.now_iso() == "2030-01-02T03:04:05.000Z"
    clock.advance(90)
    assert clock.now_iso() == "2030-01-02T03:05:35.000Z"
    assert clock.frozen
    clock.resume()
    # back on real time: not frozen and no offset left (no comparison with the wall clock)
    assert clock.describe()["frozen"] is False and clock.describe()["offsetSeconds"] == 0.0


@pytest.mark.parametrize("text", [
    "1969-12-31T23:59:59.999Z",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",     # converting it to UTC would overflow
    "9999-12-31T23:59:59-01:00",     # 10000-01-01 in UTC
])
def test_freezing_outside_1970_to_9999_is_refused_and_changes_nothing(text):
    clock = Clock()
    clock.freeze(parse_iso("2030-01-02T03:04:05.000Z"))
    with pytest.raises(ClockOutOfRange) as caught:
        clock.freeze(parse_iso(text))
    assert caught.value.pointer == "/freeze" and caught.value.code == "invalid_field"
    assert clock.now_iso() == "2030-01-02T03:04:05.000Z"


@pytest.mark.parametrize(("at", "seconds"), [
    ("9999-12-31T23:59:59.999Z", 1),
    ("9999-12-31T23:59:59.000Z", 0.9995),
    ("2030-01-01T00:00:00Z", 315_360_000_000),   # timedelta itself would overflow
])
def test_advancing_a_frozen_clock_past_9999_is_refused(at, seconds):
    clock = Clock()
    clock.freeze(parse_iso(at))
    with pytest.raises(ClockOutOfRange) as caught:
        clock.advance(seconds)
    assert caught.value.pointer == "/advanceSeconds"
    assert clock.now() == parse_iso(at)


def test_advancing_a_running_clock_is_bounded_too():
    clock = Clock()
    refused = 0
    for _ in range(800):                       # 800 ten-year steps: the review's reproduction
        try:
            clock.advance(315_360_000)
        except ClockOutOfRange:
            refused += 1
    assert refused > 0
    assert EARLIEST <= clock.now() <= LATEST
    assert clock.now_iso().startswith("99")


def test_the_bounds_themselves_are_allowed():
    clock = Clock()
    clock.freeze(EARLIEST)
    assert clock.now_iso() == "1970-01-01T00:00:00.000Z"
    clock.freeze(LATEST)
    assert clock.now_iso() == "9999-12-31T23:59:59.999Z"
    clock.advance(0)
    assert clock.timestamp() == LATEST.timestamp()


def test_created_at_comes_from_the_mock_clock(app, chat):
    clock_of(app).freeze(parse_iso("2030-01-02T03:04:05.000Z"))
    assert chat.create_conversation(message="hi").json["createdAt"] == "2030-01-02T03:04:05.000Z"

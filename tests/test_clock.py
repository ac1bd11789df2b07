"""The mock clock: ISO times with milliseconds, freeze, advance, resume."""
from __future__ import annotations

from datetime import datetime, timezone

from mock_server.domain.clock import Clock, iso, parse_iso


def test_iso_has_milliseconds_and_z():
    assert iso(datetime(2026, 11, 25, 9, 41, 12, 345678, tzinfo=timezone.utc)) == "2026-11-25T09:41:12.345Z"


def test_freeze_advance_resume():
    clock = Clock()
    clock.freeze(parse_iso("2030-01-02T03:04:05.000Z"))
    assert clock.now_iso() == "2030-01-02T03:04:05.000Z"
    clock.advance(90)
    assert clock.now_iso() == "2030-01-02T03:05:35.000Z"
    assert clock.frozen
    clock.resume()
    assert not clock.frozen and clock.now().year == datetime.now(timezone.utc).year


def test_created_at_comes_from_the_mock_clock(app, chat):
    app.extensions["kustomer_mock"].clock.freeze(parse_iso("2030-01-02T03:04:05.000Z"))
    assert chat.create_conversation(message="hi").json["createdAt"] == "2030-01-02T03:04:05.000Z"

"""Availability: a fixed mode, or business hours and holidays on the mock clock."""
from __future__ import annotations

import pytest

from mock_server.domain.availability import availability
from mock_server.domain.clock import parse_iso
from mock_server.state import get_state

SCHEDULE = {"availability": "scheduled", "businessHours": {
    "timezone": "America/New_York", "offHours": "hidden",
    "hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "12:00"], ["13:00", "17:00"]]},
    "holidays": [{"name": "Holiday", "date": "2030-01-07"}]}}


@pytest.mark.parametrize(("settings", "moment", "expected"), [
    ({"availability": "online"}, "2030-01-05T03:00:00Z", "online"),
    ({"availability": "offline"}, "2030-01-01T15:00:00Z", "offline"),
    ({"availability": "online", "enabled": False}, "2030-01-01T15:00:00Z", "disabled"),
    (SCHEDULE, "2030-01-14T15:00:00Z", "online"),     # Monday 10:00 in New York
    (SCHEDULE, "2030-01-14T23:00:00Z", "hidden"),     # Monday 18:00
    (SCHEDULE, "2030-01-15T17:30:00Z", "hidden"),     # Tuesday 12:30, lunch
    (SCHEDULE, "2030-01-12T15:00:00Z", "hidden"),     # Saturday
    (SCHEDULE, "2030-01-07T15:00:00Z", "hidden"),     # a holiday Monday
])
def test_availability(settings, moment, expected):
    assert availability(settings, parse_iso(moment)) == expected


@pytest.mark.private_app
def test_scheduled_availability_follows_the_mock_clock(app, chat):
    state = get_state(app)
    org = state.store.org(chat.key)
    org.settings["availability"] = "scheduled"
    state.clock.freeze(parse_iso("2030-01-14T15:00:00Z"))
    assert chat.call("GET", "/c/v1/chat/availability").json == {"availability": "online"}
    state.clock.advance(8 * 3600)
    assert chat.call("GET", "/c/v1/chat/availability").json == {"availability": "offline"}

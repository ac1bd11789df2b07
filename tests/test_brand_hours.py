"""Per-brand availability, business hours and holidays; the control API's brand and settings changes."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import Chat

pytestmark = pytest.mark.private_app   # freezes the clock at chosen hours
KIDS = "5f0c1a2b3c4d5e6f7a8b9c02"   # its own hours in the fixtures: Europe/London, 08-20 weekdays, closed 25-26 Dec
HOURS = {"timezone": "Asia/Tokyo", "offHours": "offline", "hours": {"mon": [["09:00", "24:00"]]},
         "holidays": [{"name": "Founders' Day", "date": "2030-01-21"}]}


def _at(client, moment: str) -> None:
    assert client.post("/__admin/clock", json={"freeze": moment}).status_code == 200


@pytest.mark.parametrize(("moment", "kids", "main"), [
    ("2026-12-28T12:00:00Z", "online", "online"),    # a Monday noon in London
    ("2026-12-28T21:00:00Z", "hidden", "online"),    # after 20:00 in London
    ("2026-12-25T12:00:00Z", "hidden", "online"),    # Christmas: the brand's holiday
    ("2027-01-02T12:00:00Z", "online", "online"),    # a Saturday, 10-16
    ("2027-01-03T12:00:00Z", "hidden", "online"),    # Sunday: closed
])
def test_a_scheduled_brand_follows_its_own_hours(client, key, moment, kids, main):
    assert client.patch(f"/__admin/orgs/{key}/brands/{KIDS}", json={"availability": "scheduled"}).status_code == 200
    _at(client, moment)
    kid, grown_up = Chat(client, key), Chat(client, key)
    assert kid.start(brandId=KIDS).json["availability"] == kids
    grown_up.start()
    assert kid.call("GET", "/c/v1/chat/availability").json == {"availability": kids}
    assert grown_up.call("GET", "/c/v1/chat/availability").json == {"availability": main}


def test_the_org_schedule_applies_to_brands_without_their_own_mode(client, key):
    client.patch(f"/__admin/orgs/{key}/settings", json={"availability": "scheduled", "businessHours": HOURS})
    _at(client, "2030-01-14T05:00:00Z")   # Monday 14:00 in Tokyo, 05:00 in London
    main, kid = Chat(client, key), Chat(client, key)
    assert main.start().json["availability"] == "online"
    assert kid.start(brandId=KIDS).json["availability"] == "hidden"   # the org's mode, the brand's hours
    _at(client, "2030-01-21T05:00:00Z")   # the org's holiday
    assert main.call("GET", "/c/v1/chat/availability").json == {"availability": "offline"}


def test_a_brand_change_answers_the_brand_and_null_restores_the_orgs(client, key):
    rv = client.patch(f"/__admin/orgs/{key}/brands/{KIDS}", json={"availability": "offline", "businessHours": HOURS})
    assert rv.status_code == 200
    assert (rv.json["availability"], rv.json["brand"]["businessHours"]["timezone"]) == ("offline", "Asia/Tokyo")
    rv = client.patch(f"/__admin/orgs/{key}/brands/{KIDS}", json={"availability": None, "businessHours": None})
    assert rv.json["availability"] == "online" and "businessHours" not in rv.json["brand"]


@pytest.mark.parametrize(("path", "body", "status", "code", "pointer"), [
    (f"brands/{KIDS}", {"availability": "sometimes"}, 400, "invalid_field", "/availability"),
    (f"brands/{KIDS}", {"businessHours": {"timezone": "Mars/Olympus"}}, 400, "invalid_field",
     "/businessHours/timezone"),
    (f"brands/{KIDS}", {"businessHours": {"hours": {"mon": [["9am", "5pm"]]}}}, 400, "invalid_field",
     "/businessHours/hours/mon/value/0/0"),
    (f"brands/{KIDS}", {"businessHours": {"holidays": [{"date": "Christmas"}]}}, 400, "invalid_field",
     "/businessHours/holidays/0/date"),
    (f"brands/{KIDS}", {"businessHours": {"offHours": "closed"}}, 400, "invalid_field", "/businessHours/offHours"),
    (f"brands/{KIDS}", {"colour": "red"}, 400, "unknown_field", "/colour"),
    ("settings", {"businessHours": {"hours": {"someday": []}}}, 400, "invalid_field", "/businessHours/hours/someday/key"),
])
def test_schedules_are_checked(client, key, path, body, status, code, pointer):
    rv = client.patch(f"/__admin/orgs/{key}/{path}", json=body)
    assert rv.status_code == status, rv.json
    assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (code, {"pointer": pointer})


def test_an_unknown_brand_is_not_found(client, key):
    rv = client.patch(f"/__admin/orgs/{key}/brands/0123456789abcdef01234567", json={"availability": "online"})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")

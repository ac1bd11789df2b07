"""Each org's own clock: a test freezes or moves its org's time and no other org's (POST /__admin/clock?org=KEY)."""
from __future__ import annotations

import itertools

import pytest

from mock_server import create_app
from mock_server.client import AdminError
from mock_server.domain.clock import Clock, ClockOutOfRange, OrgClock, parse_iso
from mock_server.testing.inprocess import InProcessClient, InProcessOrg

T2030, T2031 = "2030-01-02T03:04:05.000Z", "2031-06-07T08:09:10.000Z"
_keys = itertools.count(1)


@pytest.fixture
def app():
    """A mock of the test's own: some tests move the whole mock's clock."""
    return create_app({"TESTING": True})


@pytest.fixture
def admin(app):
    return InProcessClient(app)


def _org(app) -> InProcessOrg:
    return InProcessOrg(app, f"clock-org-{next(_keys)}")


def _created_at(org) -> str:
    return org.call("POST", "/v1/customers", {"name": "Ada"})["data"]["attributes"]["createdAt"]


def test_freezing_one_org_leaves_the_mock_clock_and_other_orgs_running(app, admin):
    frozen, other = _org(app), _org(app)
    state = frozen.clock.freeze(T2030)
    assert (state["now"], state["frozen"], state["own"]) == (T2030, True, True)
    assert _created_at(frozen) == T2030
    assert _created_at(other) != T2030
    assert admin.clock()["frozen"] is False and admin.clock(other.key)["own"] is False


def test_an_org_without_a_time_of_its_own_follows_the_mock_clock(app, admin):
    follower, own = _org(app), _org(app)
    own.clock.freeze(T2030)
    admin.freeze(T2031)
    assert (_created_at(follower), _created_at(own)) == (T2031, T2030)
    own.clock.resume()
    assert admin.clock(own.key) == {"now": T2031, "frozen": True, "offsetSeconds": 0.0, "own": False}
    assert _created_at(own) == T2031


def test_advancing_an_org_starts_from_the_mock_clock_and_moves_only_that_org(app, admin):
    org = _org(app)
    admin.freeze(T2030)
    assert org.clock.advance(90)["now"] == "2030-01-02T03:05:35.000Z"
    assert admin.clock()["now"] == T2030
    admin.advance(3600)   # the org has its own time now: the mock clock's moves pass it by
    assert org.clock.now() == "2030-01-02T03:05:35.000Z"


def test_an_org_clock_stays_within_the_bounds_and_a_refused_step_changes_nothing():
    parent = Clock()
    parent.freeze(parse_iso("9999-12-31T23:00:00Z"))
    clock = OrgClock(parent)
    with pytest.raises(ClockOutOfRange):
        clock.advance(7200)
    assert clock.own is False and clock.now() == parent.now()


@pytest.mark.parametrize(("query", "body", "status", "code"), [
    ("org=", {"resume": True}, 400, "invalid_field"),
    (f"org={'k' * 257}", {"resume": True}, 400, "invalid_field"),
    ("org=some-key", {"advanceSeconds": -1}, 400, "invalid_field"),
    ("org=some-key", {}, 400, "invalid_field"),
])
def test_bad_org_clock_calls_are_refused(app, query, body, status, code):
    answer = app.test_client().post(f"/__admin/clock?{query}", json=body)
    assert (answer.status_code, answer.json["errors"][0]["code"]) == (status, code)
    assert app.test_client().get("/__admin/clock").json["frozen"] is False


def test_resetting_an_org_gives_it_back_the_mock_clock(app, admin):
    org = _org(app)
    org.clock.freeze(T2030)
    admin.reset(org.key)
    assert admin.clock(org.key)["own"] is False


def test_a_frozen_org_clock_is_exported_and_frozen_again_on_import(app, admin):
    org = _org(app)
    org.clock.freeze(T2030)
    _created_at(org)
    document = admin.export_state()
    exported = next(o for o in document["orgs"] if o["name"] == org.key)
    assert exported["clock"] == {"now": T2030, "frozen": True, "offsetSeconds": 0.0, "own": True}
    other = create_app({"TESTING": True})
    InProcessClient(other).import_state(document)
    assert InProcessClient(other).clock(org.key)["now"] == T2030
    assert InProcessClient(other).clock()["frozen"] is False


def test_the_journal_and_a_login_token_read_the_org_clock(app, admin):
    org = _org(app)
    org.clock.freeze(T2030)
    _created_at(org)
    assert org.requests("createCustomer")[-1]["time"] == T2030
    customer = org.customer()
    answer = customer.call("POST", "/c/v1/identity", {"jwtToken": org.login_token(email="ada@example.com")})
    assert answer["identified"] is True   # issued at the org's 2030, checked on the org's 2030


def test_an_unknown_clock_of_an_org_is_made_on_first_use(app, admin):
    assert admin.clock("never-seen-key")["own"] is False
    with pytest.raises(AdminError) as refused:
        admin.freeze("1969-01-01T00:00:00Z", "never-seen-key")
    assert refused.value.status == 400

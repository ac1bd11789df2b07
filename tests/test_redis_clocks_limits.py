"""The clocks and the rate-limit windows on the redis store: two real `serve` processes keep one time and one budget."""
from __future__ import annotations

import itertools

import pytest
import requests

from mock_server.domain.ratelimit import CREATES_PER_CUSTOMER
from mock_server.testing.redisserver import redis_server, replicas, spawn_serve, stop_serve, wait_listening

FROZEN = "2031-05-04T10:00:00.000Z"
_keys = itertools.count(1)


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory):
    """A redis-server of this module's own: its tests move the mock clock that every process on it shares."""
    with redis_server(tmp_path_factory.mktemp("clocks")) as redis:
        yield redis.url


@pytest.fixture(scope="module")
def two(shared_url):
    """Processes A and B on one Redis."""
    with replicas(shared_url, 2) as urls:
        yield urls


@pytest.fixture
def key(two):
    """A key of the test's own; the mock clock runs again afterwards, wherever the test left it."""
    yield f"clock-key-{next(_keys)}"
    assert requests.post(f"{two[0]}/__admin/clock", json={"resume": True}, timeout=10).status_code == 200


def _call(method: str, url: str, key: str, **kwargs) -> requests.Response:
    return requests.request(method, url, headers={"Authorization": f"Bearer {key}"}, timeout=30, **kwargs)


def _clock(url: str, org: str | None = None, **change) -> dict:
    params = {"org": org} if org else {}
    rv = (requests.post(f"{url}/__admin/clock", params=params, json=change, timeout=10) if change
          else requests.get(f"{url}/__admin/clock", params=params, timeout=10))
    assert rv.status_code == 200, rv.text
    return rv.json()


def _created_at(url: str, key: str) -> str:
    rv = _call("POST", f"{url}/v1/customers", key, json={"name": "Ada"})
    assert rv.status_code == 201, rv.text
    return rv.json()["data"]["attributes"]["createdAt"]


def test_the_mock_clock_frozen_on_a_is_frozen_on_b(two, key):
    a, b = two
    _call("GET", f"{b}/v1/users", key)   # B serves the org before the freeze: it must still learn of it
    _clock(a, freeze=FROZEN)
    assert _clock(b) == {"now": FROZEN, "frozen": True, "offsetSeconds": 0.0}
    assert _created_at(b, key) == FROZEN
    _clock(b, advanceSeconds=90)   # B moves the time A froze
    assert _clock(a)["now"] == "2031-05-04T10:01:30.000Z" and _created_at(a, key) == "2031-05-04T10:01:30.000Z"
    _clock(a, resume=True)
    assert _clock(b)["frozen"] is False


def test_an_orgs_own_clock_is_the_same_on_every_process_and_no_one_elses(two, key):
    a, b = two
    other = f"{key}-other"
    _clock(a, org=key, freeze=FROZEN)
    assert _created_at(b, key) == FROZEN
    assert _clock(b, org=key) == {"now": FROZEN, "frozen": True, "offsetSeconds": 0.0, "own": True}
    assert _created_at(b, other) != FROZEN and _clock(b)["frozen"] is False
    _clock(b, org=key, advanceSeconds=60)
    assert _created_at(a, key) == "2031-05-04T10:01:00.000Z"
    _clock(a, org=key, resume=True)
    assert _clock(b, org=key)["own"] is False


def test_a_process_started_later_keeps_the_time_the_others_keep(two, shared_url, key):
    a, _ = two
    _clock(a, freeze=FROZEN)
    _clock(a, org=key, freeze="2040-01-01T00:00:00.000Z")
    later = spawn_serve("--port", "0", "--quiet", "--store", shared_url)
    try:
        url = wait_listening(later)
        assert _clock(url)["now"] == FROZEN
        assert _created_at(url, key) == "2040-01-01T00:00:00.000Z"
    finally:
        stop_serve(later)


def test_a_reset_org_follows_the_mock_clock_again_everywhere(two, key):
    a, b = two
    _clock(a, org=key, freeze=FROZEN)
    assert requests.post(f"{b}/__admin/reset", params={"org": key}, json={}, timeout=10).status_code == 200
    assert _clock(a, org=key)["own"] is False and _created_at(a, key) != FROZEN


def _budget(url: str, key: str, **settings) -> None:
    rv = requests.patch(f"{url}/__admin/orgs/{key}/settings", json=settings, timeout=10)
    assert rv.status_code == 200, rv.text


def test_an_orgs_budget_is_spent_once_across_processes_and_refilled_for_all(two, key):
    a, b = two
    _clock(a, org=key, freeze=FROZEN)
    _budget(b, key, rateLimitPerMinute=4)
    answers = [_call("GET", f"{url}/v1/users", key) for url in (a, b, a, b, b, a)]
    assert [rv.status_code for rv in answers] == [200, 200, 200, 200, 429, 429]
    assert [rv.headers["x-ratelimit-remaining"] for rv in answers] == ["3", "2", "1", "0", "0", "0"]
    assert answers[4].json()["errors"][0]["code"] == "rate_limited" and answers[4].headers["Retry-After"] == "60"
    _clock(b, org=key, advanceSeconds=60)   # exactly one window later
    assert _call("GET", f"{a}/v1/users", key).headers["x-ratelimit-remaining"] == "3"


def test_searches_share_one_budget_across_processes(two, key):
    a, b = two
    _clock(a, org=key, freeze=FROZEN)
    _budget(a, key, searchRateLimitPerMinute=3)
    criteria = {"and": [{"customer_name": {"contains": "Ada"}}], "queryContext": "customer"}
    codes = [_call("POST", f"{url}/v1/customers/search", key, json=criteria).status_code for url in (a, b, b, a)]
    assert codes == [200, 200, 200, 429]


def test_the_per_customer_creation_cap_counts_every_process(two, key):
    a, b = two
    _clock(a, org=key, freeze=FROZEN)
    customer = _call("POST", f"{a}/v1/customers", key, json={"name": "Ada"}).json()["data"]["id"]
    codes = [_call("POST", f"{url}/v1/customers/{customer}/conversations", key, json={}).status_code
             for url in itertools.islice(itertools.cycle((a, b)), CREATES_PER_CUSTOMER)]
    assert codes == [201] * CREATES_PER_CUSTOMER
    refused = _call("POST", f"{b}/v1/conversations", key, json={"customer": customer})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    _clock(a, org=key, advanceSeconds=60)
    assert _call("POST", f"{b}/v1/conversations", key, json={"customer": customer}).status_code == 201

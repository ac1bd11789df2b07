"""Rate limits on the mock clock: the org's budget per minute on /v1, and per-customer creation caps."""
from __future__ import annotations

import shutil

import pytest
import yaml

from mock_server import create_app
from mock_server.domain.fixtures import default_dir
from mock_server.domain.ratelimit import CREATES_PER_CUSTOMER, OrgLimits
from mock_server.domain.errors import RateLimited
from mock_server.testing.appcalls import Api, Chat, clock_of, org_of

pytestmark = pytest.mark.private_app   # moves the clock to refill the budgets
HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
MESSAGE = {"channel": "chat", "app": "chat", "direction": "in", "body": "hi"}


@pytest.fixture
def api(client, chat):
    """REST with the chat customer's key."""
    return Api(client, chat.key)


def _budget(app, key: str, per_minute) -> None:
    org_of(app, key).settings["rateLimitPerMinute"] = per_minute  # what PATCH /__admin/orgs/KEY/settings sets


def test_off_by_default_no_headers(api):
    rv = api.get("/v1/conversations")
    assert rv.status_code == 200 and not any(h in rv.headers for h in HEADERS)


def test_the_budget_is_spent_then_refilled_after_the_window(app, api):
    clock_of(app).freeze()
    _budget(app, api.key, 3)
    remaining = [api.get("/v1/users").headers["x-ratelimit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    clock_of(app).advance(20)
    rv = api.get("/v1/users")
    assert rv.status_code == 429 and rv.json["errors"][0]["code"] == "rate_limited"
    assert (rv.headers["x-ratelimit-limit"], rv.headers["x-ratelimit-remaining"]) == ("3", "0")
    assert rv.headers["x-ratelimit-reset"] == rv.headers["Retry-After"] == "40"
    clock_of(app).advance(40)
    rv = api.get("/v1/users")
    assert rv.status_code == 200 and rv.headers["x-ratelimit-remaining"] == "2"
    assert rv.headers["x-ratelimit-reset"] == "60"


def test_errors_count_and_carry_the_headers(app, api):
    _budget(app, api.key, 5)
    rv = api.get("/v1/conversations/5f0c1a2b3c4d5e6f7a8b9c99")
    assert rv.status_code == 404 and rv.headers["x-ratelimit-remaining"] == "4"


def test_only_v1_is_budgeted(app, api, chat):
    _budget(app, api.key, 1)
    assert api.get("/v1/tags").status_code == 200
    assert api.get("/v1/tags").status_code == 429
    assert chat.conversations().status_code == 200 and "x-ratelimit-limit" not in chat.conversations().headers
    assert api.get("/v2.1/chat/sessions", customerId=chat.customer_id).status_code == 200


def test_a_budget_changed_at_run_time_applies_at_once(client, api):
    settings = f"/__admin/orgs/{api.key}/settings"
    assert client.patch(settings, json={"rateLimitPerMinute": 1}).json["rateLimitPerMinute"] == 1
    api.get("/v1/tags")
    assert api.get("/v1/tags").status_code == 429
    client.patch(settings, json={"rateLimitPerMinute": None})
    rv = api.get("/v1/tags")
    assert rv.status_code == 200 and "x-ratelimit-limit" not in rv.headers


@pytest.mark.parametrize("value", [0, -5, "300", 1.5, True])
def test_a_bad_budget_is_refused(client, key, value):
    rv = client.patch(f"/__admin/orgs/{key}/settings", json={"rateLimitPerMinute": value})
    assert rv.status_code == 400 and rv.json["errors"][0]["source"]["pointer"] == "/rateLimitPerMinute"


def test_the_budget_comes_from_the_fixtures_and_is_shared_by_the_org_keys(tmp_path):
    folder = tmp_path / "fixtures"
    shutil.copytree(default_dir(), folder)
    data = yaml.safe_load((folder / "org.yaml").read_text())
    data["orgs"].append({"name": "limited", "settings": {"rateLimitPerMinute": 2},
                         "keys": [{"key": "limited-a"}, {"key": "limited-b", "roles": ["org.admin"]}]})
    (folder / "org.yaml").write_text(yaml.safe_dump(data))
    client = create_app({"TESTING": True, "FIXTURES": str(folder)}).test_client()
    first, second = Api(client, "limited-a"), Api(client, "limited-b")
    assert first.get("/v1/tags").headers["x-ratelimit-limit"] == "2"
    assert second.get("/v1/tags").headers["x-ratelimit-remaining"] == "0"
    assert first.get("/v1/tags").status_code == 429
    assert "x-ratelimit-limit" not in Api(client, "another-key").get("/v1/tags").headers


def test_conversation_creation_is_capped_per_customer(app, api, chat, client):
    clock_of(app).freeze()
    for _ in range(CREATES_PER_CUSTOMER):
        api.customer_conversation(chat.customer_id)
    rv = api.post(f"/v1/customers/{chat.customer_id}/conversations", {})
    assert rv.status_code == 429 and rv.json["errors"][0]["code"] == "rate_limited"
    assert rv.headers["Retry-After"] == "60"
    assert api.post(f"/v1/customers/{chat.customer_id}/conversations",
                    {"importedAt": "2026-01-01T00:00:00Z"}).status_code == 201  # imports are exempt
    other = Chat(client, chat.key)
    other.start()
    assert api.post("/v1/conversations", {"customer": other.customer_id}).status_code == 201  # per customer
    clock_of(app).advance(60)
    assert api.post("/v1/conversations", {"customer": chat.customer_id}).status_code == 201


def test_message_creation_is_capped_per_customer(app, api, chat):
    clock_of(app).freeze()
    cid = chat.new_conversation()
    for _ in range(CREATES_PER_CUSTOMER):
        api.created(f"/v1/conversations/{cid}/messages", MESSAGE)
    count = len(chat.messages(cid).json["messages"])
    rv = api.post(f"/v1/customers/{chat.customer_id}/messages", {**MESSAGE, "conversation": cid})
    assert rv.status_code == 429 and len(chat.messages(cid).json["messages"]) == count
    assert api.post(f"/v1/conversations/{cid}/messages",
                    {**MESSAGE, "importedAt": "2026-01-01T00:00:00Z"}).status_code == 201
    clock_of(app).advance(30)
    assert api.post(f"/v1/conversations/{cid}/messages", MESSAGE).status_code == 429
    clock_of(app).advance(30)
    assert api.post(f"/v1/conversations/{cid}/messages", MESSAGE).status_code == 201


@pytest.mark.parametrize(("moments", "limited"), [
    ([0, 1, 2], None),            # three in the window
    ([0, 1, 2, 3], 3),            # the fourth is refused
    ([0, 1, 2, 60], None),        # a new window at 60 s
    ([0, 59.9, 59.9, 59.9], 3),   # the window is fixed from its first request, not sliding
])
def test_the_window(moments, limited):
    limits = OrgLimits()
    for index, moment in enumerate(moments):
        if index == limited:
            with pytest.raises(RateLimited):
                limits.take(3, moment)
        else:
            limits.take(3, moment)

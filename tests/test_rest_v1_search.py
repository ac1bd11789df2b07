"""REST v1 search: Kustomer's criteria over customers, conversations, messages, notes and KObjects."""
from __future__ import annotations

import pytest

from mock_server.domain.clock import parse_iso
from mock_server.testing.appcalls import AGENT, Api, clock_of

SEARCH = "/v1/customers/search"


@pytest.fixture
def api(client, key):
    """REST with a fresh org's key."""
    return Api(client, key)


@pytest.fixture
def people(api):
    """Three customers of our own (the org's seed customers are there too)."""
    made = {}
    for name, email, external, tier, value in (("Ada Lovelace", "ada@example.com", "crm-1", "gold", 120),
                                               ("Grace Hopper", "grace@navy.example", "crm-2", "silver", 40),
                                               ("Alan Turing", "alan@example.com", "crm-3", "gold", 80)):
        made[name.split()[0]] = api.created("/v1/customers", {
            "name": name, "emails": [{"email": email}], "externalId": external, "tags": ["vip"] if tier == "gold"
            else [], "custom": {"loyaltyTierStr": tier, "lifetimeValueNum": value}})["id"]
    return made


def _ids(api, body: dict, **query) -> list[str]:
    rv = api.call("POST", SEARCH, json=body, query_string=query)
    assert rv.status_code == 200, rv.json
    return [item["id"] for item in rv.json["data"]]


CUSTOMER_CRITERIA = [
    ({"customer_email": {"equals": "ADA@example.com"}}, ["Ada"]),
    ({"customer_externalId": {"equals": "crm-2"}}, ["Grace"]),
    ({"customer_externalId": {"equals": "CRM-2"}}, []),   # not analyzed: exact
    ({"customer_custom_loyaltyTierStr": {"equals": "gold"}}, ["Ada", "Alan"]),
    ({"customer_custom_lifetimeValueNum": {"gte": 80}}, ["Ada", "Alan"]),
    ({"customer_custom_lifetimeValueNum": {"lt": 80}}, ["Grace"]),
    ({"customer_name": {"contains": "hopper"}}, ["Grace"]),
    ({"customer_name": {"contains": "hop"}}, []),   # whole words only
    ({"customer_name": {"starts_with": "al"}}, ["Alan"]),
    ({"customer_email": {"in": ["alan@example.com", "grace@navy.example"]}}, ["Grace", "Alan"]),
    ({"customer_tags": {"equals": "5f0c1a2b3c4d5e6f7a8ba001"}}, ["Ada", "Alan"]),
    ({"customer_custom_loyaltyTierStr": {"not_equals": "gold"}, "customer_externalId": {"set": ""}}, ["Grace"]),
    ({"customer_any_text": {"contains": "navy.example"}}, ["Grace"]),
]


@pytest.mark.parametrize(("criterion", "names"), CUSTOMER_CRITERIA, ids=[str(c) for c, _ in CUSTOMER_CRITERIA])
def test_customer_criteria(api, people, criterion, names):
    found = _ids(api, {"queryContext": "customer", "and": [criterion, {"customer_externalId": {"starts_with": "crm"}}]})
    assert sorted(found) == sorted(people[n] for n in names)


def test_or_not_and_nesting(api, people):
    body = {"queryContext": "customer", "or": [{"customer_externalId": {"equals": "crm-1"}},
                                                {"customer_externalId": {"equals": "crm-2"}}],
            "not": {"customer_email": {"equals": "grace@navy.example"}}}
    assert _ids(api, body) == [people["Ada"]]
    nested = {"and": [{"or": [{"customer_name": {"contains": "ada"}}, {"customer_name": {"contains": "alan"}}]},
                      {"customer_custom_loyaltyTierStr": {"equals": "gold"}}]}
    assert sorted(_ids(api, nested)) == sorted([people["Ada"], people["Alan"]])


def test_sort_and_paging_walk_every_result_once(api, people):
    body = {"queryContext": "customer", "and": [{"customer_externalId": {"starts_with": "crm"}}],
            "sort": [{"customer_name": "asc"}]}
    first = api.call("POST", SEARCH, json=body, query_string={"pageSize": 2}).json
    assert first["meta"] == {"page": 1, "pageSize": 2, "total": 3, "totalPages": 2, "aggregations": {}}
    assert first["links"]["next"] == f"{SEARCH}?page=2&pageSize=2" and first["links"]["prev"] is None
    second = api.call("POST", first["links"]["next"], json=body).json
    names = [c["attributes"]["name"] for c in first["data"] + second["data"]]
    assert names == ["Ada Lovelace", "Alan Turing", "Grace Hopper"] and second["links"]["next"] is None
    desc = _ids(api, {**body, "sort": {"customer_name": "desc"}})
    assert desc == [people["Grace"], people["Alan"], people["Ada"]]
    ids_only = api.call("POST", SEARCH, json=body, query_string={"idsOnly": "true"}).json["data"]
    assert ids_only[0] == {"type": "customer", "id": people["Ada"]}


@pytest.mark.private_app
def test_dates_in_a_time_zone_and_as_utc(app, api):
    clock = clock_of(app)
    clock.freeze(parse_iso("2026-03-10T02:30:00Z"))   # the evening of 9 March in New York
    early = api.created("/v1/customers", {"externalId": "tz-1"})["id"]
    clock.freeze(parse_iso("2026-03-10T15:00:00Z"))
    late = api.created("/v1/customers", {"externalId": "tz-2"})["id"]
    mine = {"customer_externalId": {"starts_with": "tz"}}
    assert _ids(api, {"and": [mine, {"customer_created_at": {"lte": "2026-03-09"}}],
                      "timeZone": "America/New_York"}) == [early]
    assert _ids(api, {"and": [mine, {"customer_created_at": {"gte": "2026-03-10"}}]}) == [late, early]
    assert _ids(api, {"and": [mine, {"customer_created_at": {"gt": "2026-03-10T03:00:00Z"}}]}) == [late]
    assert _ids(api, {"and": [mine, {"customer_created_at": {"equals": "2026-03-10"}}],
                      "timeZone": "America/New_York"}) == [late]


def test_conversations_messages_notes_and_kobjects(client, chat):
    api = Api(client, chat.key)
    cid = chat.new_conversation(message="My tent pole snapped")
    api.call("PATCH", f"/v1/conversations/{cid}", json={"status": "snoozed", "assignedUsers": [AGENT],
                                                        "custom": {"orderNumberStr": "A-7"}})
    api.created(f"/v1/conversations/{cid}/notes", {"body": "Replacement sent"})
    kid = api.created("/v1/klasses/order", {"title": "A-7", "customer": chat.customer_id,
                                            "custom": {"totalNum": 99}})["id"]
    assert _ids(api, {"queryContext": "conversation", "and": [
        {"conversation_status": {"equals": "snoozed"}}, {"conversation_assigned_users": {"equals": AGENT}},
        {"conversation_custom_orderNumberStr": {"equals": "A-7"}}]}) == [cid]
    assert _ids(api, {"queryContext": "conversation", "and": [
        {"conversation_customer_id": {"equals": chat.customer_id}}]}) == [cid]
    messages = api.call("POST", SEARCH, json={"queryContext": "message", "and": [
        {"message_body": {"contains": "pole"}}, {"message_customer_id": {"equals": chat.customer_id}}]}).json
    assert [m["relationships"]["conversation"]["data"]["id"] for m in messages["data"]] == [cid]
    assert len(_ids(api, {"queryContext": "note", "and": [{"note_conversation_id": {"equals": cid}}]})) == 1
    assert _ids(api, {"queryContext": "kobject_order", "and": [{"kobject_custom_order_totalNum": {"gte": 50}}],
                      "sort": [{"kobject_updated_at": "asc"}]}) == [kid]
    assert _ids(api, {"queryContext": "kobject", "and": [{"customer_externalId": {"not_set": ""}},
                                                        {"kobject_custom_order_totalNum": {"lt": 50}}]}) == []


INVALID = [
    ({"queryContext": "invoice"}, {}, "invalid_field", {"pointer": "/queryContext"}),
    ({"and": [{"customer_nope": {"equals": 1}}]}, {}, "invalid_criteria", {"pointer": "/and/0/customer_nope"}),
    ({"and": [{"customer_satisfaction_avg_score": {"gte": 1}}]}, {}, "invalid_criteria",
     {"pointer": "/and/0/customer_satisfaction_avg_score"}),
    ({"and": [{"customer_name": {"matches": "a"}}]}, {}, "invalid_criteria", {"pointer": "/and/0/customer_name/matches"}),
    ({"and": [{"customer_name": {"equals": "a", "contains": "b"}}]}, {}, "invalid_criteria",
     {"pointer": "/and/0/customer_name"}),
    ({"and": [{"customer_created_at": {"gte": "last week"}}]}, {}, "invalid_criteria",
     {"pointer": "/and/0/customer_created_at/gte"}),
    ({"and": [{"customer_custom_loyaltyTier": {"equals": "x"}}]}, {}, "invalid_criteria",
     {"pointer": "/and/0/customer_custom_loyaltyTier"}),
    ({"and": [{"customer_email": {"in": "a@b.c"}}]}, {}, "invalid_criteria", {"pointer": "/and/0/customer_email/in"}),
    ({"and": [{"customer_name": {"equals": "x"}}] * 21}, {}, "invalid_field", {"pointer": "/and"}),
    ({"sort": [{"customer_email": "asc"}]}, {}, "invalid_criteria", {"pointer": "/sort/0/customer_email"}),
    ({"sort": [{"customer_name": "up"}]}, {}, "invalid_criteria", {"pointer": "/sort/0/customer_name"}),
    ({"timeZone": "Mars/Olympus"}, {}, "invalid_criteria", {"pointer": "/timeZone"}),
    ({"where": {}}, {}, "unknown_field", {"pointer": "/where"}),
    ({}, {"page": 101}, "invalid_field", {"parameter": "page"}),
]


@pytest.mark.parametrize(("body", "query", "code", "source"), INVALID, ids=[str(s) for *_, s in INVALID])
def test_what_the_criteria_cannot_express_is_a_clear_400(api, body, query, code, source):
    rv = api.call("POST", SEARCH, json=body, query_string=query)
    assert rv.status_code == 400, rv.json
    assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (code, source)


def test_page_size_is_clamped_to_500_and_zero_is_the_default(api, people):
    assert api.call("POST", SEARCH, json={}, query_string={"pageSize": 1000}).json["meta"]["pageSize"] == 500
    assert api.call("POST", SEARCH, json={}, query_string={"pageSize": 0}).json["meta"]["pageSize"] == 100


@pytest.mark.private_app
def test_searches_count_against_100_a_minute(app, api):
    clock_of(app).freeze()
    for _ in range(100):
        assert api.call("POST", SEARCH, json={}).status_code == 200
    rv = api.call("POST", SEARCH, json={})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (429, "rate_limited")
    assert rv.headers["x-ratelimit-limit"] == "100" and int(rv.headers["Retry-After"]) > 0
    assert api.get("/v1/customers").status_code == 200   # only searches are limited
    clock_of(app).advance(60)
    assert api.call("POST", SEARCH, json={}).status_code == 200
    api.client.patch(f"/__admin/orgs/{api.key}/settings", json={"searchRateLimitPerMinute": None})
    assert all(api.call("POST", SEARCH, json={}).status_code == 200 for _ in range(120))


@pytest.mark.parametrize("context", ["company", "conversation_time", "work_item"])
def test_contexts_the_mock_keeps_nothing_of_find_nothing(api, context):
    """A sync client reads every context; the mock has no companies, conversation times or work items."""
    body = {"queryContext": context, "and": [{f"{context}_updated_at": {"gt": "2020-01-01T00:00:00Z"}}],
            "sort": [{f"{context}_updated_at": "asc"}]}
    rv = api.call("POST", SEARCH, json=body)
    assert rv.status_code == 200 and rv.json["data"] == [] and rv.json["meta"]["total"] == 0


def test_conversation_channels_follow_its_messages(client, chat):
    api = Api(client, chat.key)
    cid = chat.new_conversation()
    api.created(f"/v1/conversations/{cid}/messages", {"channel": "email", "app": "postmark", "preview": "re"})
    assert api.get(f"/v1/conversations/{cid}").json["data"]["attributes"]["channels"] == ["chat", "email"]
    assert _ids(api, {"queryContext": "conversation", "and": [{"conversation_channels": {"equals": "email"}}]}) == [cid]
    email_only = api.created(f"/v1/customers/{chat.customer_id}/messages", {"channel": "email", "app": "postmark",
                                                                             "preview": "new thread"})
    thread = email_only["relationships"]["conversation"]["data"]["id"]
    assert api.get(f"/v1/conversations/{thread}").json["data"]["attributes"]["channels"] == ["email"]
    empty = api.created("/v1/conversations", {"customer": chat.customer_id})
    assert empty["attributes"]["channels"] == []

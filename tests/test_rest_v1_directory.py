"""REST v1 users, teams, tags and queues: reads by id, the writes Kustomer documents."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import AGENT, OTHER_AGENT, Api

TEAM, TAG, QUEUE = "5f0c1a2b3c4d5e6f7a8b9f01", "5f0c1a2b3c4d5e6f7a8ba001", "5f0c1a2b3c4d5e6f7a8ba1ff"
UNKNOWN = "5f0c1a2b3c4d5e6f7a8b0000"


@pytest.fixture
def api(client, key):
    """REST with a fresh org's key."""
    return Api(client, key)


def test_reads_by_id(api):
    assert api.get(f"/v1/users/{AGENT}").json["data"]["attributes"]["displayName"] == "Alex Rivera"
    listed = api.get(f"/v1/users/{AGENT},{OTHER_AGENT}").json["data"]
    assert [u["id"] for u in listed] == [AGENT, OTHER_AGENT]
    assert api.get(f"/v1/teams/{TEAM}").json["data"]["attributes"]["members"] == [AGENT, OTHER_AGENT]
    assert [t["id"] for t in api.get(f"/v1/users/{AGENT}/teams").json["data"]] == [TEAM]
    assert api.get(f"/v1/tags/{TAG}").json["data"]["attributes"]["name"] == "vip"
    queue = api.get(f"/v1/routing/queues/{QUEUE}").json["data"]["attributes"]
    assert (queue["name"], queue["system"]) == ("DEFAULT_QUEUE", True)
    current = api.get("/v1/users/current").json["data"]["attributes"]
    assert current["userType"] == "machine" and "org.admin" in current["roles"]
    assert api.get("/v1/users", email="SAM.CHEN@acme.example").json["data"][0]["id"] == OTHER_AGENT
    for path in (f"/v1/users/{UNKNOWN}", f"/v1/teams/{UNKNOWN}", f"/v1/tags/{UNKNOWN}",
                 f"/v1/routing/queues/{UNKNOWN}", f"/v1/users/{AGENT},{UNKNOWN}"):
        assert api.get(path).status_code == 404


def test_users_and_teams_are_written_and_read_back(api):
    user = api.created("/v1/users", {"name": "Kim Lee", "email": "kim@acme.example", "userType": "limited"})
    assert user["attributes"]["userType"] == "limited"
    assert api.post("/v1/users", {"name": "Kim", "email": "KIM@acme.example"}).status_code == 409
    rv = api.call("PUT", f"/v1/users/{user['id']}", json={"displayName": "Kim L."})
    assert rv.json["data"]["attributes"]["displayName"] == "Kim L."
    team = api.created("/v1/teams", {"name": "Night shift", "members": [user["id"]]})
    rv = api.post(f"/v1/teams/{team['id']}/members", {"members": [AGENT]})
    assert rv.json["data"]["attributes"]["members"] == [user["id"], AGENT]
    rv = api.call("DELETE", f"/v1/teams/{team['id']}/members", json={"members": [user["id"]]})
    assert rv.json["data"]["attributes"]["members"] == [AGENT]
    assert api.call("PATCH", f"/v1/teams/{team['id']}", json={"icon": "moon"}).json["data"]["attributes"][
        "icon"] == "moon"
    assert api.call("DELETE", f"/v1/teams/{team['id']}").status_code == 204
    assert api.get(f"/v1/teams/{team['id']}").status_code == 404


@pytest.mark.parametrize(("method", "path", "body", "status", "code", "pointer"), [
    ("POST", "/v1/users", {"name": "x"}, 400, "missing_field", "/email"),
    ("POST", "/v1/users", {"name": "x", "email": "y"}, 400, "invalid_field", "/email"),
    ("POST", "/v1/users", {"name": "x", "email": "x@example.com", "userType": "robot"}, 400, "invalid_field", "/userType"),
    ("POST", "/v1/teams", {}, 400, "missing_field", "/name"),
    ("POST", "/v1/teams", {"name": "x", "members": [UNKNOWN]}, 404, "not_found", "/members/0"),
    ("POST", f"/v1/teams/{TEAM}/members", {"members": ["nope"]}, 400, "invalid_field", "/members/0"),
    ("PUT", f"/v1/users/{UNKNOWN}", {"name": "x"}, 404, "not_found", None),
])
def test_directory_errors(api, method, path, body, status, code, pointer):
    rv = api.call(method, path, json=body)
    assert rv.status_code == status, rv.json
    assert rv.json["errors"][0]["code"] == code
    if pointer:
        assert rv.json["errors"][0]["source"] == {"pointer": pointer}


def test_what_sync_clients_read_besides(api, chat, client):
    """Shortcuts, SLAs, every metadata resource, attachments, timestamps, trailing slashes: what sync taps list."""
    rest = Api(client, chat.key)
    shortcuts = rest.get("/v1/shortcuts").json["data"]
    assert shortcuts[0]["attributes"]["name"] == "Where is my order" and shortcuts[0]["attributes"]["text"]
    assert rest.get(f"/v1/shortcuts/{shortcuts[0]['id']}").json["data"] == shortcuts[0]
    slas = rest.get("/v1/slas", versions="all").json
    assert (slas["data"], slas["included"], slas["meta"]["total"]) == ([], [], 0)
    for resource in ("customer", "conversation", "message", "company", "user"):
        assert "properties" in rest.get(f"/v1/metadata/{resource}").json["data"]["attributes"]
    for path in ("/v1/tags", "/v1/users", "/v1/teams", "/v1/routing/queues"):
        assert all(item["attributes"]["updatedAt"] and item["attributes"]["createdAt"]
                   for item in rest.get(path).json["data"])
    assert rest.get("/v1/users/current/").status_code == 200   # a trailing slash is the same route
    org = rest.get("/v1/orgs/current").json["data"]
    assert shortcuts[0]["relationships"]["org"]["data"] == {"type": "org", "id": org["id"]}
    brands = rest.get("/v1/brands").json["data"]
    assert [b["attributes"]["name"] for b in brands] == ["Acme Outfitters", "Acme Kids"]
    assert rest.get(f"/v1/brands/{brands[1]['id']}").json["data"]["id"] == brands[1]["id"]
    cid = chat.new_conversation()
    rest.created(f"/v1/conversations/{cid}/messages", {"channel": "email", "app": "postmark", "attachments": [
        {"_id": UNKNOWN, "name": "invoice.pdf", "contentType": "application/pdf", "contentLength": 2048}]})
    attachments = rest.get(f"/v1/conversations/{cid}/attachments").json["data"]
    assert [(a["id"], a["attributes"]["name"]) for a in attachments] == [(UNKNOWN, "invoice.pdf")]


def test_every_rest_error_carries_sub_errors(api):
    """A connector's error parser reads errors[0].meta.subErrors[0] whatever the status."""
    api.created("/v1/customers", {"externalId": "dup"})
    for rv in (api.post("/v1/customers", {"externalId": "dup"}), api.get(f"/v1/customers/{UNKNOWN}")):
        error = rv.json["errors"][0]
        assert error["meta"]["subErrors"][0]["title"] == error["title"]

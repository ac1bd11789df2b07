"""REST v1 bulk jobs and the paging conventions real clients rely on."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import Api

UNKNOWN = "5f0c1a2b3c4d5e6f7a8b0000"


@pytest.fixture
def api(client, chat):
    """REST with the same key as the started chat customer."""
    return Api(client, chat.key)


def test_bulk_create_update_and_delete_customers(api):
    rv = api.post("/v1/customers/bulk", [{"name": "Ada", "externalId": "b-1"}, {"name": "Grace", "externalId": "b-2"},
                                          {"externalId": "b-1"}])
    assert rv.status_code == 201, rv.json
    job = rv.json["data"]
    assert (job["type"], job["attributes"]["status"], job["attributes"]["completed"]) == ("bulk", "complete", True)
    assert job["attributes"]["context"] == "api.sobjects.customers.bulk-create"
    assert len(job["attributes"]["ids"]) == 2
    assert [(e["index"], e["code"]) for e in job["attributes"]["errors"]] == [(2, "conflict")]
    assert api.get(f"/v1/bulk/{job['id']}").json["data"] == job
    first, second = job["attributes"]["ids"]
    rv = api.call("PUT", f"/v1/customers/bulk?ids={first},{second}", json=[{"id": first, "locale": "en_GB"},
                                                                             {"id": second, "locale": "en_US"}])
    assert rv.status_code == 201 and api.get(f"/v1/customers/{second}").json["data"]["attributes"]["locale"] == "en_US"
    rv = api.call("DELETE", f"/v1/customers/bulk?ids={first},{UNKNOWN}")
    attributes = rv.json["data"]["attributes"]
    assert attributes["context"] == "api.sobjects.customers.bulk-delete" and attributes["ids"] == [first]
    assert [e["code"] for e in attributes["errors"]] == ["not_found"]
    assert api.get(f"/v1/customers/{first}").status_code == 404


def test_bulk_conversations_messages_notes_and_kobjects(api, chat):
    conversations = api.post("/v1/conversations/bulk", [{"customer": chat.customer_id, "name": f"c{i}"}
                                                         for i in range(3)]).json["data"]["attributes"]["ids"]
    assert len(conversations) == 3
    rv = api.post("/v1/messages/bulk", [{"conversation": cid, "channel": "email", "app": "import", "preview": "hi"}
                                        for cid in conversations])
    assert rv.status_code == 200 and len(rv.json["data"]["attributes"]["ids"]) == 3
    rv = api.post("/v1/notes/bulk", [{"conversation": conversations[0], "body": "n"}])
    assert rv.status_code == 201 and rv.json["data"]["attributes"]["errors"] == []
    rv = api.post("/v1/klasses/order/bulk", [{"title": "o1"}, {"title": "o2", "custom": {"totalNum": "x"}}])
    attributes = rv.json["data"]["attributes"]
    assert len(attributes["ids"]) == 1 and attributes["errors"][0]["source"] == {"pointer": "/custom/totalNum"}
    rv = api.call("PUT", "/v1/klasses/order/bulk", json=[{"id": attributes["ids"][0], "title": "o1b"}])
    assert rv.status_code == 200
    rv = api.call("DELETE", f"/v1/klasses/order/bulk?ids={attributes['ids'][0]}")
    assert rv.status_code == 201 and api.get("/v1/klasses/order").json["data"] == []


@pytest.mark.parametrize(("method", "path", "body", "status", "code", "source"), [
    ("POST", "/v1/customers/bulk", [{"name": "ok"}, {"emails": [{"email": "bad"}]}], 400, "invalid_field",
     {"pointer": "/1/emails/0/email"}),
    ("POST", "/v1/customers/bulk", [{"name": str(i)} for i in range(101)], 400, "invalid_body", None),
    ("POST", "/v1/customers/bulk", {"name": "x"}, 400, "invalid_body", None),
    ("POST", "/v1/conversations/bulk", [{"name": "x"}], 400, "missing_field", {"pointer": "/0/customer"}),
    ("PUT", "/v1/customers/bulk", [{"name": "x"}], 400, "missing_field", {"pointer": "/0/id"}),
    ("DELETE", "/v1/customers/bulk", None, 400, "missing_field", {"parameter": "ids"}),
    ("DELETE", "/v1/customers/bulk?ids=a,b", None, 400, "invalid_field", {"parameter": "ids"}),
    ("POST", "/v1/klasses/invoice/bulk", [{"title": "x"}], 404, "not_found", None),
    ("GET", f"/v1/bulk/{UNKNOWN}", None, 404, "not_found", None),
])
def test_bulk_errors(api, method, path, body, status, code, source):
    before = api.get("/v1/customers").json["meta"]["total"]
    rv = api.call(method, path, json=body)
    assert rv.status_code == status, rv.json
    assert rv.json["errors"][0]["code"] == code and rv.json["errors"][0].get("source") == source
    assert api.get("/v1/customers").json["meta"]["total"] == before


@pytest.mark.parametrize("path", ["/v1/customers", "/v1/conversations", "/v1/tags", "/v1/users", "/v1/teams",
                                  "/v1/routing/queues", "/v1/klasses", "/v1/klasses/order", "/v1/messages",
                                  "/v1/notes"])
def test_page_size_zero_answers_the_default_page_as_a_connector_dropdown_asks(api, path):
    """A widely used automation platform asks page=1&pageSize=0, then 2&100, 3&200, ... for every dropdown."""
    rv = api.get(path, page=1, pageSize=0)
    assert rv.status_code == 200, rv.json
    assert rv.json["meta"]["pageSize"] == 100 and "pageSize=100" in rv.json["links"]["self"]
    assert api.get(path, page=3, pageSize=200).status_code == 200


@pytest.mark.parametrize(("path", "asked", "served"), [
    ("/v1/conversations", 1000, 100), ("/v1/users", 1000, 500), ("/v1/teams", 501, 500), ("/v1/tags", -5, 100)])
def test_page_sizes_past_the_maximum_are_clamped_not_refused(api, path, asked, served):
    rv = api.get(path, pageSize=asked, deleted="false")   # parameters a list does not use are ignored
    assert rv.status_code == 200 and rv.json["meta"]["pageSize"] == served
    assert f"pageSize={served}" in rv.json["links"]["first"] and "deleted=false" in rv.json["links"]["first"]


def test_an_export_loop_walks_every_conversation_once_with_a_big_page_size(api, chat):
    """An export script asks pageSize=1000&sort=desc and follows links.next until it is null."""
    for _ in range(120):
        api.customer_conversation(chat.customer_id, importedAt="2026-01-01T00:00:00Z")
    seen = [c["id"] for c in api.walk("/v1/conversations", pageSize=1000, sort="desc")]
    assert len(seen) == len(set(seen)) == api.get("/v1/conversations").json["meta"]["total"]

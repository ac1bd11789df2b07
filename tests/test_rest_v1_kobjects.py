"""REST v1 custom Klasses and KObjects: definitions, CRUD checked against the Klass, lookups, metadata."""
from __future__ import annotations

import pytest

from mock_server.testing.appcalls import Api

UNKNOWN = "5f0c1a2b3c4d5e6f7a8b0000"
ORDER = {"title": "Order A-1042", "externalId": "A-1042", "description": "Two tents", "icon": "cart",
         "images": ["https://cdn.example.com/tent.png"], "data": {"sku": ["T-1", "T-2"]}, "tags": ["vip"],
         "custom": {"orderNumberStr": "A-1042", "totalNum": 249.5, "placedAt": "2026-11-01T10:00:00Z",
                    "giftBool": False, "trackingUrl": "https://track.example.com/1", "notesTxt": "Leave at door",
                    "statusTree": "shipped"}}


@pytest.fixture
def api(client, chat):
    """REST with the same key as the started chat customer."""
    return Api(client, chat.key)


def test_the_order_klass_is_listed_and_described(api):
    klasses = api.get("/v1/klasses").json["data"]
    assert [k["attributes"]["name"] for k in klasses] == ["order"]
    klass = klasses[0]
    assert klass["relationships"]["kobjects"]["links"]["self"] == "/v1/klasses/order"
    assert api.get(f"/v1/klasses/{klass['id']}").json["data"] == klass   # a Klass id means the Klass
    properties = api.get("/v1/metadata/kobject.order").json["data"]["attributes"]["properties"]
    assert properties["totalNum"]["type"] == "num" and "tree" in properties["statusTree"]
    assert api.get("/v1/metadata/customer").json["data"]["attributes"]["properties"]["loyaltyTierStr"]
    assert api.get("/v1/metadata/invoice").status_code == 404


def test_kobject_create_read_list_update_delete(api, chat):
    created = api.created("/v1/klasses/order", {**ORDER, "customer": chat.customer_id})
    assert created["type"] == "kobject.order" and created["links"]["self"] == f"/v1/klasses/order/{created['id']}"
    assert created["relationships"]["klass"]["data"] == {"type": "klass", "id": "order"}
    assert created["relationships"]["customer"]["data"]["id"] == chat.customer_id
    attributes = created["attributes"]
    assert attributes["custom"]["placedAt"] == "2026-11-01T10:00:00Z" and attributes["tags"] == \
        ["5f0c1a2b3c4d5e6f7a8ba001"]
    kid = created["id"]
    assert api.get(f"/v1/klasses/order/{kid}").json["data"] == created
    assert api.get("/v1/klasses/order/externalId=A-1042").json["data"]["id"] == kid
    assert [k["id"] for k in api.get("/v1/klasses/order").json["data"]] == [kid]
    assert [k["id"] for k in api.get(f"/v1/customers/{chat.customer_id}/klasses/order").json["data"]] == [kid]
    rv = api.call("PUT", f"/v1/klasses/order/{kid}", json={"title": "Order A-1042 (late)",
                                                            "custom": {"statusTree": "delivered", "giftBool": None}})
    attributes = rv.json["data"]["attributes"]
    assert attributes["title"] == "Order A-1042 (late)" and attributes["rev"] == 2
    assert attributes["custom"]["statusTree"] == "delivered" and "giftBool" not in attributes["custom"]
    assert api.call("PATCH", f"/v1/klasses/order/{kid}", json={"description": None}).json["data"]["attributes"][
        "description"] is None
    assert api.call("DELETE", f"/v1/klasses/order/{kid}").status_code == 204
    assert api.get(f"/v1/klasses/order/{kid}").status_code == 404


def test_comma_separated_ids_and_customer_route(api, chat):
    first = api.created(f"/v1/customers/{chat.customer_id}/klasses/order", {"title": "One"})["id"]
    second = api.created("/v1/klasses/order", {"title": "Two"})["id"]
    listed = api.get(f"/v1/klasses/order/{first},{second}").json
    assert {k["id"] for k in listed["data"]} == {first, second}
    assert api.get(f"/v1/customers/{chat.customer_id}/klasses/order").json["meta"]["total"] == 1


INVALID = [
    ({}, 400, "missing_field", "/title"),
    ({"title": ""}, 400, "invalid_field", "/title"),
    ({"title": "x", "custom": {"totalNum": "lots"}}, 400, "invalid_attribute", "/custom/totalNum"),
    ({"title": "x", "custom": {"statusTree": "Shipped"}}, 400, "invalid_attribute", "/custom/statusTree"),
    ({"title": "x", "custom": {"colorStr": "red"}}, 400, "unknown_attribute", "/custom/colorStr"),
    ({"title": "x", "images": ["not a url"]}, 400, "invalid_field", "/images/0"),
    ({"title": "x", "tags": ["bad!"]}, 400, "invalid_field", "/tags/0"),
    ({"title": "x", "customer": UNKNOWN}, 404, "not_found", "/customer"),
    ({"title": "x", "externalId": ""}, 400, "invalid_field", "/externalId"),
    ({"title": "x", "status": "open"}, 400, "unknown_field", "/status"),
]


@pytest.mark.parametrize(("body", "status", "code", "pointer"), INVALID, ids=[p for _, _, _, p in INVALID])
def test_kobjects_are_checked_against_their_klass(api, body, status, code, pointer):
    rv = api.post("/v1/klasses/order", body)
    assert rv.status_code == status, rv.json
    assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (code, {"pointer": pointer})
    assert api.get("/v1/klasses/order").json["data"] == []


def test_external_ids_are_unique_per_klass_and_unknown_klasses_404(api):
    api.created("/v1/klasses/order", {"title": "One", "externalId": "A-1"})
    rv = api.post("/v1/klasses/order", {"title": "Two", "externalId": "A-1"})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (409, "conflict")
    for method, path in (("GET", "/v1/klasses/invoice"), ("POST", "/v1/klasses/invoice"),
                         ("GET", f"/v1/klasses/invoice/{UNKNOWN}")):
        rv = api.call(method, path, json={"title": "x"} if method == "POST" else None)
        assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")


def test_custom_klasses_can_be_created_changed_and_deleted(api):
    rv = api.post("/v1/klasses", {"name": "return_request", "displayName": "Return", "icon": "undo",
                                  "mixins": ["commentable"]})
    assert rv.status_code == 200   # Kustomer answers this create with 200
    klass = rv.json["data"]
    assert api.created("/v1/klasses/return_request", {"title": "RMA 1"})["type"] == "kobject.return_request"
    rv = api.call("PUT", f"/v1/klasses/{klass['id']}", json={"status": "disabled"})
    assert rv.json["data"]["attributes"]["status"] == "disabled"
    assert [k["attributes"]["name"] for k in api.get("/v1/klasses").json["data"]] == ["order"]
    assert len(api.get("/v1/klasses", status="existing_only").json["data"]) == 2
    assert api.post("/v1/klasses", {"name": "order"}).status_code == 409
    assert api.post("/v1/klasses", {"name": "bad name"}).json["errors"][0]["source"] == {"pointer": "/name"}
    assert api.call("DELETE", f"/v1/klasses/{klass['id']}").status_code == 204
    assert api.get("/v1/klasses/return_request").status_code == 404


@pytest.mark.private_app
def test_kobjects_survive_a_state_round_trip(client, api, chat):
    kid = api.created("/v1/klasses/order", {**ORDER, "customer": chat.customer_id})["id"]
    note = api.created(f"/v1/conversations/{chat.new_conversation()}/notes", {"body": "hi"})["id"]
    state = client.get("/__admin/state").json
    client.post("/__admin/reset")
    assert client.put("/__admin/state", json=state).status_code == 200
    assert api.get(f"/v1/klasses/order/{kid}").json["data"]["attributes"]["custom"] == ORDER["custom"] | {
        "placedAt": "2026-11-01T10:00:00Z"}
    assert api.get(f"/v1/notes/{note}").status_code == 200

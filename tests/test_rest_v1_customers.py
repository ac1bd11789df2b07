"""REST v1 customers as real backends call them: every documented field, lookups, PUT/PATCH, delete, merges."""
from __future__ import annotations

import pytest
import requests

from mock_server.testing.appcalls import Api, clock_of, org_of

TAG = "5f0c1a2b3c4d5e6f7a8ba001"
COMPANY = "5f0c1a2b3c4d5e6f7a8bc001"


@pytest.fixture
def api(client, key):
    """REST with a fresh org's key."""
    return Api(client, key)


# field sent -> value sent -> (attribute read back, value expected there); None: the same name and value
VALID_FIELDS = [
    ("name", "Ada Lovelace", None),
    ("company", COMPANY, ("company", COMPANY)),
    ("company", "Acme Inc", ("company", "Acme Inc")),   # Kustomer's schema takes any string here
    ("externalId", "crm-1", None),
    ("username", "ada", None),
    ("signedUpAt", "2026-01-02T03:04:05Z", ("signedUpAt", "2026-01-02T03:04:05.000Z")),
    ("lastActivityAt", "2026-01-02T03:04:05.120Z", ("lastActivityAt", "2026-01-02T03:04:05.120Z")),
    ("lastCustomerActivityAt", "2026-01-02T03:04:05.120Z", None),
    ("lastSeenAt", "2026-01-02T03:04:05.120Z", None),
    ("avatarUrl", "https://cdn.example.com/a.png", None),
    ("externalIds", [{"externalId": "shop-9"}], ("externalIds", [{"externalId": "shop-9", "verified": False}])),
    ("sharedExternalIds", [{"externalId": "x", "verified": True}], None),
    ("emails", [{"email": "ada@example.com", "type": "work"}],
     ("emails", [{"email": "ada@example.com", "type": "work", "verified": False}])),
    ("emails", [{"email": "ada@example.com"}], ("emails", [{"email": "ada@example.com", "type": "home",
                                                            "verified": False}])),
    ("sharedEmails", [{"email": "team@example.com", "type": "other", "verified": True}], None),
    ("phones", [{"phone": "+15550100100", "type": "mobile"}],
     ("phones", [{"phone": "+15550100100", "type": "mobile", "verified": False}])),
    ("phones", [{"phone": "(555) 010-0100", "type": "fax"}],
     ("phones", [{"phone": "(555) 010-0100", "type": "fax", "verified": False}])),
    ("sharedPhones", [{"phone": "+15550100101", "type": "work", "verified": False}], None),
    ("whatsapps", [{"phone": "+15550100102"}],
     ("whatsapps", [{"phone": "whatsapp:+15550100102", "type": "mobile", "verified": False}])),
    ("facebookIds", [{"pageId": "p1", "userId": "u1", "name": "Ada"}], None),
    ("instagramIds", [{"pageId": "p1", "threadId": "t1", "username": "ada"}], None),
    ("socials", [{"type": "twitter", "username": "ada"}],
     ("socials", [{"type": "twitter", "username": "ada", "verified": False}])),
    ("sharedSocials", [{"type": "linkedin", "username": "ada", "url": "https://linkedin.com/in/ada",
                        "verified": False}], None),
    ("urls", [{"url": "https://ada.example.com"}], ("urls", [{"url": "https://ada.example.com", "type": "website"}])),
    ("urls", [{"url": "https://ada.example.com/blog", "type": "blog"}], None),
    ("locations", [{"type": "work", "cityName": "London", "countryCode": "GB", "latitude": 51.5,
                    "longitude": -0.12}], None),
    ("locale", "en_GB", None),
    ("timeZone", "Europe/London", None),
    ("tags", [TAG], None),
    ("sentiment", {"polarity": 1, "confidence": 0.75}, None),
    ("custom", {"loyaltyTierStr": "gold", "lifetimeValueNum": 12.5}, None),
    ("birthdayAt", "1990-12-10T00:00:00.000Z", None),
    ("gender", "f", None),
    ("gender", None, None),
    ("createdAt", "2025-05-05T05:05:05.000Z", None),
    ("importedAt", "2025-05-05T05:05:05.000Z", None),
    ("defaultLang", "pt_br", None),
    ("rev", 3, ("rev", 1)),   # accepted; the mock counts revisions itself
]


@pytest.mark.parametrize(("field", "value", "expected"), VALID_FIELDS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(VALID_FIELDS)])
def test_every_documented_field_is_stored_where_kustomer_puts_it(api, field, value, expected):
    created = api.created("/v1/customers", {field: value})
    name, wanted = expected or (field, value)
    source = created["relationships"] if name == "company" else created["attributes"]
    got = source[name]["data"]["id"] if name == "company" else source[name]
    assert got == wanted
    read = api.get(f"/v1/customers/{created['id']}").json["data"]
    assert read == created


INVALID_FIELDS = [
    ({"name": "x" * 257}, "invalid_field", "/name"),
    ({"name": 5}, "invalid_field", "/name"),
    ({"company": "c" * 257}, "invalid_field", "/company"),
    ({"externalId": ""}, "invalid_field", "/externalId"),
    ({"signedUpAt": "yesterday"}, "invalid_field", "/signedUpAt"),
    ({"avatarUrl": "not a url"}, "invalid_field", "/avatarUrl"),
    ({"emails": [{"email": "not-an-email"}]}, "invalid_field", "/emails/0/email"),
    ({"emails": [{"email": "a@example.com", "type": "mobile"}]}, "invalid_field", "/emails/0/type"),
    ({"emails": [{"type": "home"}]}, "missing_field", "/emails/0/email"),
    ({"emails": [{"email": f"a{i}@example.com"} for i in range(11)]}, "invalid_field", "/emails"),
    ({"phones": [{"phone": "call me"}]}, "invalid_field", "/phones/0/phone"),
    ({"phones": [{"phone": "+15550100", "type": "pager"}]}, "invalid_field", "/phones/0/type"),
    ({"whatsapps": [{"phone": "+15550100", "type": "home"}]}, "invalid_field", "/whatsapps/0/type"),
    ({"externalIds": [{"externalId": "a"}, {"externalId": "a"}]}, "invalid_field", "/externalIds"),
    ({"facebookIds": [{"pageId": "p"}]}, "missing_field", "/facebookIds/0/userId"),
    ({"socials": [{"type": "myspace", "username": "a"}]}, "invalid_field", "/socials/0/type"),
    ({"urls": [{"url": "https://a.example", "type": "shop"}]}, "invalid_field", "/urls/0/type"),
    ({"locations": [{"countryCode": "GBR"}]}, "invalid_field", "/locations/0/countryCode"),
    ({"locations": [{"latitude": "51"}]}, "invalid_field", "/locations/0/latitude"),
    ({"locale": "x" * 17}, "invalid_field", "/locale"),
    ({"tags": ["bad!tag"]}, "invalid_field", "/tags/0"),
    ({"tags": ["vip", "vip"]}, "invalid_field", "/tags"),
    ({"tags": [f"t{i}" for i in range(21)]}, "invalid_field", "/tags"),
    ({"tags": ["5f0c1a2b3c4d5e6f7a8b0000"]}, "not_found", "/tags/0"),
    ({"sentiment": {"polarity": 2, "confidence": 0.5}}, "invalid_field", "/sentiment/polarity"),
    ({"sentiment": {"polarity": 1}}, "missing_field", "/sentiment/confidence"),
    ({"custom": {"loyaltyTierStr": 5}}, "invalid_attribute", "/custom/loyaltyTierStr"),
    ({"custom": {"nopeStr": "x"}}, "unknown_attribute", "/custom/nopeStr"),
    ({"gender": "x"}, "invalid_field", "/gender"),
    ({"defaultLang": "x" * 101}, "invalid_field", "/defaultLang"),
    ({"rev": "3"}, "invalid_field", "/rev"),
    ({"firstName": "Ada"}, "unknown_field", "/firstName"),
]


@pytest.mark.parametrize(("body", "code", "pointer"), INVALID_FIELDS, ids=[p for _, _, p in INVALID_FIELDS])
def test_every_documented_field_refuses_what_kustomer_refuses(api, body, code, pointer):
    before = api.get("/v1/customers").json["meta"]["total"]
    rv = api.post("/v1/customers", body)
    assert rv.status_code == (404 if code == "not_found" else 400), rv.json
    error = rv.json["errors"][0]
    assert (error["code"], error["source"]) == (code, {"pointer": pointer})
    if rv.status_code == 400:   # REST clients read the field from meta.subErrors
        assert error["meta"]["subErrors"][0]["source"] == {"pointer": pointer}
    assert api.get("/v1/customers").json["meta"]["total"] == before   # nothing half-made


def test_tag_names_find_or_create_tags_and_store_ids(api):
    created = api.created("/v1/customers", {"tags": ["vip", "Wholesale"]})
    tags = {t["attributes"]["name"]: t["id"] for t in api.get("/v1/tags").json["data"]}
    assert created["attributes"]["tags"] == [TAG, tags["Wholesale"]]
    again = api.created("/v1/customers", {"tags": ["wholesale"]})
    assert again["attributes"]["tags"] == [tags["Wholesale"]] and len(tags) == 3


@pytest.mark.parametrize(("route", "value", "miss"), [("email", "Ada@Example.com", "bob@example.com"),
                                                      ("externalId", "crm-42", "crm-4"),
                                                      ("phone", "15550100100", "+15550100999")])
def test_lookups_answer_the_single_customer_or_404(api, route, value, miss):
    created = api.created("/v1/customers", {"externalId": "crm-42", "emails": [{"email": "ada@example.com"}],
                                            "phones": [{"phone": "+1 (555) 010-0100"}, {"phone": "+15550100100"}]})
    rv = api.get(f"/v1/customers/{route}={value}")
    assert rv.status_code == 200 and rv.json["data"]["id"] == created["id"]
    missing = api.get(f"/v1/customers/{route}={miss}")
    assert missing.status_code == 404 and missing.json["errors"][0]["code"] == "not_found"


def test_shared_emails_are_not_lookups(api):
    api.created("/v1/customers", {"sharedEmails": [{"email": "family@example.com"}]})
    assert api.get("/v1/customers/email=family@example.com").status_code == 404


def test_duplicates_are_409_naming_the_existing_customer(api):
    first = api.created("/v1/customers", {"externalId": "crm-1", "emails": [{"email": "ada@example.com"}]})
    for body, pointer in (({"emails": [{"email": "ADA@example.com"}]}, "/emails"),
                          ({"externalId": "crm-1"}, "/externalId")):
        rv = api.post("/v1/customers", body)
        error = rv.json["errors"][0]
        assert (rv.status_code, error["code"], error["source"]["pointer"]) == (409, "conflict", pointer)
        assert first["id"] in error["detail"] and error["meta"]["existingId"] == first["id"]
    other = api.created("/v1/customers", {"name": "Bob"})
    rv = api.call("PATCH", f"/v1/customers/{other['id']}", json={"externalId": "crm-1"})
    assert rv.status_code == 409
    assert api.call("PATCH", f"/v1/customers/{first['id']}", json={"externalId": "crm-1"}).status_code == 200


def test_find_or_create_by_email_and_external_id_over_a_socket(live_server, key):
    """What a backend does for every contact: look up, create when missing, never lose a returning customer."""
    base, headers = live_server.url, {"Authorization": f"Bearer {key}"}

    def find_or_create(route: str, value: str, body: dict) -> tuple[str, bool]:
        rv = requests.get(f"{base}/v1/customers/{route}={value}", headers=headers, timeout=5)
        if rv.status_code == 200:
            return rv.json()["data"]["id"], False
        assert rv.status_code == 404
        rv = requests.post(f"{base}/v1/customers", json=body, headers=headers, timeout=5)
        assert rv.status_code == 201, rv.text
        return rv.json()["data"]["id"], True

    by_email = find_or_create("email", "grace@example.com", {"emails": [{"email": "grace@example.com"}]})
    assert by_email[1] is True
    assert find_or_create("email", "grace@example.com", {"emails": [{"email": "grace@example.com"}]}) == \
        (by_email[0], False)
    by_id = find_or_create("externalId", "crm-7", {"externalId": "crm-7", "name": "Grace"})
    assert by_id[1] is True and find_or_create("externalId", "crm-7", {}) == (by_id[0], False)
    # then a conversation and a message, as the integration goes on
    rv = requests.post(f"{base}/v1/conversations", json={"customer": by_id[0], "name": "Order 7"},
                       headers=headers, timeout=5)
    assert rv.status_code == 201
    rv = requests.post(f"{base}/v1/conversations/{rv.json()['data']['id']}/messages",
                       json={"channel": "email", "app": "crm", "direction": "in", "preview": "Hi"},
                       headers=headers, timeout=5)
    assert rv.status_code == 201 and rv.json()["data"]["attributes"]["preview"] == "Hi"


def test_patch_updates_the_fields_sent_and_put_replace_resets_the_rest(api):
    cid = api.created("/v1/customers", {"name": "Ada", "locale": "en_GB", "company": COMPANY,
                                        "emails": [{"email": "a@example.com"}], "custom": {"loyaltyTierStr": "gold"}})["id"]
    rv = api.call("PATCH", f"/v1/customers/{cid}", json={"phones": [{"phone": "+15550100", "type": "mobile"}],
                                                         "custom": {"newsletterBool": True}})
    attributes = rv.json["data"]["attributes"]
    assert attributes["name"] == "Ada" and attributes["phones"][0]["type"] == "mobile"
    assert attributes["custom"] == {"loyaltyTierStr": "gold", "newsletterBool": True} and attributes["rev"] == 2
    assert rv.json["data"]["relationships"]["company"]["data"]["id"] == COMPANY   # PATCH keeps the company
    rv = api.call("PUT", f"/v1/customers/{cid}", json={"name": "Ada K"})
    assert "company" not in rv.json["data"]["relationships"]   # Kustomer: omitting company on PUT unlinks it
    assert rv.json["data"]["attributes"]["locale"] == "en_GB"   # replace=false: the rest stays
    rv = api.call("PUT", f"/v1/customers/{cid}?replace=true", json={"name": "Ada L"})
    attributes = rv.json["data"]["attributes"]
    assert (attributes["name"], attributes["locale"], attributes["emails"], attributes["custom"]) == \
        ("Ada L", None, [], {})
    assert api.call("PUT", f"/v1/customers/{cid}?replace=maybe", json={}).json["errors"][0]["source"] == \
        {"parameter": "replace"}


def test_delete_erases_the_customer_and_everything_of_theirs(app, api, chat, client):
    rest = Api(client, chat.key)
    cid = chat.new_conversation()
    rest.created(f"/v1/conversations/{cid}/notes", {"body": "VIP"})
    rest.created(f"/v1/customers/{chat.customer_id}/klasses/order", {"title": "Order 1"})
    rv = rest.call("DELETE", f"/v1/customers/{chat.customer_id}")
    assert (rv.status_code, rv.get_data()) == (204, b"")
    assert rest.get(f"/v1/customers/{chat.customer_id}").status_code == 404
    assert rest.get(f"/v1/conversations/{cid}").status_code == 404
    org = org_of(app, chat.key)
    assert not org.notes and not org.kobjects and not org.messages.get(cid)
    assert chat.conversations().json["errors"][0]["code"] == "not_started"   # its chat session ended too
    assert rest.call("DELETE", f"/v1/customers/{chat.customer_id}").status_code == 404


def test_merge_moves_the_source_into_the_target(api, client, chat):
    rest = Api(client, chat.key)
    target = rest.created("/v1/customers", {"name": "Ada", "emails": [{"email": "ada@example.com"}],
                                            "custom": {"loyaltyTierStr": "gold"}})
    cid = chat.new_conversation()
    rv = rest.post("/v1/customers/merges", {"source": chat.customer_id, "target": target["id"]})
    assert rv.status_code == 201, rv.json
    merge = rv.json["data"]
    assert (merge["type"], merge["attributes"]["status"]) == ("customer_merge", "success")
    assert merge["relationships"]["source"]["data"]["id"] == chat.customer_id
    assert rest.get(f"/v1/customers/merges/{merge['id']}").json["data"] == merge
    assert [m["id"] for m in rest.get(f"/v1/customers/{target['id']}/merges").json["data"]] == [merge["id"]]
    assert rest.get(f"/v1/conversations/{cid}").json["data"]["relationships"]["customer"]["data"]["id"] == \
        target["id"]
    assert rest.get(f"/v1/customers/{chat.customer_id}").status_code == 404
    assert chat.conversations().json["conversations"][0]["conversationId"] == cid   # the session follows
    error = rest.post("/v1/customers/merges", {"source": target["id"], "target": target["id"]}).json["errors"][0]
    assert error["code"] == "conflict"


def test_describe_customer_and_rest_see_one_customer(api, chat, client):
    rest = Api(client, chat.key)
    rv = chat.call("PATCH", "/c/v1/customers/current", json={
        "attributes": {"sharedEmails": ["jane@example.com"], "sharedPhones": ["+15550100"]},
        "customAttributes": {"loyaltyTierStr": "silver"}})
    assert rv.status_code == 200 and rv.json["sharedEmails"] == ["jane@example.com"]
    attributes = rest.get(f"/v1/customers/{chat.customer_id}").json["data"]["attributes"]
    assert attributes["sharedEmails"] == [{"email": "jane@example.com", "type": "home", "verified": False}]
    assert attributes["sharedPhones"][0]["phone"] == "+15550100" and attributes["custom"]["loyaltyTierStr"] == "silver"
    rest.call("PATCH", f"/v1/customers/{chat.customer_id}", json={"custom": {"loyaltyTierStr": "gold"}})
    assert chat.call("PATCH", "/c/v1/customers/current", json={}).json["customAttributes"]["loyaltyTierStr"] == "gold"


def test_a_rest_customer_is_the_one_a_login_identifies(app, api, chat, client):
    rest = Api(client, chat.key)
    created = rest.created("/v1/customers", {"name": "Jane", "emails": [{"email": "old@example.com"},
                                                                         {"email": "jane@example.com"}]})
    from mock_server.domain.identity import make_login_token
    token = make_login_token(org_of(app, chat.key).chat_secret, email="JANE@example.com",
                             iat=clock_of(app).timestamp())
    rv = chat.call("POST", "/c/v1/identity", json={"jwtToken": token})
    assert rv.status_code == 200, rv.json
    assert rv.json["customerId"] == created["id"]

"""Login with a JWT (login, logout, isLoggedIn) through the real /c/ routes, on a frozen mock clock."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest

from mock_server.domain.identity import make_login_token
from mock_server.testing.appcalls import Chat, clock_of, org_of

pytestmark = pytest.mark.private_app   # freezes the clock: login tokens are checked on the mock clock

SECRET = "kustomer-mock-chat-secret"   # the default org's chatSecret (fixtures/org.yaml)
NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
T = int(NOW.timestamp())


def b64(data: bytes) -> str:
    """base64url without padding, as JWTs write segments."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(payload, secret: str = SECRET, alg: str = "HS256", header: dict | None = None) -> str:
    """A JWT built by hand, so the verifier is not tested with its own encoder."""
    head = b64(json.dumps(header or {"alg": alg, "typ": "JWT"}).encode())
    body = b64(payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}.get(alg)
    signature = b64(hmac.new(secret.encode(), f"{head}.{body}".encode(), digest).digest()) if digest else ""
    return f"{head}.{body}.{signature}"


@pytest.fixture
def clock(app):
    """The mock clock, frozen at NOW."""
    clock = clock_of(app)
    clock.freeze(NOW)
    return clock


@pytest.fixture
def org(app, chat):
    """The org of the chat fixture's key."""
    return org_of(app, chat.key)


def login(chat: Chat, token, **options):
    """Kustomer.login({jwtToken, ...})."""
    return chat.call("POST", "/c/v1/identity", json={"jwtToken": token, **options})


def is_logged_in(chat: Chat, **query):
    """Kustomer.isLoggedIn({email}|{externalId})."""
    return chat.call("GET", "/c/v1/identity", query_string=query)


BAD_TOKENS = [
    ("not_a_jwt", lambda: "not-a-jwt", 401, "jwt_malformed"),
    ("two_segments", lambda: "eyJhbGciOiJIUzI1NiJ9.eyJ9", 401, "jwt_malformed"),
    ("garbage_segments", lambda: "!!!.###.$$$", 401, "jwt_malformed"),
    ("empty", lambda: "", 401, "jwt_malformed"),
    ("payload_not_json", lambda: sign(b"not json"), 401, "jwt_malformed"),
    ("payload_an_array", lambda: sign([{"email": "a@b.c"}]), 401, "jwt_malformed"),
    ("wrong_secret", lambda: sign({"email": "a@b.c", "iat": T}, secret="another-secret"), 401, "jwt_bad_signature"),
    ("tampered_payload", lambda: sign({"email": "a@b.c", "iat": T}).split(".")[0] + "."
     + b64(json.dumps({"email": "boss@b.c", "iat": T}).encode()) + "."
     + sign({"email": "a@b.c", "iat": T}).split(".")[2], 401, "jwt_bad_signature"),
    ("alg_none", lambda: sign({"email": "a@b.c", "iat": T}, alg="none"), 401, "jwt_alg_not_allowed"),
    ("alg_none_uppercase", lambda: sign({"email": "a@b.c", "iat": T}, header={"alg": "NONE"}), 401,
     "jwt_alg_not_allowed"),
    ("alg_missing", lambda: sign({"email": "a@b.c", "iat": T}, header={"typ": "JWT"}), 401, "jwt_alg_not_allowed"),
    ("alg_hs384", lambda: sign({"email": "a@b.c", "iat": T}, alg="HS384"), 401, "jwt_alg_not_allowed"),
    ("alg_hs512", lambda: sign({"email": "a@b.c", "iat": T}, alg="HS512"), 401, "jwt_alg_not_allowed"),
    ("no_identity", lambda: sign({"iat": T}), 401, "jwt_missing_identity"),
    ("empty_identity", lambda: sign({"email": "", "externalId": " ", "iat": T}), 401, "jwt_missing_identity"),
    ("email_not_a_string", lambda: sign({"email": 42, "iat": T}), 401, "jwt_invalid_claim"),
    ("external_id_a_boolean", lambda: sign({"externalId": True, "iat": T}), 401, "jwt_invalid_claim"),
    ("external_id_an_object", lambda: sign({"externalId": {"id": 1}, "iat": T}), 401, "jwt_invalid_claim"),
    ("no_iat", lambda: sign({"email": "a@b.c"}), 401, "jwt_missing_iat"),
    ("iat_a_string", lambda: sign({"email": "a@b.c", "iat": str(T)}), 401, "jwt_invalid_claim"),
    # NaN compares false both ways, so it would pass every age check: only standard JSON is read
    ("iat_nan", lambda: sign(b'{"email": "a@b.c", "iat": NaN}'), 401, "jwt_malformed"),
    ("iat_infinite", lambda: sign(b'{"email": "a@b.c", "iat": 1e400}'), 401, "jwt_malformed"),
    ("iat_15_minutes_old", lambda: sign({"email": "a@b.c", "iat": T - 900}), 401, "jwt_stale_iat"),
    ("iat_a_day_old", lambda: sign({"email": "a@b.c", "iat": T - 86400}), 401, "jwt_stale_iat"),
    ("exp_passed", lambda: sign({"email": "a@b.c", "iat": T - 10, "exp": T - 1}), 401, "jwt_stale_iat"),
    ("iat_in_the_future", lambda: sign({"email": "a@b.c", "iat": T + 61}), 401, "jwt_future_iat"),
    ("iat_far_in_the_future", lambda: sign({"email": "a@b.c", "iat": T + 86400}), 401, "jwt_future_iat"),
    ("too_long", lambda: sign({"email": "a@b.c", "iat": T, "pad": "x" * 5000}), 400, "value_too_long"),
]


@pytest.mark.parametrize(("case", "make", "status", "code"), BAD_TOKENS, ids=[c[0] for c in BAD_TOKENS])
def test_bad_tokens_are_refused_with_their_own_code(clock, chat, org, case, make, status, code):
    conversation_id = chat.new_conversation()
    rv = login(chat, make())
    assert rv.status_code == status, rv.json
    assert rv.json["errors"][0]["code"] == code
    assert rv.json["errors"][0]["source"] == {"pointer": "/jwtToken"}
    # nothing moved, nobody identified
    assert org.conversations[conversation_id].customer_id == chat.customer_id
    assert org.customers[chat.customer_id].anonymous is True
    assert "onLogin" not in org.events.names()


@pytest.mark.parametrize(("options", "status", "code"), [
    ({}, 400, "missing_field"),
    ({"jwtToken": 12}, 400, "invalid_field"),
    ({"jwtToken": "x", "brandId": "nope"}, 400, "invalid_field"),
    ({"jwtToken": "x", "extra": 1}, 400, "unknown_field"),
])
def test_login_options_are_checked(chat, options, status, code):
    rv = chat.call("POST", "/c/v1/identity", json=options)
    assert rv.status_code == status
    assert rv.json["errors"][0]["code"] == code


@pytest.mark.parametrize(("iat", "status"), [
    (T - 899, 200),   # 14:59 old: still fresh
    (T, 200),
    (T + 60, 200),    # within the allowed clock skew
    (T + 61, 401),
])
def test_iat_window_on_the_mock_clock(clock, chat, iat, status):
    assert login(chat, sign({"email": "window@example.com", "iat": iat})).status_code == status


def test_the_window_follows_the_mock_clock_not_the_wall(clock, chat):
    token = sign({"email": "later@example.com", "iat": T})
    clock.advance(15 * 60)
    assert login(chat, token).json["errors"][0]["code"] == "jwt_stale_iat"


def test_a_good_token_identifies_the_customer_and_moves_the_anonymous_conversation(clock, chat, org):
    anonymous = chat.customer_id
    conversation_id = chat.new_conversation("Where is my order?")
    rv = login(chat, make_login_token(SECRET, email="new.person@example.com", iat=T))
    assert rv.status_code == 200
    answer = rv.json
    assert answer == {"identified": True, "customerId": answer["customerId"], "email": "new.person@example.com",
                      "externalId": None}
    assert answer["customerId"] != anonymous
    customer = org.customers[answer["customerId"]]
    assert customer.anonymous is False and customer.email == "new.person@example.com"
    # the same tracking token now speaks for the identified customer, with the history
    listed = [c["conversationId"] for c in chat.conversations().json["conversations"]]
    assert listed == [conversation_id]
    assert org.conversations[conversation_id].customer_id == customer.id
    assert all(m.customer_id == customer.id for m in org.messages[conversation_id])
    assert chat.messages(conversation_id).status_code == 200
    assert chat.send_message(conversation_id, body="still me").status_code == 201
    assert ("onLogin", answer) in [(e.name, e.payload) for e in org.events.since(0)]


def test_login_finds_an_existing_customer_by_email_case_insensitively(clock, chat, org):
    seeded = next(c for c in org.customers.values() if not c.anonymous)
    before = {c.id for c in org.conversations_of(seeded.id)}
    new_id = chat.new_conversation()
    rv = login(chat, make_login_token(SECRET, email=seeded.email.upper(), iat=T))
    assert rv.json["customerId"] == seeded.id
    assert rv.json["externalId"] == seeded.external_id
    listed = {c["conversationId"] for c in chat.conversations().json["conversations"]}
    assert listed == before | {new_id}


def test_email_beats_external_id(clock, chat, org):
    first, second = [c for c in org.customers.values() if not c.anonymous][:2]
    token = make_login_token(SECRET, email=first.email, external_id=second.external_id, iat=T)
    assert login(chat, token).json["customerId"] == first.id


def test_external_id_alone_finds_the_customer(clock, chat, org):
    seeded = [c for c in org.customers.values() if not c.anonymous][1]
    rv = login(chat, make_login_token(SECRET, external_id=seeded.external_id, iat=T))
    assert rv.json["customerId"] == seeded.id and rv.json["email"] == seeded.email


def test_a_numeric_external_id_is_taken_as_a_string_across_devices(clock, client, chat):
    first = login(chat, sign({"externalId": 48151623, "iat": T})).json
    assert first["externalId"] == "48151623" and first["email"] is None
    laptop_conversation = chat.new_conversation()
    phone = Chat(client, chat.key)
    phone.start()
    again = login(phone, sign({"externalId": "48151623", "iat": T})).json
    assert again["customerId"] == first["customerId"]
    assert laptop_conversation in [c["conversationId"] for c in phone.conversations().json["conversations"]]


def test_a_second_login_as_someone_else_moves_nothing(clock, chat, org):
    alice = login(chat, make_login_token(SECRET, email="alice@example.com", iat=T)).json
    alices = chat.new_conversation()
    bob = login(chat, make_login_token(SECRET, email="bob@example.com", iat=T)).json
    assert bob["customerId"] != alice["customerId"]
    assert org.conversations[alices].customer_id == alice["customerId"]
    assert chat.conversations().json["conversations"] == []


def test_login_before_start_is_not_started(clock, client, key):
    rv = Chat(client, key).call("POST", "/c/v1/identity", json={"jwtToken": sign({"email": "a@b.c", "iat": T})})
    assert rv.status_code == 401 and rv.json["errors"][0]["code"] == "not_started"


def test_login_with_an_unknown_brand_changes_nothing(clock, chat, org):
    conversation_id = chat.new_conversation()
    rv = login(chat, sign({"email": "a@b.c", "iat": T}), brandId="0" * 24)
    assert rv.status_code == 404 and rv.json["errors"][0]["source"] == {"pointer": "/brandId"}
    assert org.conversations[conversation_id].customer_id == chat.customer_id
    assert not [c for c in org.customers.values() if c.email == "a@b.c"]


def test_login_passes_brand_and_assistant_to_the_session(clock, chat, org):
    brand = org.brands[1]["id"]
    assistant = org.assistants[0]["id"]
    assert login(chat, sign({"email": "a@b.c", "iat": T}), brandId=brand, assistantId=assistant).status_code == 200
    assert org.tokens[chat.token]["brandId"] == brand
    assert org.tokens[chat.token]["assistantId"] == assistant


def test_each_org_checks_its_own_secret(clock, client, app):
    acme = Chat(client, "acme-chat-key")
    acme.start()
    secret = org_of(app, "acme-chat-key").chat_secret
    described = client.get("/__admin/orgs/acme-chat-key").json["chatSecret"]
    assert described == secret
    assert login(acme, make_login_token(secret, email="a@b.c", iat=T)).status_code == 200


def test_is_logged_in(clock, chat):
    assert is_logged_in(chat, email="carol@example.com").json == {"loggedIn": False}
    login(chat, make_login_token(SECRET, email="carol@example.com", external_id="c-1", iat=T))
    assert is_logged_in(chat, email="Carol@Example.com").json == {"loggedIn": True}
    assert is_logged_in(chat, email="dave@example.com").json == {"loggedIn": False}
    # email won at login, so the customer carries no external id
    assert is_logged_in(chat, externalId="c-1").json == {"loggedIn": False}


def test_is_logged_in_by_external_id_and_without_a_session(clock, client, chat):
    login(chat, sign({"externalId": 7, "iat": T}))
    assert is_logged_in(chat, externalId="7").json == {"loggedIn": True}
    stranger = Chat(client, chat.key)
    assert is_logged_in(stranger, externalId="7").json == {"loggedIn": False}


@pytest.mark.parametrize(("query", "code"), [({}, "missing_field"), ({"emial": "x"}, "unknown_field")])
def test_is_logged_in_needs_one_identity(chat, query, code):
    rv = is_logged_in(chat, **query)
    assert rv.status_code == 400 and rv.json["errors"][0]["code"] == code


def test_logout_ends_the_session(clock, chat, org):
    identified = login(chat, make_login_token(SECRET, email="erin@example.com", iat=T)).json["customerId"]
    rv = chat.call("DELETE", "/c/v1/identity")
    assert rv.status_code == 200 and rv.json == {"loggedOut": True, "customerId": identified}
    assert ("onLogout", rv.json) in [(e.name, e.payload) for e in org.events.since(0)]
    assert chat.conversations().json["errors"][0]["code"] == "not_started"
    assert is_logged_in(chat, email="erin@example.com").json == {"loggedIn": False}
    assert chat.call("DELETE", "/c/v1/identity").json == {"loggedOut": False, "customerId": None}
    # the next start, without a token, is a new anonymous customer; the history stays on erin
    chat.token = None
    assert chat.start().json["customerId"] not in (identified,)
    assert org.customers[chat.customer_id].anonymous is True
    assert org.customers[identified].anonymous is False


def test_make_login_token_needs_an_identity():
    with pytest.raises(ValueError):
        make_login_token(SECRET)

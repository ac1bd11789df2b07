"""Orgs by API key: lazy, isolated, reset per org, deterministic from the seed."""
from __future__ import annotations

import json

from mock_server import create_app
from mock_server.domain.clock import parse_iso
from mock_server.domain.models import plain
from mock_server.state import get_state
from mock_server.testing.appcalls import Chat


def _state(app):
    return get_state(app)


def test_two_keys_never_see_each_other(client):
    a, b = Chat(client, "iso-a"), Chat(client, "iso-b")
    a.start(), b.start()
    cid = a.new_conversation()
    assert b.call("GET", f"/c/v1/chat/sessions/{cid}").status_code == 404
    # a tracking token of org A is not a token in org B
    b_with_a_token = Chat(client, "iso-b", token=a.token)
    assert b_with_a_token.conversations().json["errors"][0]["code"] == "not_started"


def test_reset_one_org_leaves_the_other_untouched(client):
    a, b = Chat(client, "reset-a"), Chat(client, "reset-b")
    a.start(), b.start()
    a.new_conversation(), b.new_conversation()
    assert client.post("/__admin/reset?org=reset-a").json == {"reset": "org", "org": "reset-a"}
    assert a.conversations().json["errors"][0]["code"] == "not_started"
    assert b.conversations().json["total"] >= 1


def test_reset_all(client):
    a = Chat(client, "reset-all")
    a.start()
    assert client.post("/__admin/reset").json == {"reset": "all", "org": None}
    assert a.conversations().status_code == 401


def test_fixture_keys_share_one_org_with_roles(client):
    chat_key = client.get("/__admin/orgs/acme-chat-key").json
    rest_key = client.get("/__admin/orgs/acme-rest-key").json
    assert chat_key["name"] == rest_key["name"] == "acme-split"
    assert chat_key["roles"] == ["org.tracking"]
    assert "org.admin" in rest_key["roles"]


def test_the_same_seed_gives_the_same_org_byte_for_byte():
    def org_dump(seed):
        app = create_app({"SEED": seed})
        _state(app).clock.freeze(parse_iso("2030-01-02T03:04:05.000Z"))
        org = _state(app).store.org("same-key")
        return json.dumps([[plain(c) for c in org.customers.values()],
                           [plain(c) for c in org.conversations.values()],
                           [[plain(m) for m in ms] for ms in org.messages.values()]], sort_keys=True)
    assert org_dump(7) == org_dump(7)
    assert org_dump(7) != org_dump(8)


def test_different_keys_get_different_ids(app):
    store = _state(app).store
    assert set(store.org("k-one").customers).isdisjoint(store.org("k-two").customers)


def test_seed_customers_have_past_conversations(app):
    org = _state(app).store.org("seeded")
    assert len(org.customers) == 4
    assert all(not c.anonymous and "@" in c.email for c in org.customers.values())
    assert org.conversations and all(org.messages[c] for c in org.conversations)

"""Every write of every surface goes through the org, which announces it: what webhooks (and a second store) see."""
from __future__ import annotations

import itertools

import pytest

from mock_server import create_app
from mock_server.state import get_state
from mock_server.testing.inprocess import InProcessOrg

USER = "5f0c1a2b3c4d5e6f7a8b9e01"
_keys = itertools.count(1)


@pytest.fixture(scope="module")
def app():
    """One app for the module: each test has an org of its own."""
    return create_app({"TESTING": True})


@pytest.fixture
def org(app):
    """A fresh org, spoken to in process, whose writes are heard."""
    return InProcessOrg(app, f"writes-{next(_keys)}")


@pytest.fixture
def heard(app, org):
    """(kind, record id, created) of every write announced in this test's org, in order."""
    found: list[tuple] = []

    def listen(written, kind, record, before):
        if written.name == org.key:
            found.append((kind, record["id"] if isinstance(record, dict) else record.id, before is None))
    get_state(app).store.add_listener(listen)
    return found


def _customer(org) -> str:
    return org.call("POST", "/v1/customers", {"name": "Ada", "emails": [{"email": f"{org.key}@example.com"}]}
                    )["data"]["id"]


def _conversation(org, customer_id: str) -> str:
    return org.call("POST", "/v1/conversations", {"customer": customer_id, "name": "Order"})["data"]["id"]


def test_rest_creates_are_announced_as_created(org, heard):
    customer_id = _customer(org)
    conversation_id = _conversation(org, customer_id)
    message_id = org.call("POST", f"/v1/conversations/{conversation_id}/messages",
                          {"channel": "email", "app": "postmark", "direction": "in", "preview": "hi"})["data"]["id"]
    note_id = org.call("POST", f"/v1/conversations/{conversation_id}/notes", {"body": "vip"})["data"]["id"]
    kobject_id = org.call("POST", f"/v1/customers/{customer_id}/klasses/order",
                          {"title": "Order 1", "custom": {"orderNumberStr": "1"}})["data"]["id"]
    team_id = org.call("POST", "/v1/teams", {"name": "Night shift"})["data"]["id"]
    created = {(kind, record_id) for kind, record_id, new in heard if new}
    assert {("customer", customer_id), ("conversation", conversation_id), ("message", message_id),
            ("note", note_id), ("kobject", kobject_id), ("team", team_id)} <= created


@pytest.mark.parametrize("kind, method, path, body", [
    ("customer", "PUT", "/v1/customers/{customer}", {"name": "Ada L."}),
    ("customer", "PATCH", "/v1/customers/{customer}", {"locale": "fr"}),
    ("conversation", "PATCH", "/v1/conversations/{conversation}", {"status": "done"}),
    ("conversation", "PUT", "/v1/conversations/{conversation}", {"priority": 3}),
    ("conversation", "POST", "/v1/conversations/{conversation}/tags", ["vip"]),
    ("user", "PUT", f"/v1/users/{USER}", {"displayName": "Alex R."}),
])
def test_rest_updates_are_announced_with_what_came_before(org, heard, kind, method, path, body):
    customer_id = _customer(org)
    ids = {"customer": customer_id, "conversation": _conversation(org, customer_id)}
    heard.clear()
    org.call(method, path.format(**ids), body)
    updated = [(k, record_id) for k, record_id, new in heard if not new]
    assert (kind, ids.get(kind, USER)) in updated


def test_chat_writes_are_announced(org, heard):
    customer = org.customer()
    conversation = customer.create_conversation("Where is my order?")
    heard.clear()
    customer.call("PATCH", f"/c/v1/chat/sessions/{conversation['conversationId']}",
                  {"customAttributes": {"orderNumberStr": "42"}})
    customer.call("PATCH", "/c/v1/customers/current", {"attributes": {"sharedEmails": ["ada@example.com"]}})
    assert [kind for kind, _, new in heard if not new] == ["conversation", "customer"]


def test_a_tag_made_by_name_is_announced_once_as_created(org, heard):
    conversation_id = _conversation(org, _customer(org))
    heard.clear()
    org.call("POST", f"/v1/conversations/{conversation_id}/tags", ["brand-new-tag"])
    assert [(kind, new) for kind, _, new in heard] == [("tag", True), ("conversation", False)]

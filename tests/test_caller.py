"""The caller is resolved once per request: the key is read once, whatever the pipeline's steps ask."""
from __future__ import annotations

from mock_server import caller
from mock_server.testing.appcalls import Api


def _counting(monkeypatch, owner, name: str) -> list:
    """Wrap owner.name so each call is counted (and still answered by the real function)."""
    calls, real = [], getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)
    monkeypatch.setattr(owner, name, counted)
    return calls


def test_get_conversation_resolves_the_key_once(client, chat, monkeypatch):
    api = Api(client, chat.key)
    customer = api.created("/v1/customers", {"name": "Ada"})["id"]
    conversation = api.customer_conversation(customer, name="Late parcel")
    keys = _counting(monkeypatch, caller, "resolve_key")

    response = api.get(f"/v1/conversations/{conversation}")

    assert response.status_code == 200 and response.json["data"]["id"] == conversation
    assert len(keys) == 1   # read by security, faults, stubs, the role guard, the view and the journal


def test_the_journal_and_the_role_guard_read_the_same_caller(client, chat):
    """The journal's org is the key the guard checked: one resolution feeds both."""
    api = Api(client, chat.key)
    assert api.get("/v1/customers").status_code == 200
    entry = client.get("/__admin/requests", query_string={"operation": "getCustomers"}).json["requests"][-1]
    assert (entry["org"], entry["operation"], entry["status"]) == (chat.key, "getCustomers", 200)


def test_get_conversation_names_the_org_once(client, chat, monkeypatch):
    """The caller step names the key's org; the store is handed that name instead of working it out again."""
    from mock_server.domain.fixtures import Fixtures
    api = Api(client, chat.key)
    conversation = api.customer_conversation(api.created("/v1/customers", {"name": "Ada"})["id"])
    names = _counting(monkeypatch, Fixtures, "org_name")

    assert api.get(f"/v1/conversations/{conversation}").status_code == 200
    assert len(names) == 1

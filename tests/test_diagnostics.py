"""Integration warnings: the fake SDK reports a misuse, the mock keeps it per org and lists it."""
from __future__ import annotations

import pytest


def _report(client, key, headers=None, **body):
    return client.post("/c/v1/diagnostics", json=body, headers={"Authorization": f"Bearer {key}", **(headers or {})})


def test_a_warning_is_kept_per_org_and_listed(client, key):
    rv = _report(client, key, method="createConversation", reason="called before start finished",
                 pageUrl="http://localhost:3000/checkout")
    assert rv.status_code == 201
    assert rv.json["id"] == 1 and rv.json["customerId"] is None and rv.json["sdk"] == "widget"
    listed = client.get(f"/__admin/orgs/{key}/sdk-warnings").json
    assert listed["total"] == 1
    assert listed["warnings"][0]["reason"] == "called before start finished"
    assert client.get("/__admin/orgs/another-key/sdk-warnings").json == {"warnings": [], "total": 0}


def test_a_warning_from_a_started_page_names_the_customer(client, chat):
    rv = _report(client, chat.key, headers={"x-kustomer-tracking-token": chat.token}, method="start",
                 reason="start was called twice; the second call is ignored", sdk="widget")
    assert rv.json["customerId"] == chat.customer_id


def test_a_stale_token_does_not_lose_the_warning(client, key):
    rv = _report(client, key, headers={"x-kustomer-tracking-token": "gone"}, method="open", reason="called after stop")
    assert rv.status_code == 201 and rv.json["customerId"] is None


def test_clearing_and_reset_forget_the_warnings(client, key):
    _report(client, key, method="a", reason="b")
    assert client.delete(f"/__admin/orgs/{key}/sdk-warnings").json == {"cleared": 1}
    _report(client, key, method="a", reason="b")
    client.post(f"/__admin/reset?org={key}")
    assert client.get(f"/__admin/orgs/{key}/sdk-warnings").json["total"] == 0


@pytest.mark.parametrize(("body", "code", "pointer"), [
    ({"reason": "r"}, "missing_field", "/method"),
    ({"method": "m"}, "missing_field", "/reason"),
    ({"method": "", "reason": "r"}, "invalid_field", "/method"),
    ({"method": "m", "reason": "r", "sdk": "mobile"}, "invalid_field", "/sdk"),
    ({"method": "m", "reason": "r", "pageUrl": "x" * 2001}, "invalid_field", "/pageUrl"),
])
def test_bad_reports_are_refused(client, key, body, code, pointer):
    rv = _report(client, key, **body)
    assert rv.status_code == 400
    assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]["pointer"]) == (code, pointer)


def test_a_report_needs_the_key(client):
    rv = client.post("/c/v1/diagnostics", json={"method": "m", "reason": "r"})
    assert rv.status_code == 401


@pytest.mark.private_app
def test_the_journal_names_the_operation_sdk_warning(client, key):
    _report(client, key, method="removeListener", reason="never added")
    rv = client.get("/__admin/requests", query_string={"operation": "sdkWarning"})
    assert [r["operation"] for r in rv.json["requests"]] == ["sdkWarning"]

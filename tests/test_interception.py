"""In-process interception: requests and httpx calls to Kustomer's hosts answered by the mock, no server."""
from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
import requests

import mock_server
from mock_server.testing.interception import KUSTOMER_HOSTS

ACME = "https://acme.api.kustomerapp.com"
AUTH = {"Authorization": "Bearer acme-backend-key"}


def test_a_requests_and_an_httpx_call_are_answered_in_process_and_journaled():
    with mock_server.intercept() as mock:
        by_requests = requests.get(f"{ACME}/v1/customers", headers=AUTH, timeout=5)
        by_httpx = httpx.get(f"{ACME}/v1/customers", headers=AUTH, params={"pageSize": 2})
    assert by_requests.status_code == by_httpx.status_code == 200
    assert by_httpx.json()["meta"]["pageSize"] == 2 and by_requests.json()["data"]
    entries = mock.requests(operation="getCustomers")
    assert [(e["org"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("acme-backend-key", "/v1/customers", {}, 200), ("acme-backend-key", "/v1/customers", {"pageSize": "2"}, 200)]


@pytest.mark.parametrize(("url", "routed"), [
    ("https://acme.api.kustomerapp.com/v1/customers", True),
    ("https://api.kustomerapp.com/v1/customers", True),
    ("https://api.prod2.kustomerapp.com/v1/customers", True),
    ("https://api.prod4.kustomerapp.com/c/v1/chat/settings", True),
    ("https://acme.api.prod2.kustomerapp.com", True),
    ("https://cdn.kustomerapp.com/chat-web/widget.js", False),
    ("https://acme.kustomerapp.com/app", False),
    ("https://api.kustomerapp.com.example.test/v1", False),
    ("http://127.0.0.1:7700/v1/customers", False),
])
def test_which_hosts_are_routed(url, routed):
    assert bool(KUSTOMER_HOSTS.match(url)) is routed


def test_other_hosts_go_through(live_server):
    with mock_server.intercept() as mock:
        assert requests.get(f"{live_server.url}/__admin/health", timeout=5).json()["status"] == "ok"
        assert httpx.get(f"{live_server.url}/__admin/health").json()["status"] == "ok"
    assert mock.requests() == []


def test_as_a_decorator_with_a_key_and_with_an_async_client():
    seen = {}

    @mock_server.intercept(key="decorated-key")
    def backend_code():
        async def fetch():
            async with httpx.AsyncClient(base_url=ACME) as client:
                return await client.get("/v1/auth/tokens/current", headers=AUTH)
        # a thread of its own: Playwright's sync API may hold a running loop on this worker's main thread
        worker = threading.Thread(target=lambda: seen.update(answer=asyncio.run(fetch())))
        worker.start()
        worker.join(timeout=30)

    backend_code()
    assert seen["answer"].status_code == 200


def test_a_bare_decorator_works_too():
    @mock_server.intercept
    def backend_code():
        return requests.get(f"{ACME}/v1/auth/tokens/current", headers=AUTH, timeout=5).status_code

    assert backend_code() == 200


def test_faults_stubs_and_helpers_work_in_process():
    with mock_server.intercept() as mock:
        org = mock.org("acme-backend-key")
        org.faults.add(match={"operation": "getCustomers"}, drop="reset", times=1)
        org.faults.add(match={"operation": "getCustomers"}, drop="hang", times=1)
        org.faults.add(match={"operation": "getCustomers"}, drop="reset", times=1)
        org.faults.add(match={"operation": "getCustomers"}, respond={"status": 503}, times=1)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{ACME}/v1/customers", headers=AUTH, timeout=5)
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{ACME}/v1/customers", headers=AUTH)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{ACME}/v1/customers", headers=AUTH)
        assert requests.get(f"{ACME}/v1/customers", headers=AUTH, timeout=5).status_code == 503
        org.stub("getCustomers", body={"data": [], "meta": {"total": 0}})
        assert httpx.get(f"{ACME}/v1/customers", headers=AUTH).json() == {"data": [], "meta": {"total": 0}}
        conversation = org.customer().create_conversation("Where is my parcel?")["conversationId"]
        found = requests.get(f"{ACME}/v1/conversations/{conversation}", headers=AUTH, timeout=5)
        assert found.json()["data"]["id"] == conversation
        assert [e["status"] for e in org.requests("getCustomers")] == [None, None, None, 503, 200]
        org.assert_called("getConversationV1", times=1, status=200)


def test_the_fixture_answers_as_this_tests_org(kustomer_mock_intercept):
    answer = requests.post(f"{ACME}/v1/customers", json={"name": "Jane Doe"}, headers=AUTH, timeout=5)
    assert answer.status_code == 201
    created = kustomer_mock_intercept.assert_called("createCustomer", times=1, status=201, name="Jane Doe")
    assert created[0]["org"] == kustomer_mock_intercept.key


def test_a_chunked_upload_and_calls_from_threads_are_answered():
    from concurrent.futures import ThreadPoolExecutor
    chunks = (part for part in (b'{"name": ', b'"Chunked Customer"}'))
    with mock_server.intercept() as mock:
        created = requests.post(f"{ACME}/v1/customers", data=chunks, timeout=5,
                                headers={**AUTH, "Content-Type": "application/json"})
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(
                lambda _: requests.get(f"{ACME}/v1/customers", headers=AUTH, timeout=5).status_code, range(20)))
    assert created.status_code == 201 and created.json()["data"]["attributes"]["name"] == "Chunked Customer"
    assert statuses == [200] * 20 and len(mock.requests(operation="getCustomers")) == 20

"""The Python client of the control API, against a real server."""
from __future__ import annotations

import pytest
import requests

from mock_server import create_app
from mock_server.client import AdminError, MockClient
from mock_server.serving import ServerThread


@pytest.fixture
def admin(server):
    """A client of the served mock with no faults, an empty journal and a running clock."""
    client = MockClient(server.url)
    client.clear_faults(), client.clear_requests(), client.resume(), client.reset()
    return client


def _start(url, key):
    return requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"}, timeout=5)


def test_health_and_url_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("KUSTOMER_MOCK_URL", server.url + "/")
    client = MockClient()
    assert client.url == server.url and client.health()["status"] == "ok"
    monkeypatch.delenv("KUSTOMER_MOCK_URL")
    assert MockClient().url == "http://127.0.0.1:7700"


def test_faults_add_list_remove_clear(admin, server):
    rule = admin.add_fault(match={"operation": "start"}, respond={"status": 503}, times=1)
    assert admin.faults() == [rule]
    assert _start(server.url, "client-key").status_code == 503
    assert admin.faults()[0]["hits"] == 1
    assert admin.remove_fault(rule["id"])["id"] == rule["id"]
    admin.add_fault({"drop": "malformed"})
    assert admin.clear_faults() == 1 and admin.faults() == []


def test_a_fault_for_a_with_block(admin, server):
    with admin.fault(match={"operation": "start"}, respond={"status": 500}):
        assert _start(server.url, "with-key").status_code == 500
    assert _start(server.url, "with-key").status_code == 200 and admin.faults() == []


def test_scenarios_by_name_and_from_a_local_file(admin, tmp_path):
    assert "chat-outage" in {s["name"] for s in admin.scenarios()}
    assert admin.load_scenario("chat-outage")[0]["scenario"] == "chat-outage"
    file = tmp_path / "mine.yaml"
    file.write_text("description: mine\nfaults:\n  - {match: {operation: start}, drop: empty}\n")
    assert admin.load_scenario(str(file))[0]["scenario"] == "mine"
    assert len(admin.faults()) == 2


def test_journal_with_filters(admin, server):
    _start(server.url, "journal-a"), _start(server.url, "journal-b")
    page = admin.requests(org="journal-b")
    assert page["total"] == 1 and page["requests"][0]["operation"] == "start"
    assert admin.requests(status="2xx", limit=1)["total"] == 2
    assert admin.clear_requests() == 2 and admin.requests()["total"] == 0


def test_clock(admin):
    assert admin.freeze("2030-01-02T03:04:05Z")["now"] == "2030-01-02T03:04:05.000Z"
    assert admin.advance(60)["now"] == "2030-01-02T03:05:05.000Z"
    assert admin.clock()["frozen"] is True and admin.resume()["frozen"] is False


def test_settings_and_org(admin):
    settings = admin.settings("settings-key", availability="offline", start_delay_ms=10,
                              allow_end_conversation=False)
    assert (settings["availability"], settings["startDelayMs"], settings["allowEndConversation"]) == (
        "offline", 10, False)
    assert admin.org("settings-key")["availability"] == "offline"


def test_state_round_trip(admin, server):
    _start(server.url, "state-a")
    document = admin.export_state()
    admin.reset()
    assert admin.import_state(document)["imported"] == 1
    assert [o["name"] for o in admin.export_state()["orgs"]] == ["state-a"]


def test_errors_carry_status_and_code(admin):
    with pytest.raises(AdminError) as caught:
        admin.add_fault(respond={"status": 200})
    assert caught.value.status == 400 and caught.value.code == "invalid_field"
    assert "/respond/status" in str(caught.value.body)
    with pytest.raises(AdminError) as caught:
        admin.save_state()
    assert caught.value.code == "no_state_file"


def test_an_unreachable_mock_is_a_clear_error():
    with pytest.raises(AdminError, match="cannot reach the mock at http://127.0.0.1:9"):
        MockClient("http://127.0.0.1:9", timeout=2).health()


def test_the_admin_token_is_sent(monkeypatch):
    with ServerThread(create_app({"ADMIN_TOKEN": "s3cret"}), kind="werkzeug") as guarded:
        with pytest.raises(AdminError) as caught:
            MockClient(guarded.url).faults()
        assert caught.value.status == 401
        assert MockClient(guarded.url, admin_token="s3cret").faults() == []
        monkeypatch.setenv("KUSTOMER_MOCK_ADMIN_TOKEN", "s3cret")
        assert MockClient(guarded.url).faults() == []

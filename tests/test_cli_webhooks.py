"""kustomer-mock webhooks list | log [--follow] | redeliver, against a real server and a real receiver."""
from __future__ import annotations

import json
import time

import requests

from mock_server.client import MockClient
from mock_server.testing import WebhookReceiver

from .test_cli_admin import run  # noqa: F401 (the fixture: a clean mock, main([...]) with --url)

KEY = "cli-webhooks-key"


def _logged(client: MockClient, count: int) -> list[dict]:
    deadline = time.monotonic() + 10
    while len(client.deliveries(org=KEY)["deliveries"]) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return client.deliveries(org=KEY)["deliveries"]


def test_list_log_follow_and_redeliver(run, server, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COLUMNS", "160")   # tables fit the terminal: give this one a known width
    client = MockClient(server.url)
    with WebhookReceiver() as receiver:
        receiver.token = "cli-secret-123"
        webhook = client.add_webhook(KEY, receiver.url, ["kustomer.customer.create"], token=receiver.token)
        code, out = run("webhooks", "list", "--org", KEY)
        assert code == 0 and out.splitlines()[0].split() == ["ORG", "ID", "NAME", "URL", "ENABLED", "EVENTS", "PENDING"]
        assert webhook["id"] in out.splitlines()[1]
        requests.post(f"{server.url}/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {KEY}"}, timeout=5)
        event = receiver.wait_for("kustomer.customer.create")
        _logged(client, 1)
        code, out = run("webhooks", "log", "--org", KEY, "--json")
        attempts = json.loads(out)["deliveries"]
        assert code == 0 and [(a["eventId"], a["status"], a["outcome"]) for a in attempts] == [
            (event.id, 200, "delivered")]
        code, out = run("webhooks", "redeliver", KEY, event.id)
        assert (code, out.strip()) == (0, f"queued 1 delivery(ies) of {event.id}")
        assert receiver.wait_for("kustomer.customer.create").body == event.body
        _logged(client, 2)
        code, out = run("webhooks", "log", "--org", KEY, "--follow", "--timeout", "0.3", "--interval", "0.1", "--json")
        assert code == 0 and [json.loads(line)["redelivery"] for line in out.splitlines()] == [False, True]
        code, out = run("webhooks", "redeliver", KEY, "0" * 24)
        assert code == 1 and "404" in out

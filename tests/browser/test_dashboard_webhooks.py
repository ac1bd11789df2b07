"""The dashboard's Webhooks tab in Chromium: add a webhook, watch its deliveries, replay one, delete it."""
from __future__ import annotations

import requests

from mock_server.testing import WebhookReceiver

from .test_dashboard import dashboard


def _chat(mock: str, key: str) -> dict:
    """A customer who starts a chat and writes: the headers of its session."""
    headers = {"Authorization": f"Bearer {key}"}
    token = requests.post(f"{mock}/c/v1/tracking/tokens", headers=headers, timeout=10).json()["trackingToken"]
    return {**headers, "x-kustomer-tracking-token": token}


def test_a_webhook_added_in_the_dashboard_shows_its_deliveries_and_replays_one(context, mock, key):
    session = _chat(mock, key)
    board = dashboard(context, mock, key)
    with WebhookReceiver() as receiver:
        board.get_by_role("tab", name="Webhooks").click()
        board.get_by_test_id("webhook-url").fill(receiver.url)
        board.get_by_test_id("webhook-name").fill("orders backend")
        board.get_by_test_id("webhook-add").click()
        board.get_by_test_id("webhook").filter(has_text="orders backend").wait_for()
        receiver.token = requests.get(f"{mock}/__admin/webhooks", params={"org": key}, timeout=10).json()[
            "webhooks"][0]["token"]
        receiver.answer(500, times=1, event="kustomer.conversation.create")
        rv = requests.post(f"{mock}/c/v1/chat/sessions", json={"message": "hello"}, headers=session, timeout=10)
        assert rv.status_code == 201
        failed = receiver.wait_for("kustomer.conversation.create", answered=500)
        row = board.locator(f"[data-testid=delivery][data-event-id='{failed.id}']")
        row.first.wait_for()
        assert row.first.get_by_test_id("delivery-status").inner_text() == "500"
        row.first.get_by_test_id("delivery-replay").click()
        replayed = receiver.wait_for("kustomer.conversation.create", answered=200)
        assert (replayed.id, replayed.body) == (failed.id, failed.body)
        board.locator(f"[data-testid=delivery][data-event-id='{failed.id}'][data-outcome=delivered]").wait_for()
        board.get_by_test_id("webhook-remove").click()
        board.get_by_test_id("webhook").wait_for(state="detached")
        assert requests.get(f"{mock}/__admin/webhooks", params={"org": key}, timeout=10).json()["webhooks"] == []

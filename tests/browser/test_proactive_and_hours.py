"""Proactive chat and per-brand business hours in Chromium."""
from __future__ import annotations

import requests

from mock_server.domain.identity import make_login_token

from .conftest import run, started
from .test_satisfaction import keep_widget_screenshot

FRAME = "#kustomer-ui-sdk-iframe"
START = "Kustomer.start({}, function () { window.started = true; });"
KIDS = "5f0c1a2b3c4d5e6f7a8b9c02"
SAM = "5f0c1a2b3c4d5e6f7a8b9e02"


def _login(page, admin, email: str) -> str:
    token = make_login_token(admin.org()["chatSecret"], email=email, iat=None)
    answer = run(page, f"Kustomer.login({{jwtToken: '{token}'}}, (r, e) => done(e ? {{e: e.code}} : r))")
    assert answer.get("identified") is True, answer
    return answer["customerId"]


def _trigger(mock, key, **body):
    return requests.post(f"{mock}/__admin/orgs/{key}/proactive", json=body, timeout=10)


def test_a_proactive_message_opens_a_conversation_only_when_answered(host_page, admin, mock, key):
    page = started(host_page(after=START))
    _login(page, admin, "grace@example.com")
    rv = _trigger(mock, key, email="grace@example.com", body="Need a hand finding the right size?", **{"from": SAM})
    assert rv.status_code == 201, rv.text
    frame = page.frame_locator(FRAME)
    teaser = frame.get_by_role("dialog", name="Message from Sam Chen")
    teaser.get_by_text("Need a hand finding the right size?").wait_for()
    keep_widget_screenshot(page, "proactive.png")
    assert run(page, "Kustomer.getOpenConversations(r => done(r.length))") == 0   # nothing exists yet
    teaser.get_by_role("button", name="Reply").click()
    panel = frame.get_by_role("dialog", name="Acme Support")
    panel.get_by_role("textbox", name="Message").fill("Yes please, between M and L.")
    panel.get_by_role("button", name="Send message").click()
    panel.locator("[data-direction=in]").filter(has_text="between M and L").wait_for()
    [conversation] = run(page, "Kustomer.getOpenConversations(r => done(r))")
    thread = requests.get(f"{mock}/__admin/orgs/{key}/conversations/{conversation['conversationId']}",
                          timeout=10).json()["messages"]
    assert [(m["direction"], m["body"]) for m in thread] == [
        ("out", "Need a hand finding the right size?"), ("in", "Yes please, between M and L.")]
    assert thread[0]["sentBy"]["displayName"] == "Sam Chen" and thread[0]["meta"] == {"proactive": True}


def test_opening_the_widget_with_a_waiting_proactive_message_opens_it(host_page, admin, mock, key):
    page = started(host_page(after=START))
    _login(page, admin, "lin@example.com")
    assert _trigger(mock, key, email="lin@example.com", body="Free returns this week!").status_code == 201
    frame = page.frame_locator(FRAME)
    frame.get_by_test_id("proactive").wait_for()
    frame.get_by_role("button", name="Open chat").click()
    panel = frame.get_by_role("dialog", name="Acme Support")
    panel.locator("li.message").filter(has_text="Free returns this week!").wait_for()
    assert frame.get_by_test_id("proactive").count() == 0
    frame.get_by_role("button", name="Minimize chat").click()
    frame.get_by_role("button", name="Open chat").wait_for()
    assert page.locator(FRAME).bounding_box()["height"] < 120   # back to the launcher's size


def test_proactive_needs_a_logged_in_customer_and_the_launcher(host_page, admin, mock, key):
    page = started(host_page(after="Kustomer.start({hideChatIcon: true}, () => { window.started = true; });"))
    customer = run(page, "Kustomer.createConversation({message: 'hi'}, r => done(r))")
    anonymous = admin.customer_of(customer["conversationId"])
    rv = _trigger(mock, key, customerId=anonymous, body="Hello!")
    assert (rv.status_code, rv.json()["errors"][0]["code"]) == (409, "customer_not_identified")
    _login(page, admin, "hidden@example.com")
    with page.expect_console_message(lambda m: "needs the Kustomer launcher" in m.text):
        assert _trigger(mock, key, email="hidden@example.com", body="Hello!").status_code == 201
    assert page.frame_locator(FRAME).get_by_test_id("proactive").count() == 0


def test_each_brand_follows_its_own_hours_and_holidays(browser, host_page, mock, key):
    other = browser.new_context()   # another customer: its own storage, so its own session
    try:
        rv = requests.patch(f"{mock}/__admin/orgs/{key}/brands/{KIDS}", json={"availability": "scheduled"}, timeout=10)
        assert rv.status_code == 200, rv.text
        requests.post(f"{mock}/__admin/clock", json={"freeze": "2026-12-25T12:00:00Z"}, timeout=10)  # a holiday
        kids = started(host_page(after=f"Kustomer.start({{brandId: '{KIDS}'}}, () => {{ window.started = true; }});"))
        assert kids.evaluate("Kustomer.isChatAvailable()") == {"availability": "hidden"}
        assert not kids.locator(FRAME).is_visible()
        main = started(host_page(after=START, page=other.new_page()))
        assert main.evaluate("Kustomer.isChatAvailable()") == {"availability": "online"}
        requests.post(f"{mock}/__admin/clock", json={"freeze": "2026-12-28T12:00:00Z"}, timeout=10)   # a Monday
        kids.reload()
        started(kids)
        assert kids.evaluate("Kustomer.isChatAvailable()") == {"availability": "online"}
    finally:
        other.close()
        requests.post(f"{mock}/__admin/clock", json={"resume": True}, timeout=10)

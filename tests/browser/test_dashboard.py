"""The dashboard (/__admin/ui) and the demo page (/) in Chromium, driving real widgets on other pages."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests

from mock_server import create_app
from mock_server.serving import ServerThread

from mock_server.testing import MockOrg

from .conftest import artifact, run, started

FRAME = "#kustomer-ui-sdk-iframe"
START = "Kustomer.start({}, function () { window.started = true; });"
DEMO_KEY = "demo-key"                  # the key the demo page's script tag carries
SAM = "5f0c1a2b3c4d5e6f7a8b9e02"       # Sam Chen, an agent of the fixtures
SCREENSHOT_SIZE = {"width": 1280, "height": 800}
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def demo(mock):
    """The demo page's org, fresh: reset before the test, its faults cleared after."""
    requests.post(f"{mock}/__admin/reset?org={DEMO_KEY}", timeout=10)
    yield MockOrg(mock, DEMO_KEY)
    requests.delete(f"{mock}/__admin/faults", timeout=10)


def dashboard(context, mock, key):
    """Open the dashboard on the org of `key` and wait until it has drawn it."""
    page = context.new_page()
    page.goto(f"{mock}/__admin/ui#org={key}")
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_test_id("live").filter(has_text="live").wait_for()
    return page


def submit_help_form(page, order: str, topic: str, message: str) -> str:
    """Fill the demo page's form, hand off to chat, answer the new conversation's id."""
    page.wait_for_function("() => !document.getElementById('chat-button').disabled")  # a function: the CSP forbids eval
    page.get_by_test_id("order-number").fill(order)
    page.get_by_test_id("topic").select_option(topic)
    page.get_by_test_id("message").fill(message)
    page.evaluate("() => { window.lastConversationId = null; }")
    page.get_by_test_id("chat-button").click()
    page.wait_for_function("() => window.lastConversationId")
    return page.evaluate("window.lastConversationId")


def conversation_item(page, conversation_id: str):
    """The dashboard's list entry of one conversation."""
    return page.locator(f"[data-testid=conversation][data-id='{conversation_id}']")


def add_fault(board, mock, **inputs: str) -> list[dict]:
    """Fill the dashboard's fault form (inputs by `fault-NAME` test id), add it; answer the stored rules."""
    board.get_by_role("tab", name="Faults").click()
    for name, value in inputs.items():
        board.get_by_test_id(f"fault-{name}").fill(value)
    board.get_by_test_id("fault-add").click()
    board.get_by_test_id("fault").wait_for()
    return requests.get(f"{mock}/__admin/faults", timeout=10).json()["faults"]


def keep_screenshot(page, name: str) -> None:
    """A screenshot under test-artifacts/; with KUSTOMER_MOCK_UPDATE_DOCS=1 also docs/NAME for the README."""
    path = artifact(name)
    page.set_viewport_size(SCREENSHOT_SIZE)
    page.wait_for_timeout(300)   # let the layout settle at the new size; nothing is asserted on time
    page.screenshot(path=str(path))
    if os.environ.get("KUSTOMER_MOCK_UPDATE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(path, DOCS / name)


def test_the_dashboard_lists_a_conversation_created_from_the_demo_page_live(context, mock, demo):
    shop = context.new_page()
    shop.goto(f"{mock}/")
    first = submit_help_form(shop, "A-1042", "shipping.late", "My parcel is two days late")
    board = dashboard(context, mock, DEMO_KEY)
    item = conversation_item(board, first)
    item.wait_for()
    chips = item.get_by_test_id("attribute").all_inner_texts()
    assert chips == ['issueTypeTree: "shipping.late"', "giftBool: false", 'orderNumberStr: "A-1042"']
    assert item.get_by_test_id("conversation-status").inner_text() == "open"
    # a second one, made while the dashboard is open, appears without a reload
    second = submit_help_form(shop, "B-7", "returns.refund", "Where is my refund?")
    conversation_item(board, second).wait_for()
    assert board.locator("[data-testid=conversation]").first.get_attribute("data-id") == second
    conversation_item(board, second).click()   # the one the widget shows now
    board.get_by_test_id("message-body").filter(has_text="Where is my refund?").wait_for()
    assert "orderNumberStr\nB-7" in board.get_by_test_id("thread-attributes").inner_text()
    board.get_by_test_id("reply-body").fill("Hi, this is Alex. Let me look up B-7.")
    board.get_by_test_id("reply-send").click()
    shop.frame_locator(FRAME).locator("[data-direction=out]").filter(has_text="Let me look up B-7").wait_for()
    board.get_by_test_id("message-body").filter(has_text="Let me look up B-7").wait_for()
    keep_screenshot(shop, "demo.png")
    keep_screenshot(board, "dashboard.png")


def test_an_agent_reply_typed_in_the_dashboard_arrives_in_the_widget_of_another_page(host_page, context, mock, key):
    page = started(host_page(after=START))
    conversation = run(page, """window.received = []; window.lifecycle = [];
        Kustomer.addListener('onMessageReceived', r => window.received.push(r));
        ['onConversationEnded', 'onConversationUnended'].forEach(n => Kustomer.addListener(n, r => window.lifecycle.push(n)));
        Kustomer.createConversation({message: 'Is anyone there?'}, r => done(r.conversationId));""")
    board = dashboard(context, mock, key)
    conversation_item(board, conversation).click()
    board.get_by_test_id("agent-select").select_option(SAM)
    board.get_by_test_id("typing-toggle").check()
    frame = page.frame_locator(FRAME)
    frame.get_by_test_id("typing").filter(has_text="is typing").wait_for()
    board.get_by_test_id("reply-body").fill("Sam here, happy to help.")
    board.get_by_test_id("reply-send").click()
    page.wait_for_function("window.received.length === 1")
    received = page.evaluate("window.received[0]")
    assert received["body"] == "Sam here, happy to help."
    assert received["sentBy"]["displayName"] == "Sam Chen" and received["direction"] == "out"
    frame.locator("[data-direction=out]").filter(has_text="Sam here").wait_for()
    assert frame.get_by_test_id("typing").is_hidden()   # sending stops the typing indicator
    board.get_by_test_id("end-conversation").click()
    page.wait_for_function("window.lifecycle.length === 1")
    conversation_item(board, conversation).get_by_test_id("conversation-status").filter(has_text="ended").wait_for()
    board.get_by_test_id("reopen-conversation").click()
    page.wait_for_function("window.lifecycle.length === 2")
    assert page.evaluate("window.lifecycle") == ["onConversationEnded", "onConversationUnended"]
    conversation_item(board, conversation).get_by_test_id("conversation-status").filter(has_text="open").wait_for()


SLOW_THREADS = """() => { const send = window.fetch;
    window.fetch = (url, init) => /\\/conversations\\/[0-9a-f]{24}$/.test(String(url))
        ? new Promise(later => setTimeout(later, 1500)).then(() => send(url, init)) : send(url, init); }"""


def _two_conversations_and_a_slow_board(host_page, context, mock, key):
    """Two conversations of one widget, and a dashboard where a picked conversation loads 1.5 s after the click."""
    page = started(host_page(after=START))
    first, second = (run(page, f"Kustomer.createConversation({{message: '{text}'}}, r => done(r.conversationId))")
                     for text in ("the first", "the second"))
    board = dashboard(context, mock, key)
    conversation_item(board, first).click()
    board.get_by_test_id("thread-title").filter(has_text="the first").wait_for()
    board.evaluate(SLOW_THREADS)
    return board, first, second


def _agent_messages(mock, key, conversation):
    return [m["attributes"]["preview"] for m in requests.get(
        f"{mock}/v1/conversations/{conversation}/messages", headers={"Authorization": f"Bearer {key}"},
        timeout=10).json()["data"] if m["attributes"]["direction"] == "out"]


def test_a_reply_sent_while_the_picked_conversation_loads_goes_to_it(host_page, context, mock, key):
    import time
    board, first, second = _two_conversations_and_a_slow_board(host_page, context, mock, key)
    conversation_item(board, second).click()
    board.get_by_test_id("reply-body").fill("For the second one.")
    board.get_by_test_id("reply-send").click()
    for _ in range(100):
        if _agent_messages(mock, key, second):
            break
        time.sleep(0.1)
    assert _agent_messages(mock, key, second) == ["For the second one."] and _agent_messages(mock, key, first) == []


def test_a_reply_whose_conversation_is_left_while_it_loads_is_sent_nowhere_and_says_so(host_page, context, mock, key):
    board, first, second = _two_conversations_and_a_slow_board(host_page, context, mock, key)
    conversation_item(board, second).click()
    board.get_by_test_id("reply-body").fill("Meant for the second one.")
    board.get_by_test_id("reply-send").click()
    conversation_item(board, first).click()   # before the second one has loaded
    board.locator("#thread-error").filter(has_text="nothing was sent").wait_for()
    assert _agent_messages(mock, key, first) == [] and _agent_messages(mock, key, second) == []


def test_a_reset_of_the_org_shows_in_an_open_dashboard(host_page, context, mock, key):
    page = started(host_page(after=START))
    conversation = run(page, "Kustomer.createConversation({message: 'before the reset'}, r => done(r.conversationId))")
    board = dashboard(context, mock, key)
    conversation_item(board, conversation).click()
    board.get_by_test_id("message-body").filter(has_text="before the reset").wait_for()
    requests.post(f"{mock}/__admin/reset?org={key}", timeout=10)
    conversation_item(board, conversation).wait_for(state="detached")
    board.get_by_test_id("thread-empty").wait_for()
    assert board.get_by_test_id("conversation").count() > 0    # the rebuilt org's seed conversations


def test_a_fault_added_in_the_dashboard_reaches_the_widgets_callback(host_page, context, mock, key, admin):
    page = started(host_page(after=START))
    board = dashboard(context, mock, key)
    try:
        rules = add_fault(board, mock, operation="createConversation", status="503", code="service_unavailable",
                          times="1")
        assert [(r["match"], r["respond"], r["times"]) for r in rules] == [
            ({"operation": "createConversation", "org": key}, {"status": 503, "code": "service_unavailable"}, 1)]
        result = run(page, "Kustomer.createConversation({message: 'hello'}, (r, e) => done({r, e: err(e)}))")
        assert result["r"] is None
        assert result["e"]["isError"] and (result["e"]["status"], result["e"]["code"]) == (503, "service_unavailable")
        board.get_by_role("tab", name="Journal").click()
        board.get_by_test_id("journal-operation").fill("createConversation")
        # by its operation, not only its text: until the filter applies, another row's time may read .503
        entry = board.locator("[data-testid=journal-entry][data-operation=createConversation]").filter(has_text="503")
        entry.wait_for()
        assert rules[0]["id"] in entry.inner_text()
        board.get_by_role("tab", name="Faults").click()
        board.get_by_test_id("fault-remove").click()
        board.get_by_test_id("fault").wait_for(state="detached")
        assert requests.get(f"{mock}/__admin/faults", timeout=10).json()["faults"] == []
    finally:
        admin.admin.clear_faults()


def test_switching_availability_to_offline_shows_in_a_restarted_widget(host_page, context, mock, key, admin):
    page = started(host_page(after=START))
    assert page.evaluate("Kustomer.isChatAvailable()") == {"availability": "online"}
    assert page.frame_locator(FRAME).get_by_test_id("availability-banner").is_hidden()
    board = dashboard(context, mock, key)
    board.get_by_test_id("setting-availability").select_option("offline")
    board.get_by_test_id("settings-save").click()
    board.get_by_test_id("availability-now").filter(has_text="offline").wait_for()
    assert admin.org()["settings"]["availability"] == "offline"
    page.reload()
    started(page)
    assert page.evaluate("Kustomer.isChatAvailable()") == {"availability": "offline"}
    run(page, "Kustomer.open(() => done())")
    banner = page.frame_locator(FRAME).get_by_test_id("availability-banner")
    banner.wait_for()
    assert "away" in banner.inner_text()


def test_an_assistant_started_from_the_demo_page_shows_its_template_and_state(context, mock, demo):
    shop = context.new_page()
    shop.goto(f"{mock}/")
    shop.wait_for_function("() => !document.getElementById('returns-assistant').disabled")
    shop.get_by_test_id("returns-assistant").click()
    shop.frame_locator(FRAME).get_by_role("button", name="Start a return").click()
    board = dashboard(context, mock, DEMO_KEY)
    item = board.locator("[data-testid=conversation]").filter(has_text="Start a return")
    item.wait_for()
    assert item.get_by_test_id("assistant-state").inner_text() == "Returns Desk: asking"
    item.click()
    templates = board.get_by_test_id("template")
    templates.first.wait_for()
    shown = templates.first.text_content()
    assert shown.startswith("quick replies") and "Just browsing → browsing" in shown
    senders = board.get_by_test_id("message-sender").all_inner_texts()
    assert senders[0] == "Returns Desk" and "Customer" in senders
    assert '{"reason":"start_return"}' in board.get_by_test_id("thread-assistant").inner_text()
    assert "contactReasonStr\nstart_return" in board.get_by_test_id("thread-attributes").inner_text()


def test_the_clock_freezes_and_advances_from_the_dashboard(context, mock, key):
    board = dashboard(context, mock, key)
    try:
        board.get_by_test_id("clock-freeze").click()
        board.get_by_test_id("clock-mode").filter(has_text="frozen").wait_for()
        before = requests.get(f"{mock}/__admin/clock", timeout=10).json()
        board.get_by_test_id("clock-seconds").fill("90")
        board.get_by_test_id("clock-advance").click()
        board.wait_for_function(f"() => document.getElementById('clock-now').textContent !== '{before['now'][:19].replace('T', ' ')} UTC'")
        after = requests.get(f"{mock}/__admin/clock", timeout=10).json()
        assert after["frozen"] is True
        assert after["now"][:19] > before["now"][:19]
        board.get_by_test_id("clock-resume").click()
        board.get_by_test_id("clock-mode").filter(has_text="running").wait_for()
    finally:
        requests.post(f"{mock}/__admin/clock", json={"resume": True}, timeout=10)


def test_freeze_never_moves_the_clock_back_to_a_stale_reading(context, mock, key):
    board = dashboard(context, mock, key)
    try:
        # the dashboard polls the clock; a year passes between its reading and the click
        requests.post(f"{mock}/__admin/clock", json={"advanceSeconds": 365 * 86400}, timeout=10)
        before = requests.get(f"{mock}/__admin/clock", timeout=10).json()
        with board.expect_request(lambda r: r.url.endswith("/__admin/clock") and r.method == "POST") as sent:
            board.get_by_test_id("clock-freeze").click()
        assert sent.value.post_data_json == {"freeze": "now"}
        board.get_by_test_id("clock-mode").filter(has_text="frozen").wait_for()
        frozen = requests.get(f"{mock}/__admin/clock", timeout=10).json()
        assert frozen["frozen"] is True and frozen["now"] >= before["now"]
    finally:
        requests.post(f"{mock}/__admin/clock", json={"resume": True}, timeout=10)


def test_any_whole_delay_and_any_probability_can_be_entered(context, mock, key, admin):
    board = dashboard(context, mock, key)
    board.get_by_test_id("setting-delay").fill("250")
    board.get_by_test_id("settings-save").click()
    board.get_by_test_id("settings-status").filter(has_text="Saved").wait_for()
    assert admin.org()["settings"]["startDelayMs"] == 250
    try:
        rules = add_fault(board, mock, operation="getConversations", delay="250", probability="0.33")
        assert [(r["match"], r["delayMs"], r["probability"]) for r in rules] == [
            ({"operation": "getConversations", "org": key}, 250, 0.33)]
    finally:
        admin.admin.clear_faults()


@pytest.mark.parametrize("tab", ["faults", "journal"])
def test_a_link_to_a_tab_opens_the_dashboard_on_it(context, mock, demo, tab):
    shop = context.new_page()
    shop.goto(f"{mock}/")
    shop.locator(f"a[href='/__admin/ui#org={DEMO_KEY}&tab={tab}']").click()
    shop.wait_for_selector("body[data-ready=true]")
    assert shop.get_by_test_id(f"tab-{tab}").is_visible() and shop.get_by_test_id("tab-settings").is_hidden()
    assert shop.get_by_role("tab", name=tab.capitalize()).get_attribute("aria-selected") == "true"
    assert shop.get_by_test_id("org-select").input_value() == DEMO_KEY


def test_with_an_admin_token_the_dashboard_asks_once_per_tab(browser):
    token = "dashboard-test-token"
    # short stream windows: the dashboard's open stream ends soon after the page closes, before the server stops
    with ServerThread(create_app({"ADMIN_TOKEN": token, "STREAM_SECONDS": 1}), kind="waitress") as server:
        requests.post(f"{server.url}/c/v1/tracking/tokens", headers={"Authorization": "Bearer guarded-key"}, timeout=10)
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{server.url}/__admin/ui")
            page.get_by_test_id("token-input").fill("wrong")
            page.get_by_test_id("token-save").click()
            page.get_by_text("does not match").wait_for()
            page.get_by_test_id("token-input").fill(token)
            page.get_by_test_id("token-save").click()
            page.wait_for_selector("body[data-ready=true]")
            page.get_by_test_id("live").filter(has_text="live").wait_for()
            assert page.get_by_test_id("org-select").input_value() == "guarded-key"
            assert page.get_by_test_id("conversation").count() > 0       # the seed conversations
            page.reload()                                                 # the same tab keeps it
            page.wait_for_selector("body[data-ready=true]")
            assert page.get_by_test_id("token-dialog").is_hidden()
            other = context.new_page()                                    # another tab asks again
            other.goto(f"{server.url}/__admin/ui")
            other.get_by_test_id("token-dialog").wait_for()
        finally:
            context.close()


def test_the_journal_updates_live_and_shows_a_call_s_request_and_response(context, mock, key):
    board = dashboard(context, mock, key)
    board.get_by_role("tab", name="Journal").click()
    rows = board.get_by_test_id("journal-entry")
    before = rows.count()
    headers = {"Authorization": f"Bearer {key}", "X-Trace": "live-journal"}
    requests.post(f"{mock}/c/v1/tracking/tokens", json={"brandId": "nope"}, headers=headers, timeout=10)
    entry = rows.filter(has_text="start").first
    entry.wait_for()                                   # no reload, no poll interval: the long poll answers
    assert rows.count() == before + 1
    entry.click()
    details = board.get_by_test_id("journal-details")
    assert "POST /c/v1/tracking/tokens" in details.get_by_test_id("journal-request").inner_text()
    assert "X-Trace: live-journal" in details.get_by_test_id("journal-request-headers").inner_text()
    assert '"brandId": "nope"' in details.get_by_test_id("journal-request-body").inner_text()
    assert "Content-Type: application/json" in details.get_by_test_id("journal-response-headers").inner_text()
    assert '"errors"' in details.get_by_test_id("journal-response-body").inner_text()
    entry.click()
    assert details.count() == 0


def test_the_dashboard_lists_conversations_a_page_at_a_time(context, mock, key):
    auth = {"Authorization": f"Bearer {key}"}
    customer = requests.post(f"{mock}/v1/customers", json={"name": "Paged"}, headers=auth, timeout=10).json()
    listed = f"{mock}/__admin/orgs/{key}/conversations"
    for n in range(101 - requests.get(listed, timeout=10).json()["total"]):   # one more than the first page holds
        rv = requests.post(f"{mock}/v1/conversations", json={"customer": customer["data"]["id"], "name": f"c{n}"},
                           headers=auth, timeout=10)
        assert rv.status_code == 201, rv.text
    page = dashboard(context, mock, key)
    page.get_by_test_id("conversations-more").wait_for()
    assert page.get_by_test_id("conversation").count() == 100
    assert page.get_by_test_id("conversation-count").inner_text() == "101"
    page.get_by_test_id("conversations-more").click()
    page.get_by_test_id("conversations-more").wait_for(state="hidden")
    assert page.get_by_test_id("conversation").count() == 101

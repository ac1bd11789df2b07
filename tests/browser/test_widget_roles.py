"""The widget as end-to-end suites see it: by role and accessible name, the greeting, the Answers tab."""
from __future__ import annotations

from .conftest import run, started
from .test_satisfaction import keep_widget_screenshot

FRAME = "#kustomer-ui-sdk-iframe"
START = "Kustomer.start({}, function () { window.started = true; });"
KIDS = "5f0c1a2b3c4d5e6f7a8b9c02"   # the brand without a knowledge base


def test_launcher_new_conversation_send_and_close_by_role(host_page):
    page = started(host_page(after=START))
    frame = page.frame_locator(FRAME)
    frame.get_by_role("button", name="Open chat").click()
    panel = frame.get_by_role("dialog", name="Acme Support")
    panel.wait_for()
    assert frame.get_by_role("button", name="Minimize chat").get_attribute("aria-expanded") == "true"
    panel.get_by_role("button", name="New conversation").click()
    greeting = panel.get_by_test_id("greeting")
    assert greeting.inner_text().endswith("Hi! How can we help you today?")
    panel.get_by_role("textbox", name="Message").fill("Where is my order?")
    panel.get_by_role("button", name="Send message").click()
    panel.locator("[data-direction=in]").filter(has_text="Where is my order?").wait_for()
    panel.get_by_test_id("greeting").wait_for()   # the thread is drawn again once created: greeting first
    bubbles = panel.locator("li.message").all_inner_texts()
    assert bubbles[0].endswith("Hi! How can we help you today?") and bubbles[1] == "Where is my order?"
    panel.get_by_role("button", name="Close chat").click()
    frame.get_by_role("button", name="Open chat").wait_for()
    assert page.evaluate("Kustomer.getUnreadCount().total") == 0


def test_the_greeting_leads_a_reopened_thread_but_not_an_assistants(host_page):
    page = started(host_page(after=START))
    conversation = run(page, "Kustomer.createConversation({message: 'Hello'}, r => done(r.conversationId))")
    frame = page.frame_locator(FRAME)
    frame.locator("[data-direction=in]").filter(has_text="Hello").wait_for()
    frame.get_by_test_id("greeting").wait_for()
    assert frame.locator("li.message").first.get_attribute("data-testid") == "greeting"
    run(page, "Kustomer.createConversation({assistantId: '5f0c1a2b3c4d5e6f7a8bb002'}, () => done())")
    frame.get_by_role("button", name="Start a return").wait_for()
    assert frame.get_by_test_id("greeting").count() == 0
    assert conversation


def test_the_answers_tab_searches_and_browses_the_knowledge_base(host_page):
    page = started(host_page(after=START))
    frame = page.frame_locator(FRAME)
    frame.get_by_role("button", name="Open chat").click()
    frame.get_by_role("tab", name="Messages").wait_for()
    frame.get_by_role("tab", name="Answers").click()
    assert frame.get_by_role("tab", name="Answers").get_attribute("aria-selected") == "true"
    search = frame.get_by_role("searchbox", name="Search answers")
    search.fill("refund")
    search.press("Enter")
    frame.get_by_role("button", name="When will I get my refund?").click()
    frame.get_by_role("heading", name="When will I get my refund?").wait_for()
    frame.get_by_text("Refunds post to the original payment method").wait_for()
    frame.get_by_role("button", name="Back").click()
    frame.get_by_role("button", name="Orders & Shipping").click()
    frame.get_by_role("heading", name="Orders & Shipping").wait_for()
    frame.get_by_role("button", name="Where is my order?").wait_for()
    frame.get_by_role("button", name="Back").click()
    frame.get_by_role("searchbox", name="Search answers").fill("no such thing")
    frame.get_by_role("searchbox", name="Search answers").press("Enter")
    frame.get_by_text("No answers found").wait_for()
    frame.get_by_role("searchbox", name="Search answers").fill("return")
    frame.get_by_role("searchbox", name="Search answers").press("Enter")
    frame.get_by_role("button", name="How do I return an item?").wait_for()
    keep_widget_screenshot(page, "widget-answers.png")


def test_a_brand_without_a_knowledge_base_has_no_answers_tab(host_page):
    page = started(host_page(after=f"Kustomer.start({{brandId: '{KIDS}'}}, () => {{ window.started = true; }});"))
    frame = page.frame_locator(FRAME)
    frame.get_by_role("button", name="Open chat").click()
    frame.get_by_role("button", name="New conversation").wait_for()
    assert frame.get_by_role("tab").count() == 0

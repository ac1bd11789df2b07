"""Satisfaction surveys in Chromium: offered when an agent ends the chat, rated in the widget, read back."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import requests

from .conftest import artifact, run, started

FRAME = "#kustomer-ui-sdk-iframe"
START = """Kustomer.start({}, function () {
  window.surveys = [];
  Kustomer.addListener('onSatisfactionReceived', s => window.surveys.push(s));
  window.started = true;
});"""
DOCS = Path(__file__).resolve().parents[2] / "docs"


def keep_widget_screenshot(page, name: str) -> None:
    """The widget's iframe alone under test-artifacts/; with KUSTOMER_MOCK_UPDATE_DOCS=1 also docs/NAME."""
    path = artifact(name)
    page.locator(FRAME).screenshot(path=str(path))
    assert path.stat().st_size > 5_000
    if os.environ.get("KUSTOMER_MOCK_UPDATE_DOCS") == "1":
        shutil.copyfile(path, DOCS / name)


def _chat_with_an_agent(page, admin) -> str:
    conversation = run(page, "Kustomer.createConversation({message: 'My order A-1042 is late'}, r => done(r.conversationId))")
    admin.agent_reply(conversation, "Sorry about that! It ships today.")
    page.frame_locator(FRAME).get_by_text("It ships today.").wait_for()
    return conversation


def _end_as_agent(mock, key, conversation: str) -> None:
    rv = requests.patch(f"{mock}/v1/conversations/{conversation}", json={"ended": True}, timeout=10,
                        headers={"Authorization": f"Bearer {key}"})
    assert rv.status_code == 200, rv.text


def test_a_customer_rates_a_chat_an_agent_ended_and_the_rating_reads_back(host_page, admin, mock, key):
    page = started(host_page(after=START))
    conversation = _chat_with_an_agent(page, admin)
    _end_as_agent(mock, key, conversation)
    frame = page.frame_locator(FRAME)
    survey = frame.get_by_role("group", name="Chat satisfaction")
    survey.get_by_text("How would you rate your conversation?").wait_for()
    offered = page.evaluate("window.surveys[0]")
    assert set(offered) >= {"conversationId", "satisfactionId", "timetoken", "form", "response"}
    assert offered["conversationId"] == conversation and offered["response"] is None
    assert set(offered["form"]) >= {"description", "introduction", "name", "followupQuestion", "ratingPrompt", "scale"}
    assert set(offered["form"]["scale"]) == {"options", "labelLow", "labelHigh", "type"}

    keep_widget_screenshot(page, "satisfaction.png")
    survey.get_by_role("button", name="Rate 4 out of 5").click()
    survey.get_by_label("What could we have done better?").fill("Faster shipping updates, please.")
    survey.get_by_role("button", name="Submit feedback").click()
    survey.get_by_role("status").filter(has_text="Thank you for your feedback!").wait_for()

    rest = requests.get(f"{mock}/v1/conversations/{conversation}", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    attributes = rest.json()["data"]["attributes"]
    assert rest.status_code == 200 and attributes["ended"] is True
    level = attributes["satisfactionLevel"]   # the rating read back over REST v1
    assert (level["status"], level["rating"], level["score"], level["firstAnswer"]) == (
        "commented", 4, 1, "Faster shipping updates, please.")
    assert level["formResponse"] == offered["satisfactionId"] and attributes["satisfaction"] == 0.5
    watched = requests.get(f"{mock}/__admin/orgs/{key}/conversations/{conversation}", timeout=10).json()["conversation"]
    assert watched["satisfactionLevel"] == level
    page.wait_for_function("window.surveys.length === 3")   # offered, rated, commented
    assert [s["status"] for s in page.evaluate("window.surveys")] == ["offered", "rated", "commented"]


def test_a_failed_submit_shows_an_error_and_the_rating_can_be_sent_again(host_page, admin, mock, key):
    page = started(host_page(after=START))
    conversation = _chat_with_an_agent(page, admin)
    _end_as_agent(mock, key, conversation)
    survey = page.frame_locator(FRAME).get_by_role("group", name="Chat satisfaction")
    admin.faults.add({"match": {"operation": "submitSatisfactionForm", "org": key},
                 "respond": {"status": 503, "code": "service_unavailable"}, "times": 1})
    try:
        survey.get_by_role("button", name="Rate 2 out of 5").click()
        survey.get_by_role("alert").filter(has_text="service_unavailable").wait_for()
        survey.get_by_role("button", name="Rate 2 out of 5").click()
        survey.get_by_label("What could we have done better?").wait_for()
    finally:
        admin.faults.clear()


def test_no_survey_without_an_agent_or_when_chats_may_not_be_ended(host_page, admin, mock, key):
    page = started(host_page(after=START))
    alone = run(page, "Kustomer.createConversation({message: 'hello?'}, r => done(r.conversationId))")
    _end_as_agent(mock, key, alone)
    admin.settings(allowEndConversation=False)
    answered = _chat_with_an_agent(page, admin)
    _end_as_agent(mock, key, answered)
    page.frame_locator(FRAME).get_by_test_id("ended").wait_for()
    for conversation in (alone, answered):
        watched = requests.get(f"{mock}/__admin/orgs/{key}/conversations/{conversation}", timeout=10).json()
        assert watched["conversation"]["satisfactionLevel"] is None
    assert page.evaluate("window.surveys") == []


def test_core_submit_satisfaction_form(host_page, admin, mock, key):
    page = started(host_page(script="core.js", after="""KustomerCore.init({}, function () {
        window.surveys = [];
        KustomerCore.addListener('onSatisfactionReceived', s => window.surveys.push(s));
        window.started = true; });"""))
    conversation = run(page, "KustomerCore.createConversation({title: 'Refund'}, r => done(r.conversationId))")
    run(page, f"KustomerCore.sendMessage({{conversationId: '{conversation}', body: 'Where is my refund?'}}, () => done())")
    admin.agent_reply(conversation, "It was issued today.")
    run(page, f"KustomerCore.endConversation({{conversationId: '{conversation}'}}, () => done())")
    page.wait_for_function("window.surveys.length === 1")
    satisfaction_id = page.evaluate("window.surveys[0].satisfactionId")
    missing = run(page, f"KustomerCore.submitSatisfactionForm({{satisfactionId: '{satisfaction_id}', rating: 5}}, "
                        "(r, e) => done(err(e)))")
    assert (missing["status"], missing["code"], missing["source"]) == (400, "missing_field", {"pointer": "/submittedAt"})
    answer = run(page, f"""KustomerCore.submitSatisfactionForm({{satisfactionId: '{satisfaction_id}', rating: 5,
        answers: [{{id: 'q1', prompt: 'Anything else?', answer: 'Quick and kind'}}],
        submittedAt: new Date().toISOString()}}, (r, e) => done({{r, e: err(e)}}))""")
    assert answer["e"] is None
    assert answer["r"]["response"] == {"rating": 5, "followupAnswer": "Quick and kind"}
    history = run(page, f"KustomerCore.getMessages({{conversationId: '{conversation}'}}, r => done(r.satisfaction))")
    assert history["status"] == "commented" and history["satisfactionId"] == satisfaction_id


def test_the_customer_ends_the_chat_in_the_widget_and_gets_the_survey(host_page, admin, mock, key):
    page = started(host_page(after=START))
    _chat_with_an_agent(page, admin)
    frame = page.frame_locator(FRAME)
    frame.get_by_role("button", name="End chat").click()
    frame.get_by_test_id("ended").wait_for()
    survey = frame.get_by_role("group", name="Chat satisfaction")
    survey.get_by_role("button", name="Rate 5 out of 5: Very satisfied").click()
    survey.get_by_label("What could we have done better?").wait_for()
    assert frame.get_by_role("button", name="End chat").count() == 0


def test_no_end_chat_button_when_chats_may_not_be_ended(host_page, admin):
    admin.settings(allowEndConversation=False)
    page = started(host_page(after=START))
    _chat_with_an_agent(page, admin)
    frame = page.frame_locator(FRAME)
    frame.get_by_test_id("greeting").wait_for()   # drawn with the conversation, as the End chat button would be
    assert frame.get_by_role("button", name="End chat").count() == 0

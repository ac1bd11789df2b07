"""core.js in Chromium: window.KustomerCore's methods (reference 3) against the mock."""
from __future__ import annotations

import requests

from .conftest import run

INIT = "KustomerCore.init({}, function (r, e) { window.settings = r && r.settings; window.started = true; });"
RETURNS = "5f0c1a2b3c4d5e6f7a8bb002"


def core_page(host_page, after=INIT):
    page = host_page(script="core.js", before="window.addEventListener('kustomerCoreLoaded', () => window.coreLoaded = true);",
                     after=after)
    page.wait_for_function("window.started === true")
    return page


def test_core_loads_and_init_answers_the_settings(host_page):
    page = core_page(host_page)
    page.wait_for_function("window.coreLoaded === true")
    settings = page.evaluate("window.settings")
    assert {"enabled", "brandId", "knowledgeBaseId"} <= set(settings)
    assert page.evaluate("KustomerCore.getChatSettings()")["brandId"] == settings["brandId"]
    assert page.evaluate("KustomerCore.isChatAvailable()") == {"availability": "online"}
    assert page.evaluate("document.getElementById('kustomer-ui-sdk-iframe')") is None


def test_core_loaded_is_heard_by_a_listener_added_after_the_tag(host_page):
    page = host_page(script="core.js", after="window.addEventListener('kustomerCoreLoaded', () => { " + INIT + " });")
    page.wait_for_function("window.started === true")
    assert page.evaluate("typeof window.settings.brandId") == "string"


def test_a_core_call_before_init_is_refused(host_page):
    page = host_page(script="core.js")
    result = run(page, "KustomerCore.getConversations({}, (r, e) => done(err(e)))")
    assert result["code"] == "not_started" and "from the init callback" in result["message"]


def test_conversation_messages_read_and_end(host_page):
    page = core_page(host_page)
    result = run(page, """
        const out = {};
        KustomerCore.addListener('onConversationEnded', r => out.endedEvent = r);
        KustomerCore.createConversation({title: 'Order question'}, (c, e) => {
          out.created = c; out.e = err(e);
          KustomerCore.sendMessage({conversationId: c.conversationId, body: 'Where is it?'}, (m) => {
            out.message = m;
            KustomerCore.getMessages({conversationId: c.conversationId}, (list) => {
              out.messages = list.messages.map(x => x.body);
              KustomerCore.getConversations({page: 1, pageSize: 10}, (all) => {
                out.conversations = all.conversations.length; out.pages = all.pages;
                KustomerCore.markRead({conversationId: c.conversationId, messageIds: []}, () => {
                  KustomerCore.endConversation({conversationId: c.conversationId}, (ended) => {
                    out.ended = ended; setTimeout(() => done(out), 400);
                  });
                });
              });
            });
          });
        });""")
    assert result["e"] is None
    assert set(result["created"]) == {"conversationId", "createdAt", "ended", "isInAssistantMode"}
    assert result["message"]["body"] == "Where is it?" and result["message"]["direction"] == "in"
    assert result["messages"] == ["Where is it?"]
    assert result["conversations"] == 1 and result["pages"]["current"] == 1
    assert result["ended"]["ended"] is True
    assert result["endedEvent"]["conversationId"] == result["created"]["conversationId"]
    assert page.evaluate("KustomerCore.getUnreadCount()") == {"total": 0, "conversations": {}}


def test_an_assistant_answered_with_a_quick_reply_payload(host_page):
    page = core_page(host_page)
    result = run(page, f"""
        KustomerCore.initAssistant({{assistant: '{RETURNS}'}}, (init, e) => {{
          const question = init.initialMessages[init.initialMessages.length - 1].meta.template;
          KustomerCore.createConversation({{title: 'Returns', assistant: '{RETURNS}'}}, (c) => {{
            const action = question.actions[0];
            KustomerCore.sendMessage({{conversationId: c.conversationId, body: action.displayText, payload: action.value,
                                       isInAssistantMode: true}}, (m, e2) => {{
              setTimeout(() => KustomerCore.getMessages({{conversationId: c.conversationId}}, (list) =>
                done({{type: question.templateType, e2: err(e2), bodies: list.messages.map(x => x.body)}})), 300);
            }});
          }});
        }});""")
    assert result["type"] == "quick_replies" and result["e2"] is None
    assert result["bodies"][-2:] == ["Start a return", "Which order would you like to return?"]


def test_typing_describe_and_knowledge_base(host_page):
    page = core_page(host_page)
    result = run(page, """
        const out = {};
        KustomerCore.createConversation({title: 'kb'}, (c) => {
          KustomerCore.sendTypingActivity({conversationId: c.conversationId, typing: true}, (t, e) => {
            out.typing = [t, err(e)];
            KustomerCore.describeConversation({conversationId: c.conversationId, customAttributes: {orderNumberStr: 'C-3'}}, (d) => {
              out.described = d.customAttributes;
              KustomerCore.describeCustomer({attributes: {sharedPhones: ['+15550100']}}, (cu) => {
                out.phones = cu.sharedPhones;
                KustomerCore.getCategories({knowledgeBaseId: 'kb', lang: 'en_us'}, (cats, e3) => {
                  out.categories = Object.keys(cats.categories).length; out.e3 = err(e3);
                  KustomerCore.searchArticles({knowledgeBaseId: 'kb', lang: 'en_us', term: 'order'}, (found) => {
                    out.found = found.articles.map(a => a.title); done(out);
                  });
                });
              });
            });
          });
        });""")
    assert result["typing"][1] is None and result["typing"][0]["typing"] is True
    assert result["described"] == {"orderNumberStr": "C-3"}
    assert result["phones"] == ["+15550100"]
    assert result["e3"] is None and result["categories"] >= 1
    assert "Where is my order?" in result["found"]


def test_send_message_uploads_file_attachments(host_page):
    page = core_page(host_page)
    result = run(page, """
        KustomerCore.createConversation({title: 'Receipt'}, (c) => {
          const file = new File(['%PDF-1.4 hello'], 'receipt.pdf', {type: 'application/pdf'});
          const note = new File(['hello'], 'note.txt', {type: 'text/plain'});
          KustomerCore.sendMessage({conversationId: c.conversationId, body: 'see file', attachments: [{file}]},
            (m, e) => KustomerCore.sendMessage({conversationId: c.conversationId, attachments: [{file: note}]},
              (m2, e2) => done({attachments: m && m.attachments, e: err(e), refused: err(e2)})));
        });""")
    assert result["e"] is None
    [attachment] = result["attachments"]
    assert {k: attachment[k] for k in ("name", "contentType", "contentLength")} == {
        "name": "receipt.pdf", "contentType": "application/pdf", "contentLength": 14}
    assert requests.get(attachment["url"], timeout=10).content == b"%PDF-1.4 hello"
    assert (result["refused"]["status"], result["refused"]["code"]) == (415, "unsupported_attachment_type")


def test_a_core_call_without_its_id_sends_nothing(host_page):
    page = core_page(host_page)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/c/v1/chat/sessions" in request.url else None)
    result = run(page, "KustomerCore.sendMessage({body: 'hi'}, (r, e) => done(err(e)))")
    assert result["code"] == "missing_field" and result["source"] == {"pointer": "/conversationId"}
    assert sent == []

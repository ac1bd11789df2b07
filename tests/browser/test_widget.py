"""widget.js in Chromium: the documented examples of every window.Kustomer method, against the mock."""
from __future__ import annotations

import re

import pytest
import requests

from mock_server.domain.identity import make_login_token

from .conftest import artifact, run, started

START = "Kustomer.start({}, function () { window.started = true; });"
FRAME = "#kustomer-ui-sdk-iframe"


def test_loader_defines_kustomer_synchronously_and_fires_kustomer_loaded(host_page):
    page = host_page(before="window.addEventListener('kustomerLoaded', function () { window.loaded = typeof Kustomer; });",
                     after="window.syncType = typeof Kustomer.start;")
    assert page.evaluate("window.syncType") == "function"
    page.wait_for_function("window.loaded === 'object'")
    methods = page.evaluate("Object.keys(Kustomer).filter(k => typeof Kustomer[k] === 'function').sort()")
    assert set(methods) >= {"start", "stop", "open", "close", "login", "logout", "isLoggedIn", "describeCustomer",
                            "describeConversation", "addListener", "removeListener", "isChatAvailable",
                            "createConversation", "openConversationById", "getOpenConversations", "openKbArticle",
                            "openKbCategory", "getUnreadCount"}


# The README's sample, in its order: the tag first, then a script that listens for kustomerLoaded.
README_SAMPLE = """
  window.addEventListener('kustomerLoaded', function () {
    Kustomer.start({ hideChatIcon: false }, function () {
      Kustomer.createConversation({ message: 'I need some help' }, function (response, error) {
        window.created = [response, error === undefined];
        window.started = true;
      });
    });
  });"""


def test_the_readme_sample_listening_after_the_tag_starts_the_widget(host_page):
    page = started(host_page(after=README_SAMPLE))
    response, no_error = page.evaluate("window.created")
    assert no_error and set(response) == {"conversationId", "createdAt", "ended", "isInAssistantMode"}
    assert page.locator(FRAME).count() == 1


def test_start_renders_the_launcher_in_kustomers_iframe(host_page):
    page = started(host_page(after=START))
    frame = page.frame_locator(FRAME)
    frame.get_by_test_id("launcher").click()
    frame.get_by_test_id("panel").wait_for()
    assert page.locator(FRAME).count() == 1


def test_start_with_hide_chat_icon_shows_nothing_until_open(host_page):
    page = started(host_page(after="Kustomer.start({hideChatIcon: true}, function () { window.started = true; });"))
    assert not page.locator(FRAME).is_visible()
    run(page, "Kustomer.open(() => done(true))")
    page.frame_locator(FRAME).get_by_test_id("panel").wait_for()
    assert page.frame_locator(FRAME).get_by_test_id("launcher").is_hidden()


def test_open_and_close_fire_on_open_and_on_close(host_page):
    page = started(host_page(after=START))
    events = run(page, """
        const seen = [];
        Kustomer.addListener('onOpen', () => seen.push('open'));
        Kustomer.addListener('onClose', () => seen.push('close'));
        Kustomer.open(() => Kustomer.close(() => done(seen)));""")
    assert events == ["open", "close"]


def test_create_conversation_with_message_answers_the_documented_shape(host_page):
    page = started(host_page(after=START))
    result = run(page, "Kustomer.createConversation({message: 'I need help'}, (r, e) => done({r, e: err(e)}));")
    assert result["e"] is None
    assert set(result["r"]) == {"conversationId", "createdAt", "ended", "isInAssistantMode"}
    assert re.fullmatch(r"[0-9a-f]{24}", result["r"]["conversationId"])
    page.frame_locator(FRAME).locator("[data-direction=in]").filter(has_text="I need help").wait_for()


def test_create_conversation_without_options_creates_nothing_until_the_first_message(host_page, mock, key):
    page = started(host_page(after=START))
    run(page, """Kustomer.addListener('onConversationCreate', r => window.created = r);
                 Kustomer.createConversation(); done(true);""")
    frame = page.frame_locator(FRAME)
    frame.get_by_test_id("composer-input").wait_for()
    assert run(page, "Kustomer.getOpenConversations(r => done(r.length))") == 0
    frame.get_by_test_id("composer-input").fill("Hello there")
    frame.get_by_test_id("send").click()
    page.wait_for_function("window.created && window.created.conversationId")
    assert run(page, "Kustomer.getOpenConversations(r => done(r.map(c => c.preview)))") == ["Hello there"]


def test_create_conversation_with_custom_attributes_and_an_error(host_page):
    page = started(host_page(after=START))
    ok = run(page, """Kustomer.createConversation({message: 'Order issue', customAttributes: {orderNumberStr: 'A-1'}},
                                                  (r, e) => done(err(e)));""")
    assert ok is None
    bad = run(page, """Kustomer.createConversation({message: 'x', customAttributes: {noSuchStr: 'y'}},
                                                   (r, e) => done({r, e: err(e)}));""")
    assert bad["r"] is None
    assert bad["e"]["isError"] and bad["e"]["status"] == 400 and bad["e"]["code"] == "unknown_attribute"
    assert bad["e"]["source"] == {"pointer": "/customAttributes/noSuchStr"}


def test_open_conversation_by_id_and_an_unknown_id(host_page):
    page = started(host_page(after=START))
    cid = run(page, "Kustomer.createConversation({message: 'first'}, r => done(r.conversationId))")
    assert run(page, f"Kustomer.openConversationById({{conversationId: '{cid}'}}, (r, e) => done([r, err(e)]))") == [None, None]
    missing = run(page, "Kustomer.openConversationById({conversationId: 'aaaaaaaaaaaaaaaaaaaaaaaa'}, (r, e) => done([r === null, err(e)]))")
    assert missing[0] is True   # documented: function (null, error)
    assert missing[1]["status"] == 404 and missing[1]["code"] == "not_found"


def test_get_open_conversations_and_get_unread_count(host_page):
    page = started(host_page(after=START))
    run(page, "Kustomer.createConversation({message: 'one'}, () => done())")
    conversations = run(page, "Kustomer.getOpenConversations((r, e) => done(r))")
    assert [c["preview"] for c in conversations] == ["one"]
    assert {"conversationId", "createdAt", "ended", "lastMessageAt", "preview"} <= set(conversations[0])
    assert page.evaluate("Kustomer.getUnreadCount()") == {"total": 0, "conversations": {}}


def test_is_chat_available_is_synchronous(host_page, admin):
    page = started(host_page(after=START))
    assert page.evaluate("Kustomer.isChatAvailable()") == {"availability": "online"}


def test_describe_customer_and_describe_conversation(host_page, admin):
    page = started(host_page(after=START))
    customer = run(page, """Kustomer.describeCustomer({attributes: {sharedEmails: ['ada@example.com'],
                              sharedSocials: [{username: 'ada', type: 'twitter'}]},
                              customAttributes: {loyaltyTierStr: 'gold'}}, (r, e) => done({r, e: err(e)}))""")
    assert customer["e"] is None, customer
    assert customer["r"]["sharedEmails"] == ["ada@example.com"]
    cid = run(page, "Kustomer.createConversation({message: 'hi'}, r => done(r.conversationId))")
    described = run(page, f"""Kustomer.describeConversation({{conversationId: '{cid}',
                                customAttributes: {{orderNumberStr: 'B-2'}}}}, (r, e) => done({{r, e: err(e)}}))""")
    assert described["e"] is None and described["r"]["customAttributes"]["orderNumberStr"] == "B-2"
    assert admin.sdk_warnings() == []


def test_describe_customer_old_names_still_work_with_a_warning(host_page, admin):
    page = started(host_page(after=START))
    customer = run(page, """Kustomer.describeCustomer({attributes: {emails: ['old@example.com']}},
                                                      (r, e) => done({r, e: err(e)}))""")
    assert customer["e"] is None and customer["r"]["sharedEmails"] == ["old@example.com"]
    for _ in range(50):  # the warning is posted in the background: it may land after the callback
        reasons = [w["reason"] for w in admin.sdk_warnings() if w["method"] == "describeCustomer"]
        if reasons:
            break
        page.wait_for_timeout(100)
    assert reasons == ["attributes.emails is an older name: use attributes.sharedEmails"]


def test_login_is_logged_in_and_logout(host_page, admin):
    page = started(host_page(after=START))
    secret = admin.org()["chatSecret"]
    token = make_login_token(secret, email="ada@example.com", iat=None)
    result = run(page, f"""
        const seen = [];
        Kustomer.addListener('onLogin', r => seen.push(['login', r.identified]));
        Kustomer.addListener('onLogout', () => seen.push(['logout']));
        Kustomer.login({{jwtToken: '{token}'}}, (r, e) => {{
          if (e) return done({{e: err(e)}});
          Kustomer.isLoggedIn({{email: 'ada@example.com'}}, (logged) => {{
            const wait = () => seen.length ? Kustomer.logout((o, e2) => setTimeout(() => done({{r, logged, seen, e2: err(e2)}}), 300))
                                           : setTimeout(wait, 50);
            wait();
          }});
        }});""")
    assert result.get("e") is None, result
    assert result["r"]["identified"] is True and result["r"]["email"] == "ada@example.com"
    assert result["logged"] is True
    assert result["seen"] == [["login", True], ["logout"]]
    assert run(page, "Kustomer.isLoggedIn({email: 'ada@example.com'}, r => done(r))") is False


def test_add_and_remove_listener(host_page, admin):
    page = started(host_page(after=START))
    count = run(page, """
        let n = 0; const fn = () => n++;
        Kustomer.addListener('onConversationCreate', fn);
        Kustomer.createConversation({message: 'a'}, () => setTimeout(() => {
          Kustomer.removeListener('onConversationCreate', fn);
          Kustomer.createConversation({message: 'b'}, () => setTimeout(() => done(n), 500));
        }, 500));""")
    assert count == 1
    assert admin.sdk_warnings() == []


def _kb_ids(mock, key):
    headers = {"Authorization": f"Bearer {key}"}
    token = requests.post(f"{mock}/c/v1/tracking/tokens", headers=headers, timeout=10).json()["trackingToken"]
    headers["x-kustomer-tracking-token"] = token
    categories = requests.get(f"{mock}/c/v1/kb/categories", headers=headers, timeout=10).json()["categories"]
    for category in categories:
        articles = requests.get(f"{mock}/c/v1/kb/categories/{category}/articles", headers=headers, timeout=10).json()
        if articles["articles"]:
            return category, articles["articles"][0]
    raise AssertionError("the default KB has no category with articles")


def test_open_kb_article_and_category(host_page, mock, key):
    page = started(host_page(after=START))
    category, article = _kb_ids(mock, key)
    assert run(page, f"Kustomer.openKbArticle('{article['articleId']}', (r, e) => done([r, err(e)]))") == [None, None]
    page.frame_locator(FRAME).get_by_test_id("kb-article").filter(has_text=article["title"]).wait_for()
    assert run(page, f"Kustomer.openKbCategory('{category}', (r, e) => done([r, err(e)]))") == [None, None]
    page.frame_locator(FRAME).get_by_test_id("kb-category").wait_for()
    missing = run(page, "Kustomer.openKbArticle('nope', (r, e) => done([r === null, err(e)]))")
    assert missing[0] is True   # documented: function (null, error)
    assert missing[1]["status"] == 404 and missing[1]["code"] == "not_found"
    missing = run(page, "Kustomer.openKbCategory('nope', (r, e) => done([r === null, err(e)]))")
    assert missing[0] is True and missing[1]["code"] == "not_found"


def test_stop_removes_the_widget_and_later_calls_are_refused(host_page):
    page = started(host_page(after=START))
    result = run(page, """Kustomer.stop(() => Kustomer.createConversation({message: 'late'}, (r, e) => done({
        frames: document.querySelectorAll('#kustomer-ui-sdk-iframe').length, e: err(e)})));""")
    assert result["frames"] == 0
    assert result["e"]["code"] == "not_started"


def test_host_styles_do_not_reach_the_widget(host_page):
    page = started(host_page(after="Kustomer.start({}, () => { Kustomer.open(); window.started = true; });"))
    button = page.frame_locator(FRAME).get_by_test_id("new-conversation")
    button.wait_for()
    background = button.evaluate("b => getComputedStyle(b).backgroundColor")
    font = button.evaluate("b => getComputedStyle(b).fontFamily")
    assert background != "rgb(0, 128, 0)" and "serif" != font.strip()
    assert page.evaluate("getComputedStyle(document.getElementById('host-button')).backgroundColor") == "rgb(0, 128, 0)"


@pytest.mark.parametrize(("availability", "visible", "banner"), [
    ("online", True, False),
    ("offline", True, True),
    ("hidden", False, False),
    ("disabled", False, False),
])
def test_availability_is_shown_as_kustomer_shows_it(host_page, admin, availability, visible, banner):
    admin.settings(availability=availability)
    page = started(host_page(after=START))
    assert page.evaluate("Kustomer.isChatAvailable()") == {"availability": availability}
    assert page.locator(FRAME).is_visible() is visible
    if visible:
        run(page, "Kustomer.open(() => done())")
        assert page.frame_locator(FRAME).get_by_test_id("availability-banner").is_visible() is banner


def test_screenshot_of_the_open_widget(host_page, admin, key):
    page = started(host_page(after="Kustomer.start({assistantId: '5f0c1a2b3c4d5e6f7a8bb002'}, () => { window.started = true; });"))
    conversation = run(page, "Kustomer.createConversation({message: 'Hi! I would like to return my order.'}, r => done(r.conversationId))")
    frame = page.frame_locator(FRAME)
    frame.get_by_role("button", name="Start a return").wait_for()
    path = artifact("widget-open.png")
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    assert conversation


@pytest.mark.parametrize(("call", "code", "pointer", "reason"), [
    ("Kustomer.describeConversation({customAttributes: {orderNumberStr: 'A'}}, cb)", "missing_field", "/conversationId",
     "conversationId is required"),
    ("Kustomer.describeConversation({conversationId: 42}, cb)", "invalid_field", "/conversationId",
     'option "conversationId" must be string, not number'),
    ("Kustomer.openConversationById({}, cb)", "missing_field", "/conversationId", "conversationId is required"),
    ("Kustomer.openConversationById('abc', cb)", "invalid_field", "/conversationId", "options must be an object, not string"),
    ("Kustomer.openKbArticle(undefined, cb)", "missing_field", "/articleId", "articleId is required"),
    ("Kustomer.openKbArticle(7, cb)", "invalid_field", "/articleId", "articleId must be a non-empty string, not number"),
    ("Kustomer.openKbCategory(undefined, cb)", "missing_field", "/categoryId", "categoryId is required"),
])
def test_a_missing_or_wrong_id_sends_nothing_and_answers_a_field_error(host_page, admin, call, code, pointer, reason):
    page = started(host_page(after=START))
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/c/v1/chat/sessions" in request.url
            or "/c/v1/kb/" in request.url else None)
    result = run(page, f"const cb = (r, e) => done({{r: r === undefined ? 'undefined' : r, e: err(e)}}); {call};")
    assert result["e"]["isError"] and result["e"]["status"] == 400
    assert result["e"]["code"] == code and result["e"]["source"] == {"pointer": pointer}
    assert result["r"] == ("undefined" if call.startswith("Kustomer.describe") else None)
    assert sent == []
    method = call.split("(")[0].split(".")[1]
    for _ in range(50):
        found = [(w["method"], w["reason"]) for w in admin.sdk_warnings()]
        if found:
            break
        page.wait_for_timeout(100)
    assert found == [(method, reason)]


def test_a_message_that_fails_to_send_stays_in_the_input_with_a_retry(host_page, admin, key):
    page = started(host_page(after=START))
    run(page, "Kustomer.createConversation({message: 'first'}, () => done(true))")
    run(page, "Kustomer.open(); done(true)")
    frame = page.frame_locator(FRAME)
    frame.locator("[data-direction=in]").filter(has_text="first").wait_for()
    admin.faults.add({"match": {"operation": "sendMessage", "org": key}, "respond": {"status": 503}, "times": 1})
    frame.get_by_test_id("composer-input").fill("second try")
    frame.get_by_test_id("send").click()
    frame.get_by_test_id("send-error").wait_for()
    assert frame.get_by_test_id("composer-input").input_value() == "second try"
    assert "Not sent:" in frame.get_by_test_id("send-error").inner_text()
    frame.get_by_test_id("retry").click()
    frame.locator("[data-direction=in]").filter(has_text="second try").wait_for()
    assert frame.get_by_test_id("composer-input").input_value() == ""
    assert frame.get_by_test_id("send-error").count() == 0

"""Live behaviour in Chromium: calls before start, agent replies, assistants, faults, two tabs, warnings."""
from __future__ import annotations

import pytest

from .conftest import run, started

FRAME = "#kustomer-ui-sdk-iframe"
START = "Kustomer.start({}, function () { window.started = true; });"
RETURNS = "5f0c1a2b3c4d5e6f7a8bb002"   # Button first question (fixtures/assistants.yaml)
TRIAGE = "5f0c1a2b3c4d5e6f7a8bb003"    # tree (mll) first question


def _requests_to(page, fragment):
    seen = []
    page.on("request", lambda request: seen.append(request.url) if fragment in request.url else None)
    return seen


def test_a_call_during_a_slow_start_sends_nothing_and_says_to_use_the_start_callback(host_page, admin, context):
    admin.settings(startDelayMs=1500)
    page = host_page()
    sessions = _requests_to(page, "/c/v1/chat/sessions")
    result = run(page, """
        Kustomer.start({}, () => { window.started = true; });
        Kustomer.createConversation({message: 'too early'}, (r, e) => done({r, e: err(e), errors: window.errors}));""")
    assert result["r"] is None
    assert result["e"]["isError"] and result["e"]["code"] == "not_started"
    assert "from the start callback" in result["e"]["message"]
    assert any("from the start callback" in line for line in result["errors"])
    started(page)
    assert sessions == []
    warnings = admin.sdk_warnings()
    assert [(w["method"], w["reason"]) for w in warnings] == [
        ("createConversation", "called before start finished (while start() was still running)")]
    assert warnings[0]["pageUrl"].startswith("http://localhost:")


def test_a_call_before_start_and_after_stop(host_page):
    page = host_page()
    before = run(page, "Kustomer.getOpenConversations((r, e) => done(err(e)))")
    assert before["code"] == "not_started" and "before Kustomer.start()" in before["message"]
    assert page.evaluate("Kustomer.isChatAvailable()") == {"availability": "none"}
    after = run(page, """Kustomer.start({}, () => Kustomer.stop(() =>
        Kustomer.describeCustomer({attributes: {}}, (r, e) => done(err(e)))));""")
    assert after["code"] == "not_started" and "after Kustomer.stop()" in after["message"]


def test_a_listener_added_before_start_is_never_called_with_an_error(host_page, admin):
    page = host_page(before="window.onerror = function (m) { (window.thrown = window.thrown || []).push(String(m)); };")
    result = run(page, """
        window.calls = [];
        Kustomer.addListener('onUnread', function (r, e) { window.calls.push([r, e]); throw new Error('host bug'); });
        Kustomer.stop((r, e) => setTimeout(() => done({calls: window.calls, thrown: window.thrown || [], e: err(e)}), 200));""")
    assert result["calls"] == [] and result["thrown"] == []
    assert result["e"]["isError"] and result["e"]["code"] == "not_started"
    for _ in range(50):
        found = [(w["method"], w["reason"]) for w in admin.sdk_warnings()]
        if len(found) == 2:
            break
        page.wait_for_timeout(100)
    # two warnings, posted as two requests: they may land in either order
    assert sorted(found) == [("addListener", "called before start finished (before start())"),
                             ("stop", "called before start finished (before start())")]


def test_a_callback_that_throws_on_a_refused_call_does_not_reach_the_page(host_page):
    page = host_page(before="window.onerror = function (m) { (window.thrown = window.thrown || []).push(String(m)); };")
    result = run(page, """
        Kustomer.getOpenConversations(function () { window.called = true; throw new Error('host bug'); });
        setTimeout(() => done({called: window.called, thrown: window.thrown || []}), 200);""")
    assert result == {"called": True, "thrown": []}


def test_start_called_before_the_page_body_exists_is_queued(context, page_root, page_origin, mock, key):
    (page_root / f"{key}-head.html").write_text(f"""<!doctype html><html><head>
        <script src="{mock}/chat-web/widget.js" data-kustomer-api-key="{key}"></script>
        <script>Kustomer.start({{}}, function () {{ window.started = true; }});</script></head>
        <body><p>late body</p></body></html>""")
    page = context.new_page()
    page.goto(f"{page_origin}/{key}-head.html")
    started(page)
    assert page.locator(FRAME).count() == 1


def test_an_agent_reply_arrives_live_and_raises_on_unread(host_page, admin):
    page = started(host_page(after=START))
    ids = run(page, """
        window.unread = []; window.received = [];
        Kustomer.addListener('onUnread', r => window.unread.push(r));
        Kustomer.addListener('onMessageReceived', r => window.received.push(r));
        Kustomer.createConversation({message: 'Is anyone there?'},
                                    r => Kustomer.close(() => done(r.conversationId)));""")  # closed: nothing reads it
    conversation = ids
    customer_id = admin.customer_of(conversation)
    admin.agent_reply(conversation, "Hi, I'm here to help.", customer_id=customer_id)
    page.wait_for_function("window.unread.length > 0")
    unread = page.evaluate("window.unread[0]")
    assert unread == {"total": 1, "conversations": {conversation: 1},
                      "change": {"conversationId": conversation, "count": 1}}
    received = page.evaluate("window.received[0]")
    assert received["body"] == "Hi, I'm here to help." and received["direction"] == "out"
    assert page.evaluate("Kustomer.getUnreadCount()")["total"] == 1
    frame = page.frame_locator(FRAME)
    assert frame.get_by_test_id("unread-badge").inner_text() == "1"
    run(page, "Kustomer.open(() => done())")  # the open thread reads the reply: the count falls back
    page.wait_for_function("window.unread.length === 2")
    assert page.evaluate("window.unread[1]") == {"total": 0, "conversations": {},
                                                 "change": {"conversationId": conversation, "count": -1}}
    assert frame.get_by_test_id("unread-badge").is_hidden()


def test_two_tabs_of_one_customer_both_receive_one_agent_reply(host_page, admin, context):
    first = started(host_page(after=START))
    conversation = run(first, """window.received = [];
        Kustomer.addListener('onMessageReceived', r => window.received.push(r.body));
        Kustomer.createConversation({message: 'from tab one'}, r => done(r.conversationId));""")
    second = started(host_page(after=START))
    run(second, "window.received = []; Kustomer.addListener('onMessageReceived', r => window.received.push(r.body)); done();")
    assert first.evaluate("Object.values(localStorage)") == second.evaluate("Object.values(localStorage)")
    assert [c["conversationId"] for c in run(second, "Kustomer.getOpenConversations(r => done(r))")] == [conversation]
    admin.agent_reply(conversation, "One reply for both tabs")
    for page in (first, second):
        page.wait_for_function("window.received.length === 1")
        assert page.evaluate("window.received") == ["One reply for both tabs"]


def test_a_logout_in_one_tab_keeps_both_tabs_one_customer(host_page, admin):
    from mock_server.domain.identity import make_login_token
    token = make_login_token(admin.org()["chatSecret"], email="tabs@example.com", iat=None)
    first = started(host_page(after=START))
    run(first, f"Kustomer.login({{jwtToken: '{token}'}}, () => done());")
    second = started(host_page(after=START))
    run(second, """window.received = [];
        Kustomer.addListener('onMessageReceived', r => window.received.push(r.body));
        Kustomer.addListener('onLogout', () => window.loggedOut = true); done();""")
    run(first, "Kustomer.logout(() => done());")
    second.wait_for_function("window.loggedOut === true")
    customer = "Kustomer.describeCustomer({attributes: {}}, (r, e) => done(r && r.customerId))"
    for _ in range(50):  # the second tab adopts the first tab's new session
        ids = run(first, customer), run(second, customer)
        if ids[0] == ids[1]:
            break
        second.wait_for_timeout(100)
    assert ids[0] == ids[1] and ids[0]
    conversation = run(first, "Kustomer.createConversation({message: 'after the logout'}, r => done(r.conversationId))")
    admin.agent_reply(conversation, "one reply, both tabs", customer_id=ids[0])
    second.wait_for_function("window.received.length === 1")
    assert second.evaluate("window.received") == ["one reply, both tabs"]


def test_an_org_reset_under_an_open_page_starts_a_new_session(host_page, admin, mock, key):
    import requests
    page = started(host_page(after=START))
    run(page, """window.received = [];
        Kustomer.addListener('onMessageReceived', r => window.received.push(r.body));
        Kustomer.createConversation({message: 'before the reset'}, () => done());""")
    assert requests.post(f"{mock}/__admin/reset?org={key}", timeout=10).status_code == 200
    result = run(page, "Kustomer.createConversation({message: 'after the reset'}, (r, e) => done({r, e: err(e)}))")
    assert result["e"] is None, result
    conversation = result["r"]["conversationId"]
    admin.agent_reply(conversation, "live after the reset")
    page.wait_for_function("window.received.includes('live after the reset')")


def test_a_call_refused_after_another_calls_restart_takes_the_new_session_instead_of_restarting_again(
        host_page, admin, mock, key):
    import requests
    page = host_page(script="core.js", after="KustomerCore.init({}, () => { window.started = true; });")
    started(page)
    run(page, """window.received = [];
        KustomerCore.addListener('onMessageReceived', r => window.received.push(r.body));
        // a slow network: the answer to describeCustomer reaches the page 1.5 s after the mock sent it
        const send = window.fetch;
        window.fetch = (url, init) => send(url, init).then(answer => String(url).includes('/customers/current')
            ? new Promise(later => setTimeout(() => later(answer), 1500)) : answer);
        done();""")
    before = admin.requests()[-1]["id"]
    assert requests.post(f"{mock}/__admin/reset?org={key}", timeout=10).status_code == 200
    # both calls leave with the forgotten token; the slow one's refusal arrives after the other restarted
    result = run(page, """
        KustomerCore.describeCustomer({attributes: {}}, (r, e) => { window.slow = {r, e: err(e)}; });
        KustomerCore.createConversation({message: 'after the reset'}, (r, e) => done({r, e: err(e)}))""")
    assert result["e"] is None, result
    page.wait_for_function("window.slow !== undefined")
    assert page.evaluate("window.slow.e") is None
    starts = [r for r in admin.requests("start", status=200) if r["id"] > before]
    assert len(starts) == 1, starts   # one new session (one customer), not one per refused call
    admin.agent_reply(result["r"]["conversationId"], "live after the reset")
    page.wait_for_function("window.received.includes('live after the reset')", timeout=10_000)


def test_an_org_reset_under_an_idle_page_restarts_from_the_refused_stream(host_page, mock, key):
    import requests
    page = started(host_page(after=START))
    answers = []
    page.on("response", lambda r: answers.append((r.url.split("/c/v1/")[1].split("?")[0], r.status))
            if "/c/v1/" in r.url and "/diagnostics" not in r.url else None)
    # the refused stream checks its token and starts again: that new start is the sign it recovered
    with page.expect_response(lambda r: "/c/v1/tracking/tokens" in r.url and r.status == 200, timeout=10_000):
        assert requests.post(f"{mock}/__admin/reset?org={key}", timeout=10).status_code == 200
    assert ("events", 401) in answers and ("tracking/tokens", 200) in answers   # refused, then started again


def test_agent_typing_shows_live_in_the_open_thread(host_page, admin):
    page = started(host_page(after=START))
    conversation = run(page, "Kustomer.createConversation({message: 'typing?'}, r => done(r.conversationId))")
    admin.agent_typing(conversation, True)
    frame = page.frame_locator(FRAME)
    frame.get_by_test_id("typing").filter(has_text="is typing").wait_for()
    admin.agent_reply(conversation, "Done typing")
    frame.locator("[data-direction=out]").filter(has_text="Done typing").wait_for()
    assert frame.get_by_test_id("typing").is_hidden()


def test_an_assistant_button_question_clicked_through_to_a_handoff(host_page, admin):
    page = started(host_page(after=f"Kustomer.start({{assistantId: '{RETURNS}'}}, () => {{ window.started = true; }});"))
    run(page, """window.ended = [];
        Kustomer.addListener('onAssistantEnded', r => window.ended.push(r));
        Kustomer.createConversation(); done();""")
    frame = page.frame_locator(FRAME)
    frame.get_by_role("button", name="Start a return").click()
    frame.locator("[data-direction=out]").filter(has_text="Which order would you like to return?").wait_for()
    frame.get_by_test_id("composer-input").fill("A-1042")
    frame.get_by_test_id("send").click()
    frame.locator("[data-direction=out]").filter(has_text="Our returns team will take it from here").wait_for()
    page.wait_for_function("window.ended.length === 1")
    assert page.evaluate("window.ended[0].isInAssistantMode") is False
    bodies = frame.locator("[data-direction=in]").all_inner_texts()
    assert bodies == ["Start a return", "A-1042"]


def test_a_tree_question_is_answered_by_nested_choices(host_page, admin):
    page = started(host_page(after=f"Kustomer.start({{assistantId: '{TRIAGE}'}}, () => {{ window.started = true; }});"))
    run(page, "window.sent = []; Kustomer.addListener('onMessageSent', r => window.sent.push(r)); Kustomer.createConversation(); done();")
    frame = page.frame_locator(FRAME)
    branch = frame.locator(".choice.branch").first
    branch.wait_for()
    branch_name = branch.inner_text().rstrip(" \u203a")
    branch.click()
    leaf = frame.locator(".choice:not(.branch):not(.tree-back)").first
    leaf_id, leaf_name = leaf.get_attribute("data-node-id"), leaf.inner_text()
    assert leaf_id.count(".") >= 1 and branch_name
    leaf.click()
    frame.locator("[data-direction=in]").filter(has_text=leaf_name).wait_for()
    page.wait_for_function("window.sent.some(m => m.meta && m.meta.payload !== undefined)")
    payloads = page.evaluate("window.sent.map(m => m.meta && m.meta.payload).filter(Boolean)")
    assert payloads == [leaf_id]


def test_a_fault_gives_create_conversation_an_error_with_status_and_code(host_page, admin, key):
    page = started(host_page(after=START))
    admin.faults.add({"match": {"operation": "createConversation", "org": key},
                 "respond": {"status": 503, "code": "service_unavailable"}, "times": 1})
    try:
        result = run(page, "Kustomer.createConversation({message: 'hello'}, (r, e) => done({r, e: err(e)}))")
    finally:
        admin.faults.clear()
    assert result["r"] is None
    assert result["e"]["isError"] and result["e"]["status"] == 503 and result["e"]["code"] == "service_unavailable"
    assert result["e"]["title"]


@pytest.mark.parametrize(("script", "method", "reason"), [
    ("Kustomer.start({}, () => {}); Kustomer.start({}, () => {});", "start",
     "start was called twice; the second call is ignored"),
    ("Kustomer.createConversation({mesage: 'typo'}, () => {});", "createConversation",
     'unknown option "mesage" (known: message, assistantId, customAttributes, brandId, lang)'),
    ("Kustomer.createConversation('hello', () => {});", "createConversation", "options must be an object, not string"),
    ("Kustomer.removeListener('onUnread', function () {});", "removeListener",
     'this function was never added as a "onUnread" listener (removeListener needs the same function reference '
     "that addListener got)"),
    ("Kustomer.createConversation({message: 'x', customAttributes: {nopeStr: 1}});", "createConversation",
     "failed (unknown_attribute) and no callback was given to see the error"),
])
def test_misuse_is_recorded_as_an_sdk_warning(host_page, admin, script, method, reason):
    page = started(host_page(after=START))
    page.evaluate(script)
    page.wait_for_function("true")
    for _ in range(50):
        found = [(w["method"], w["reason"]) for w in admin.sdk_warnings()]
        if (method, reason) in found:
            break
        page.wait_for_timeout(100)
    assert (method, reason) in found


def test_a_cut_stream_reconnects_and_loses_or_doubles_nothing(host_page, admin, key):
    admin.faults.add({"match": {"operation": "eventStream", "org": key}, "drop": "cut", "cutAfter": 2, "times": 1})
    try:
        page = started(host_page(after=START))
        conversation = run(page, """window.names = []; window.bodies = [];
            ['onConversationCreate', 'onMessageSent', 'onMessageReceived', 'onUnread'].forEach(name =>
              Kustomer.addListener(name, r => { window.names.push(name); if (r.body) window.bodies.push(r.body); }));
            Kustomer.createConversation({message: 'before the cut'}, r => Kustomer.close(() => done(r.conversationId)));""")
        page.wait_for_function("window.names.length === 2")  # the two events the stream sends before its cut
        customer = admin.customer_of(conversation)
        admin.agent_reply(conversation, "written while the stream was down", customer_id=customer)
        admin.agent_reply(conversation, "and one more", customer_id=customer)
        page.wait_for_function("window.bodies.length === 3")
        page.wait_for_timeout(300)
    finally:
        admin.faults.clear()
    assert sorted(page.evaluate("window.names")) == sorted(
        ["onConversationCreate", "onMessageSent", "onMessageReceived", "onUnread", "onMessageReceived", "onUnread"])
    assert page.evaluate("window.bodies") == ["before the cut", "written while the stream was down", "and one more"]

"""widget.js in Chromium: every documented method of window.Kustomer, against the mock over real sockets."""
from __future__ import annotations

import re

import pytest

START = "Kustomer.start({}, function () { window.started = true; });"


def started(page):
    """Wait until the start callback has run."""
    page.wait_for_function("window.started === true", timeout=10_000)
    return page


def run(page, script: str, timeout: int = 10_000):
    """Run `script` (which calls done(value)) in the page and answer the value."""
    return page.evaluate("""script => new Promise((resolve, reject) => {
        const done = value => resolve(value);
        const err = e => e ? {message: e.message, status: e.status, code: e.code, title: e.title,
                              source: e.source, isError: e instanceof Error} : e;
        try { eval(script); } catch (e) { reject(e); }
    })""", script)


def test_loader_defines_kustomer_synchronously_and_fires_kustomer_loaded(host_page):
    page = host_page(before="window.addEventListener('kustomerLoaded', function () { window.loaded = typeof Kustomer; });",
                     after="window.syncType = typeof Kustomer.start;")
    assert page.evaluate("window.syncType") == "function"
    assert page.evaluate("window.loaded") == "object"


def test_create_conversation_with_message_answers_the_documented_shape(host_page):
    page = started(host_page(after=START))
    result = run(page, """Kustomer.createConversation({message: 'I need help'}, (r, e) => done({r, e: err(e)}));""")
    assert result["e"] is None
    assert set(result["r"]) == {"conversationId", "createdAt", "ended", "isInAssistantMode"}
    assert re.fullmatch(r"[0-9a-f]{24}", result["r"]["conversationId"])
    frame = page.frame_locator("#kustomer-ui-sdk-iframe")
    frame.locator("[data-direction=in]").filter(has_text="I need help").wait_for()

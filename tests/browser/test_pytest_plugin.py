"""The README's front-end recipe, in Chromium: a page under test with kustomer_mock's script tag."""
from __future__ import annotations

PAGE = """<!doctype html><html><body><h1>Shop</h1>
<script>
window.received = [];
window.addEventListener('kustomerLoaded', function () {{
  Kustomer.start({{}}, function () {{
    Kustomer.addListener('onMessageReceived', function (message) {{ window.received.push(message.body); }});
    Kustomer.createConversation({{message: 'Where is my order?'}}, function (r) {{ window.conversation = r.conversationId; }});
  }});
}});
</script>
{tag}
</body></html>"""


def test_a_page_under_test_talks_to_the_mock_and_gets_an_agent_reply(context, page_root, page_origin, kustomer_mock):
    # the page under test, from a server on another origin than the mock (as a front-end dev server)
    (page_root / "shop.html").write_text(PAGE.format(tag=kustomer_mock.widget_script_tag()))
    page = context.new_page()
    page.goto(f"{page_origin}/shop.html")
    created = kustomer_mock.wait_for("createConversation", timeout=10, status=201)
    conversation = created["responseBody"]["conversationId"]
    kustomer_mock.agent_reply(conversation, "Alex here: it ships today.")
    page.wait_for_function("window.received.includes('Alex here: it ships today.')", timeout=10_000)
    kustomer_mock.assert_called("createConversation", times=1, message="Where is my order?")
    kustomer_mock.assert_no_sdk_warnings()

"""CORS as a real browser applies it: a page on another origin calls the chat API, not the control API."""
from __future__ import annotations

import requests

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>front-end</title></head><body><script>
async function run(mock, key) {
  const out = {};
  const auth = {"Authorization": "Bearer " + key, "Content-Type": "application/json"};
  const start = await fetch(mock + "/c/v1/tracking/tokens", {method: "POST", headers: auth, body: "{}"});
  const token = (await start.json()).trackingToken;
  const headers = {...auth, "x-kustomer-tracking-token": token};
  const created = await fetch(mock + "/c/v1/chat/sessions", {method: "POST", headers,
                                                             body: JSON.stringify({message: "from another origin"})});
  out.created = [created.status, (await created.json()).conversationId, token];
  const refused = await fetch(mock + "/c/v1/chat/sessions/000000000000000000000000", {headers});
  out.notFound = [refused.status, (await refused.json()).errors[0].code];
  try { await fetch(mock + "/__admin/orgs/" + key); out.admin = "readable"; }
  catch (e) { out.admin = "blocked"; }
  try { await fetch(mock + "/__admin/reset?org=" + key, {method: "POST"}); out.reset = "readable"; }
  catch (e) { out.reset = "blocked"; }
  return out;
}
</script></body></html>"""


def test_a_page_on_another_origin_may_chat_but_not_drive_the_mock(context, page_root, page_origin, mock, key):
    (page_root / "cors.html").write_text(PAGE)
    page = context.new_page()
    page.goto(f"{page_origin}/cors.html")
    assert page_origin.split(":")[-1] != mock.split(":")[-1]   # really two origins
    out = page.evaluate("([mock, key]) => run(mock, key)", [mock, key])
    assert out["created"][0] == 201
    assert out["notFound"] == [404, "not_found"]   # errors are readable cross-origin too
    assert out["admin"] == "blocked" and out["reset"] == "blocked"
    # the simple POST reached the mock, which refused it: the org was not reset, the session lives on
    _, conversation_id, token = out["created"]
    rv = requests.get(f"{mock}/c/v1/chat/sessions/{conversation_id}", timeout=10,
                      headers={"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token})
    assert rv.status_code == 200


def test_a_start_refused_by_cors_names_the_cause_and_later_calls_say_start_failed(context, page_root, page_origin, key):
    from mock_server import create_app
    from mock_server.serving import ServerThread
    with ServerThread(create_app({"CORS_ORIGINS": "http://front.example"}), kind="waitress") as server:
        (page_root / f"{key}-refused.html").write_text(f"""<!doctype html><html><body>
            <script src="{server.url}/chat-web/widget.js" data-kustomer-api-key="{key}"></script>
            <script>Kustomer.start({{}}, function (r, e) {{
              window.startError = {{code: e.code, message: e.message}};
              Kustomer.createConversation({{message: 'hi'}}, function (r2, e2) {{
                window.callError = {{code: e2.code, message: e2.message, isError: e2 instanceof Error}};
              }});
            }});</script></body></html>""")
        page = context.new_page()
        page.goto(f"{page_origin}/{key}-refused.html")
        page.wait_for_function("window.callError !== undefined", timeout=10_000)
        start_error, call_error = page.evaluate("[window.startError, window.callError]")
    assert start_error["code"] == "network_error"
    assert "refusing this page's origin" in start_error["message"] and "--cors-origins" in start_error["message"]
    assert call_error["isError"] and call_error["code"] == "start_failed"
    assert "after Kustomer.start() failed (network_error: " in call_error["message"]
    assert "--cors-origins" in call_error["message"]

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

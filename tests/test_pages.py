"""The pages the mock serves to people: the dashboard's files and the demo page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mock_server import create_app

STATIC = Path(__file__).resolve().parents[1] / "mock_server" / "static"
ADMIN = "pages-admin-token"
ASSET = re.compile(r'(?:src|href)="([^"#]+)"')


def _dashboard_files():
    return sorted(p.name for p in (STATIC / "dashboard").iterdir() if p.name != "index.html")


@pytest.mark.parametrize(("path", "mimetype"), [
    ("/", "text/html"),
    ("/__admin/ui", "text/html"),
    *[(f"/__admin/ui/{name}", "text/css" if name.endswith(".css") else "text/javascript")
      for name in _dashboard_files()],
])
def test_pages_and_files_are_served_with_a_same_origin_policy(client, path, mimetype):
    rv = client.get(path)
    assert rv.status_code == 200 and rv.mimetype == mimetype
    assert rv.headers["Cache-Control"] == "no-cache"
    assert rv.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("page", ["/", "/__admin/ui"])
def test_every_file_a_page_names_is_local_and_served(client, page):
    html = client.get(page).get_data(as_text=True)
    names = [n for n in ASSET.findall(html) if n != "data:,"]
    assert names
    for name in names:
        assert name.startswith("/") and not name.startswith("//"), f"{page} loads {name} from elsewhere"
        assert client.get(name).status_code == 200, name


def test_nothing_comes_from_a_cdn():
    for path in list((STATIC / "dashboard").iterdir()) + [STATIC / "demo" / "index.html"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:src|href)=[\"']?(?:https?:)?//", text), path
        assert "import(" not in text and "@import" not in text, path


def test_the_demo_hands_off_to_the_widget_with_the_demo_key_and_known_assistants(client):
    html = client.get("/").get_data(as_text=True)
    assert '<script src="/chat-web/widget.js" data-kustomer-api-key="demo-key"></script>' in html
    assert "Kustomer.createConversation({ message:" in html and "customAttributes: customAttributes }" in html
    assert 'href="/__admin/ui#org=demo-key"' in html
    known = {a["id"] for a in client.get("/__admin/orgs/demo-key").json["assistants"]}
    named = set(re.findall(r"'([0-9a-f]{24})'", html))
    assert named and named <= known


def test_the_demo_links_every_dashboard_tab_and_names_the_readme_it_does_not_serve(client):
    html = client.get("/").get_data(as_text=True)
    dashboard = client.get("/__admin/ui").get_data(as_text=True)
    tabs = re.findall(r'data-tab="([a-z]+)"', dashboard)
    assert tabs == ["settings", "faults", "journal", "warnings", "webhooks"]
    linked = re.findall(r'href="/__admin/ui#org=demo-key&amp;tab=([a-z]+)"', html)
    assert linked == tabs
    assert "in the README of kustomer-mock (the mock does not serve it)" in html


def test_the_dashboard_calls_only_documented_routes(client):
    """What a person does in the dashboard, a script can do: every path it calls is in the OpenAPI document."""
    documented = list(client.get("/__admin/openapi.json").json["paths"])
    scripts = "".join((STATIC / "dashboard" / name).read_text(encoding="utf-8") for name in _dashboard_files())
    called = set(re.findall(r"'(/(?:__admin|v1|v2\.1)[^']*)'", scripts))
    assert {"/v2.1/chat/outbound/messages", "/v2.1/chat/outbound/typing", "/v1/conversations/",
            "/__admin/faults", "/__admin/clock", "/__admin/requests?"} <= called
    for path in called:
        prefix = path.split("?")[0]
        assert any(route.startswith(prefix) for route in documented), f"the dashboard calls {path}"


def test_an_unknown_dashboard_file_is_a_404_in_the_envelope(client):
    rv = client.get("/__admin/ui/nope.js")
    assert rv.status_code == 404 and rv.json["errors"][0]["code"] == "route_not_found"


def test_the_pages_open_without_the_admin_token_but_the_data_does_not():
    guarded = create_app({"TESTING": True, "ADMIN_TOKEN": ADMIN}).test_client()
    for path in ("/", "/__admin/ui", "/__admin/ui/main.js"):
        assert guarded.get(path).status_code == 200, path
    assert guarded.get("/__admin/orgs").json["errors"][0]["code"] == "admin_token_required"
    assert guarded.get("/__admin/orgs/k/conversations").status_code == 401
    assert guarded.delete("/__admin/ui").status_code == 401   # only reading the files is open


@pytest.mark.private_app
def test_pages_are_neither_journaled_nor_faulted(client):
    client.post("/__admin/faults", json={"respond": {"status": 503}})
    client.delete("/__admin/requests")
    for path in ("/", "/__admin/ui", "/__admin/ui/api.js"):
        assert client.get(path).status_code == 200
    assert client.get("/__admin/requests").json["total"] == 0


@pytest.mark.parametrize("path", [
    "/__admin/ui/" + "a" * 300,                 # longer than a file name may be: was a 500
    "/chat-web/ui/" + "b" * 300,
    "/__admin/ui/../../../etc/passwd",          # exists on disk, outside the folder
    "/__admin/ui/../../../etc/no-such-file",    # answers exactly as the one that exists
    "/chat-web/ui/../../../../etc/hostname",
    "/__admin/ui/../demo/index.html",
    "/__admin/ui/sdk.js",                       # the widget's parts: only shared.js is the dashboard's too
])
def test_static_routes_serve_only_their_own_files(client, path):
    rv = client.get(path)
    assert rv.status_code == 404 and rv.json["errors"][0]["code"] == "route_not_found"


def test_the_dashboard_loads_the_widgets_shared_file_as_the_widget_has_it(client):
    rv = client.get("/__admin/ui/shared.js")
    assert rv.status_code == 200 and rv.mimetype == "text/javascript"
    assert rv.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert rv.get_data(as_text=True) in client.get("/chat-web/widget.js").get_data(as_text=True)

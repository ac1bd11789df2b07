"""The browser files: widget.js and core.js bundles, the widget stylesheet, caching."""
from __future__ import annotations

import pytest

from mock_server.api.assets import BUNDLES, ENGINE, ROOT, bundle


@pytest.mark.parametrize(("path", "defines", "fires"), [
    ("/chat-web/widget.js", "window.Kustomer = api", "kustomerLoaded"),
    ("/chat-web/core.js", "window.KustomerCore = api", "kustomerCoreLoaded"),
])
def test_the_scripts_are_served_at_kustomers_paths(client, path, defines, fires):
    rv = client.get(path)
    assert rv.status_code == 200 and rv.mimetype == "application/javascript"
    text = rv.get_data(as_text=True)
    assert defines in text and f"K.announce('{fires}')" in text
    assert rv.headers["Cache-Control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": rv.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("part", ENGINE)
def test_both_scripts_share_the_engine(part):
    engine = (ROOT / "src" / part).read_text(encoding="utf-8")
    for name in BUNDLES:
        assert engine in bundle(name)


def test_every_source_file_is_in_a_bundle():
    used = {part for parts in BUNDLES.values() for part in parts}
    assert {path.name for path in (ROOT / "src").glob("*.js")} == used


def test_the_widget_stylesheet_and_unknown_files(client):
    rv = client.get("/chat-web/ui/widget.css")
    assert rv.status_code == 200 and rv.mimetype == "text/css"
    missing = client.get("/chat-web/ui/nope.css")
    assert missing.status_code == 404 and missing.json["errors"][0]["code"] == "route_not_found"
    assert client.get("/chat-web/ui/../../api/assets.py").status_code == 404

"""Browser fixtures: Debian's Chromium (headless), the mock on a real socket, and host pages served
from another origin (http://localhost:PORT) than the mock (http://127.0.0.1:PORT), as in real front-end work."""
from __future__ import annotations

import functools
import itertools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mock_server.testing import MockOrg

CHROMIUM = os.environ.get("KUSTOMER_MOCK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_keys = itertools.count(1)

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>host page</title>
<style>/* the host's own styles must not reach the widget */ * {{ font-family: serif !important; color: rgb(255, 0, 0); }}
button {{ background: rgb(0, 128, 0) !important; }}</style></head>
<body><h1>Host page</h1><button id="host-button">host</button>
<script>
window.seen = []; window.errors = [];
var original = console.error;
console.error = function () {{ window.errors.push(Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); }};
{before}
</script>
<script src="{mock}/chat-web/{script}" data-kustomer-api-key="{key}"></script>
<script>{after}</script>
</body></html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the page server's access log would drown pytest's output
        pass


@pytest.fixture(scope="session")
def page_root(tmp_path_factory):
    """The folder the host pages are written to."""
    return tmp_path_factory.mktemp("pages")


@pytest.fixture(scope="session")
def page_origin(page_root):
    """A second tiny server for host pages: another origin than the mock."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(page_root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium (scripts/test does it as root)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (its own localStorage) per test."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 760})
    yield ctx
    ctx.close()


@pytest.fixture
def mock(live_server):
    """The mock's base URL."""
    return live_server.url


@pytest.fixture
def key():
    """A key no other browser test uses, so its org is fresh."""
    return f"browser-key-{next(_keys)}"


@pytest.fixture
def admin(mock, key):
    """This test's org on the live mock (mock_server.testing.MockOrg); its faults are removed afterwards."""
    org = MockOrg(mock, key)
    yield org
    org.close(reset=False)   # the key is this test's alone: nothing to reset


@pytest.fixture
def host_page(context, page_root, page_origin, mock, key):
    """Open a host page that loads widget.js (or core.js) from the mock; answers the Playwright page."""
    names = itertools.count(1)

    def open_page(before: str = "", after: str = "", script: str = "widget.js", page=None, name=None):
        name = name or f"{key}-{next(names)}.html"
        (page_root / name).write_text(PAGE.format(mock=mock, key=key, script=script, before=before, after=after))
        page = page or context.new_page()
        page.goto(f"{page_origin}/{name}")
        return page
    return open_page


def artifact(name: str) -> Path:
    """A path under test-artifacts/ (kept by CI, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def started(page):
    """Wait until the page's start callback has set window.started."""
    page.wait_for_function("window.started === true", timeout=10_000)
    return page


def run(page, script: str):
    """Run `script` in the page; it calls done(value) (err(e) turns an Error into plain data)."""
    return page.evaluate("""script => new Promise((resolve, reject) => {
        const done = value => resolve(value === undefined ? null : value);
        const err = e => e ? {message: e.message, status: e.status, code: e.code, title: e.title,
                              source: e.source === undefined ? null : e.source, isError: e instanceof Error} : null;
        try { eval(script); } catch (e) { reject(e); }
    })""", script)

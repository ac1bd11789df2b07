"""Pages the mock serves to people: the dashboard (/__admin/ui) and a demo shop page (/).

Plain files under static/, no build step and nothing from a CDN: the Content-Security-Policy
allows this origin only, so a stray external reference fails loudly in the browser.
"""
from __future__ import annotations

import functools
from pathlib import Path

from flask import Blueprint, send_from_directory

from ..domain.errors import RouteNotFound
from .docs import operation

bp = Blueprint("pages", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static"
DASHBOARD = STATIC / "dashboard"
DEMO = STATIC / "demo"
# the DOM builder and the error-envelope reader are one file for the widget and the dashboard: the
# widget's bundle starts with it, the dashboard loads it from here
SHARED = {"shared.js": STATIC / "chat-web" / "src"}
# the demo keeps its script and styles inline, so a reader sees in one file how a page uses the SDK
POLICIES = {
    "dashboard": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "demo": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:",
}


@functools.cache
def shipped(folder: Path) -> frozenset[str]:
    """The files the mock ships in `folder` (relative names), listed once."""
    return frozenset(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def check_shipped(folder: Path, name: str) -> None:
    """RouteNotFound unless `name` is a file the mock ships there: the disk is never asked about a name."""
    # asking the disk would answer a long name with a 500 and tell any caller which paths exist elsewhere
    if name not in shipped(folder):
        raise RouteNotFound(f"no file {name[:100]} here")


def _file(folder: Path, name: str, policy: str):
    check_shipped(folder, name)
    response = send_from_directory(folder, name, max_age=0)
    response.headers["Content-Security-Policy"] = POLICIES[policy]
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/__admin/ui", endpoint="dashboardPage")
@operation(media="text/html", responses={304: None})
def dashboard_page():
    """The dashboard: orgs, live conversations, agent replies, settings, faults, journal, clock."""
    return _file(DASHBOARD, "index.html", "dashboard")


@bp.get("/__admin/ui/<path:name>", endpoint="dashboardAsset")
@operation(media="*/*", responses={304: None})
def dashboard_asset(name):
    """The dashboard's scripts (one shared with the widget) and stylesheet."""
    return _file(SHARED.get(name, DASHBOARD), name, "dashboard")


@bp.get("/", endpoint="demoPage")
@operation(media="text/html", responses={304: None})
def demo_page():
    """A small shop's help page that hands off to the widget; links to the dashboard."""
    return _file(DEMO, "index.html", "demo")

"""The browser files: drop-in fakes of Kustomer's /chat-web/widget.js and core.js, and the widget UI."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, request, send_from_directory

from .docs import operation
from .pages import check_shipped

bp = Blueprint("assets", __name__, url_prefix="/chat-web")
ROOT = Path(__file__).resolve().parent.parent / "static" / "chat-web"
# No build step: each public script is its parts, concatenated in one closure when served.
# The parts share `K` (the SDK engine) so widget.js and core.js run the same code.
# Order matters: a part may use at load time only what the parts before it define (sdk.js makes
# `E`, ui.js makes `U`); the globals (widget.js, core.js) come last. The order is src/bundles.json,
# which eslint.config.js reads too: each part is linted with the names of the parts before it.
_ORDER = json.loads((ROOT / "src" / "bundles.json").read_text(encoding="utf-8"))
ENGINE = tuple(_ORDER["engine"])
BUNDLES = {name: ENGINE + tuple(parts) for name, parts in _ORDER["bundles"].items()}


def bundle(name: str) -> str:
    """The text of one public script: its parts inside one strict-mode closure."""
    parts = [f"/* ---- {part} ---- */\n" + (ROOT / "src" / part).read_text(encoding="utf-8")
             for part in BUNDLES[name]]
    header = f"/* kustomer-mock {name}: a local fake of Kustomer's chat-web/{name} */\n"
    return header + "(function () {\n'use strict';\nvar K = {};\n" + "\n".join(parts) + "\n})();\n"


def _script(name: str) -> Response:
    text = bundle(name)
    etag = hashlib.sha1(text.encode()).hexdigest()
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    return Response(text, mimetype="application/javascript",
                    headers={"Cache-Control": "no-cache", "ETag": f'"{etag}"', "Access-Control-Allow-Origin": "*"})


@bp.get("/widget.js", endpoint="widgetScript")
@operation(media="application/javascript", responses={304: None})
def widget_script():
    """The widget SDK: defines window.Kustomer and fires kustomerLoaded."""
    return _script("widget.js")


@bp.get("/core.js", endpoint="coreScript")
@operation(media="application/javascript", responses={304: None})
def core_script():
    """The headless Core SDK: defines window.KustomerCore and fires kustomerCoreLoaded."""
    return _script("core.js")


@bp.get("/ui/<path:name>", endpoint="widgetAsset")
@operation(media="text/css", responses={304: None})
def widget_asset(name):
    """The widget UI's own files (its stylesheet), loaded inside the widget's iframe."""
    check_shipped(ROOT / "ui", name)
    response = send_from_directory(ROOT / "ui", name, max_age=0)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response

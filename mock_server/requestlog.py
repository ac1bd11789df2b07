"""One log line per request on stdout for `serve`: method, path, operation, status, duration, fault, org."""
from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime, timezone

from flask import Flask, Response, request

from .caller import caller_if_any

FORMATS = ("text", "json")
_lock = threading.Lock()  # one line at a time from the server's worker threads


def init_app(app: Flask, fmt: str = "text", out=None) -> None:
    """Print a line (text or JSON) for every request the app answers."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}; known: {', '.join(FORMATS)}")
    stream = out or sys.stdout

    def log(response: Response) -> Response:
        write(stream, fmt, entry(response))
        return response
    app.after_request(log)


def entry(response: Response) -> dict:
    """What the line says about this request (the journal's fields, for every path)."""
    caller = caller_if_any()
    fault = (caller and caller.fault) or {}
    started = caller.started if caller else None
    dropped = fault.get("drop") in ("reset", "empty", "hang")
    return {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": request.method, "path": request.path,
            "operation": request.url_rule.endpoint.split(".")[-1] if request.url_rule else None,
            "status": None if dropped else response.status_code,
            "durationMs": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "fault": fault.get("id"), "drop": fault.get("drop"), "stub": caller and caller.stub, "org": caller and caller.key}


def text(line: dict) -> str:
    """The human line: time, method, path, operation, status, duration, then what applies of fault/stub/org."""
    status = "dropped" if line["status"] is None else str(line["status"])
    parts = [line["time"][11:23], line["method"], line["path"], line["operation"] or "-", status,
             f"{line['durationMs']}ms" if line["durationMs"] is not None else "-"]
    parts += [f"{name}={line[name]}" for name in ("fault", "drop", "stub", "org") if line[name]]
    return " ".join(parts)


def write(stream, fmt: str, line: dict) -> None:
    """Write one line and flush it, so a log follower sees each request at once."""
    rendered = json.dumps(line) if fmt == "json" else text(line)
    with _lock:
        try:
            stream.write(rendered + "\n")
            stream.flush()
        except (OSError, ValueError):  # stdout closed (a pipe whose reader left): serving goes on
            pass

"""One log line per request on stdout for `serve`: method, path, operation, status, duration, fault, org."""
from __future__ import annotations

import json
import logging
import sys
import threading
import time
from datetime import datetime, timezone

from flask import Flask, Response, request

from .caller import caller_if_any

FORMATS = ("text", "json")
EXTENSION = "kustomer_mock.requestlog"


def init_app(app: Flask, fmt: str = "text", out=None) -> None:
    """Print a line (text or JSON) for every request the app answers."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}; known: {', '.join(FORMATS)}")
    lines = app.extensions[EXTENSION] = LineWriter(out or sys.stdout)

    def log(response: Response) -> Response:
        lines.add(render(fmt, entry(response)))
        return response
    app.after_request(log)


def flush(app: Flask) -> None:
    """Write every line still waiting (the server stopped): nothing logged is lost at exit."""
    writer = app.extensions.get(EXTENSION)
    if writer is not None:
        writer.flush()


class LineWriter:
    """Log lines written by a thread of their own, a batch per write.

    A request only appends its line: one write and flush per request cost the server's threads a system
    call each and handed the interpreter lock around on every call (a quarter of the throughput of
    `serve` under load). A follower still sees each line within BATCH_SECONDS.
    """

    BATCH_SECONDS = 0.02

    def __init__(self, stream):
        self.stream = stream
        self._lines: list[str] = []
        self._lock = threading.Lock()       # appends and the swap
        self._writing = threading.Lock()    # one batch at a time, in order
        self._waiting = threading.Event()   # set by the first line of a batch
        threading.Thread(target=self._run, daemon=True, name="kustomer-mock-log").start()

    def add(self, line: str) -> None:
        """Queue one line (without its newline)."""
        with self._lock:
            first = not self._lines
            self._lines.append(line)
        if first:
            self._waiting.set()

    def flush(self) -> None:
        """Write the lines queued so far, in order."""
        with self._writing:
            with self._lock:
                lines, self._lines = self._lines, []
                self._waiting.clear()
            if not lines:
                return
            try:
                self.stream.write("\n".join(lines) + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # stdout closed (a pipe whose reader left): serving goes on
                pass

    def _run(self) -> None:
        while True:
            self._waiting.wait()
            time.sleep(self.BATCH_SECONDS)   # the lines of the next few milliseconds share the write
            try:
                self.flush()
            except Exception:   # the writer must outlive a stream that fails oddly, or lines would pile up
                logging.getLogger(__name__).exception("request log lines could not be written")


def entry(response: Response) -> dict:
    """What the line says about this request (the journal's fields, for every path)."""
    caller, req = caller_if_any(), request._get_current_object()   # one proxy lookup, not one per field
    fault = (caller and caller.fault) or {}
    started = caller.started if caller else None
    dropped = fault.get("drop") in ("reset", "empty", "hang")
    return {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": req.method, "path": req.path,
            "operation": req.url_rule.endpoint.split(".")[-1] if req.url_rule else None,
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


def render(fmt: str, line: dict) -> str:
    """One line as text or JSON."""
    return json.dumps(line) if fmt == "json" else text(line)

"""A served mock for tests: `kustomer-mock serve` as a child process, and reading a customer's event stream."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from contextlib import contextmanager

__tracebackhide__ = True  # pytest shows a failing helper call at the test's line, not inside this module

LISTENING = "kustomer-mock listening on http://"
_child_store = None   # set_child_store: where children naming no store keep their orgs


def set_child_store(store) -> None:
    """Give each later child whose ARGS and `env` name no store `--store store()` (None: memory, the default).

    A suite that runs on Redis hands each child a database of its own, as each in-process app gets one.
    """
    global _child_store
    _child_store = store


def spawn_serve(*args: str, env: dict | None = None, stderr=subprocess.STDOUT) -> subprocess.Popen:
    """`kustomer-mock serve ARGS` as a child process, with no KUSTOMER_MOCK_* variable but `env`'s."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOMER_MOCK_")}
    named = "KUSTOMER_MOCK_STORE" in (env or {}) or any(a == "--store" or a.startswith("--store=") for a in args)
    if _child_store is not None and not named:
        args = (*args, "--store", _child_store())
    return subprocess.Popen([sys.executable, "-m", "mock_server", "serve", *args], stdout=subprocess.PIPE,
                            stderr=stderr, text=True, env={**clean, "PYTHONUNBUFFERED": "1", **(env or {})})


def wait_listening(process: subprocess.Popen) -> str:
    """The URL the child prints once it accepts requests; fails with what it printed otherwise."""
    line = process.stdout.readline().strip()
    if not line.startswith(LISTENING):
        raise AssertionError(line + process.stdout.read())
    return line.rsplit(" ", 1)[1]


def stop_serve(process: subprocess.Popen, sig: int = signal.SIGTERM) -> str:
    """Signal the child, check that it exits 0, and answer the rest of what it printed."""
    process.send_signal(sig)
    code = process.wait(timeout=10)
    rest = process.stdout.read()
    process.stdout.close()
    if code != 0:
        raise AssertionError(f"kustomer-mock serve exited {code}:\n{rest}")
    return rest


@contextmanager
def serving(*args: str, env: dict | None = None):
    """A running `kustomer-mock serve --port 0 ARGS`: yields its URL, stops it (exit 0) afterwards."""
    process = spawn_serve("--port", "0", *args, env=env)
    try:
        yield wait_listening(process)
    finally:
        stop_serve(process)


def read_events(url: str, key: str, token: str, count: int, last_event_id: int | None = None,
                opened=None, timeout: float = 20) -> list[tuple]:
    """Open a customer's event stream (/c/v1/events) and read `count` listener events, markers skipped.

    Answers [(id, name, payload)] (fewer when the stream ends first); `opened` (a threading.Event) is set
    once the stream's opening marker arrives; `last_event_id` resumes after that event.
    """
    query = urllib.parse.urlencode({"key": key, "token": token})
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    found, event_id = [], None
    with urllib.request.urlopen(urllib.request.Request(f"{url}/c/v1/events?{query}", headers=headers),
                                timeout=timeout) as stream:
        if stream.status != 200 or not stream.headers.get("Content-Type", "").startswith("text/event-stream"):
            raise AssertionError(f"not an event stream: {stream.status} {stream.headers.get('Content-Type')}")
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith("id: "):
                event_id = int(line[4:])
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if data["name"] == "__stream" and opened is not None:
                    opened.set()
                elif data["name"] != "__stream":
                    found.append((event_id, data["name"], data["payload"]))
                if len(found) == count:
                    break
    return found

"""`kustomer-mock serve` as a child process, for tests of the command itself or of code that starts it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager

__tracebackhide__ = True  # pytest shows a failing helper call at the test's line, not inside this module

LISTENING = "kustomer-mock listening on http://"


def spawn_serve(*args: str, env: dict | None = None, stderr=subprocess.STDOUT) -> subprocess.Popen:
    """`kustomer-mock serve ARGS` as a child process, with no KUSTOMER_MOCK_* variable but `env`'s."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOMER_MOCK_")}
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

"""A real redis-server for tests: loopback, a free port, a temporary folder, nothing saved to disk."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

from .serve import spawn_serve, stop_serve, wait_listening

__tracebackhide__ = True

REDIS_SERVER = os.environ.get("KUSTOMER_MOCK_REDIS_SERVER", "redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own: loopback, a free port, a temporary folder, nothing saved to disk."""

    def __init__(self, folder, persist: bool = False, databases: int = 16):
        # persist: an append-only file in the folder, written before each write is answered, so a restart
        # (stop, then start) finds every write Redis acknowledged
        self.folder, self.port, self.process = folder, _free_port(), None
        self.persist, self.databases = persist, databases
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers PING."""
        binary = shutil.which(REDIS_SERVER)
        assert binary, f"{REDIS_SERVER} is missing: scripts/test installs Debian's redis-server when root"
        saving = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         *saving, "--dir", str(self.folder), "--databases", str(self.databases)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        """Stop it (its data goes, unless it persists)."""
        self.process.terminate()
        self.process.wait(timeout=10)


@contextmanager
def redis_server(folder, persist: bool = False, databases: int = 16):
    """A running RedisServer (with `databases` numbered databases), stopped afterwards."""
    server = RedisServer(folder, persist, databases)
    server.start()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()


@contextmanager
def replicas(redis_url: str, count: int = 2, *args: str):
    """`count` `serve --store REDIS_URL ARGS` processes sharing one Redis: yields their URLs, stops them (exit 0)."""
    processes = [spawn_serve("--port", "0", "--quiet", "--store", redis_url, *args) for _ in range(count)]
    try:
        yield [wait_listening(process) for process in processes]
    finally:
        for process in processes:
            assert "kustomer-mock stopped" in stop_serve(process)

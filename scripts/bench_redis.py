"""The redis store against the memory store: the chat API's writes over keep-alive sockets, in the same run.

Usage: .venv/bin/python scripts/bench_redis.py [--seconds 3] [--connections 10]
Starts its own redis-server on a free port (nothing saved to disk). Every connection writes to one org
(createConversation with a message, from autocannon); with two processes both write that org, the worst case
for catching up. `scripts/bench --only stores` measures more setups (1, 2 and 4 workers, several orgs).
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from urllib.request import Request, urlopen

from bench import ROOT, stop
from bench_servers import chat_load


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server(folder: str) -> tuple[subprocess.Popen, str]:
    """A redis-server on a free loopback port; answers it and its URL once it accepts connections."""
    port = _free_port()
    process = subprocess.Popen([shutil.which(os.environ.get("KUSTOMER_MOCK_REDIS_SERVER", "redis-server")),
                                "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", folder], stdout=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def serve(store: str) -> tuple[subprocess.Popen, str]:
    """`kustomer-mock serve --store STORE` on a free port, once healthy."""
    process = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--quiet",
                                "--store", store], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    url = process.stdout.readline().split()[-1]
    with urlopen(f"{url}/__admin/health", timeout=10):
        return process, url


def row(name: str, results: list[dict]) -> str:
    rps = sum(r["rps"] for r in results)
    p99 = max(r["p99_ms"] for r in results)
    errors = sum(r["bad"] for r in results)
    return f"| {name} | {rps:,.0f} req/s | p99 {p99:.1f} ms | errors {errors} |"


def main() -> None:
    """Print one table row per setup."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        redis, url = redis_server(folder)
        try:
            for name, stores in (("memory, 1 process", ["memory"]), ("redis, 1 process", [url]),
                                 ("redis, 2 processes", [url, url])):
                servers = [serve(store) for store in stores]
                urlopen(Request(f"{servers[0][1]}/__admin/reset", method="POST"), timeout=10).close()
                results: list[dict] = []
                share = max(1, options.connections // len(servers))
                threads = [threading.Thread(target=lambda u=u: results.append(
                    chat_load(u, options.seconds, share, "bench-redis"))) for _, u in servers]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                print(row(name, results), flush=True)
                for process, _ in servers:
                    stop(process)
        finally:
            stop(redis)


if __name__ == "__main__":
    main()

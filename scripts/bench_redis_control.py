"""What the shared rules and journal cost per request on the redis store, against the memory store, in one run.

Usage: .venv/bin/python scripts/bench_redis_control.py [--seconds 3] [--connections 10]
Starts its own redis-server (nothing saved to disk) and, per row, one `kustomer-mock serve`. Each connection
calls getUnreadCount (a light read, so the per-request machinery shows) on an org of its own, keep-alive.
The rows with "without" patch the served process (this script only) to leave a part out, to price it:
  - "without the rules read": the rules' version is not learnt per request (rules added later would be
    missed); "the rules read on its own": a GET of its own per request instead of riding with the org's;
  - "journal written behind": entries queued and written by a background thread in batches (the request
    does not wait; a read on another process may then miss a call just answered).
A line times the Redis calls alone (one GET; one journal entry; ten entries in one script), and a last
table the time of one request through the app in this process, with parts left out the same way.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from mock_server.testing.redisserver import redis_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATCHES = {
    "rules": """
from mock_server.store import redis_rules
redis_rules.RedisRules.refresh = lambda self, via=None: None
""",
    "behind": """
import queue, threading
from mock_server.store import redis_journal
_add = redis_journal.SharedRing.add
def add(self, entries):
    if not hasattr(self, "queue"):
        self.queue = queue.Queue()
        def run():
            while True:
                batch = [self.queue.get()]
                while not self.queue.empty() and len(batch) < 100:
                    batch.append(self.queue.get())
                _add(self, batch)
        threading.Thread(target=run, daemon=True).start()
    self.queue.put(entries[0])
    return 0
redis_journal.SharedRing.add = add
""",
}


def serve(store: str, patches: tuple[str, ...]) -> tuple[subprocess.Popen, str]:
    """`kustomer-mock serve --store STORE` (with this script's patches) on a free port, once healthy."""
    code = "".join(PATCHES[name] for name in patches)
    code += "import sys\nfrom mock_server.cli import main\nsys.argv[0] = 'kustomer-mock'\nsys.exit(main())\n"
    process = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", "0", "--quiet", "--store", store],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    return process, process.stdout.readline().split()[-1]


def load(url: str, seconds: float, connections: int) -> tuple[float, float]:
    """(requests per second, p99 ms) of `connections` keep-alive clients calling getUnreadCount."""
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        key = f"bench-control-{n}"
        conn.request("POST", "/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"})
        token = json.loads(conn.getresponse().read())["trackingToken"]
        headers = {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token}
        mine, deadline = [], time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            conn.request("GET", "/c/v1/chat/unread", headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - began)
        latencies.extend(mine)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / seconds, statistics.quantiles(latencies, n=100)[98] * 1000


def redis_calls(url: str, rounds: int = 2000) -> str:
    """Microseconds per GET, per one-entry journal script and per entry of a ten-entry script."""
    import redis
    from mock_server.store import redis_journal
    client = redis.Redis.from_url(url)
    script = client.register_script(redis_journal.RECORD)
    entry = json.dumps({"operation": "getUnreadCount", "requestHeaders": {"Host": "x" * 200}, "responseBody": {}})
    timed = {}
    for name, call, per in (("GET", lambda: client.get("km:rules:{rules}:version"), 1),
                            ("1 entry", lambda: script(keys=["bench:ids", "bench:s"], args=[1000, entry]), 1),
                            ("10 entries", lambda: script(keys=["bench:ids", "bench:s"], args=[1000] + [entry] * 10),
                             10)):
        began = time.perf_counter()
        for _ in range(rounds):
            call()
        timed[name] = (time.perf_counter() - began) / rounds / per * 1e6
    return ", ".join(f"{name} {us:.0f} µs" + (" per entry" if name == "10 entries" else "")
                     for name, us in timed.items())


def per_request(variants: list[tuple[str, str, tuple]], calls: int, rounds: int) -> dict[str, float]:
    """Microseconds per getUnreadCount through the app in this process, per variant (one thread: no load
    generator noise); the variants take turns and each keeps its best round, the least disturbed one."""
    from mock_server import create_app
    from mock_server.store import redis_journal, redis_rules
    saved = redis_rules.RedisRules.refresh, redis_journal.SharedRing.add
    clients = {}
    for name, store, _ in variants:
        client = create_app({"TESTING": True, "STORE": store}).test_client()
        key = f"bench-control-{len(clients)}"
        token = client.post("/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"}).json["trackingToken"]
        clients[name] = client, {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token}
    best = {name: float("inf") for name, _, _ in variants}
    for _ in range(rounds):
        for name, _, leave_out in variants:
            if "rules" in leave_out:
                redis_rules.RedisRules.refresh = lambda self, via=None: None
            if "journal" in leave_out:
                redis_journal.SharedRing.add = lambda self, entries: 0
            if "own read" in leave_out:   # the rules' version read with a GET of its own, not with the org's
                redis_rules.RedisRules.refresh = lambda self, via=None: self.shared.refresh(None)
            client, headers = clients[name]
            began = time.perf_counter()
            for _ in range(calls):
                client.get("/c/v1/chat/unread", headers=headers)
            best[name] = min(best[name], (time.perf_counter() - began) / calls * 1e6)
            redis_rules.RedisRules.refresh, redis_journal.SharedRing.add = saved
    return best


def main() -> None:
    """Print one table row per setup (the median of the rounds, taken in turn), then the Redis calls alone."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        with redis_server(folder) as server:
            rows = (("memory", "memory", ()), ("redis", server.url, ()),
                    ("redis, without the rules read", server.url, ("rules",)),
                    ("redis, journal written behind", server.url, ("behind",)),
                    ("redis, both left out", server.url, ("rules", "behind")))
            measured: dict[str, list] = {name: [] for name, _, _ in rows}
            for _ in range(options.rounds):
                for name, store, patches in rows:
                    process, served = serve(store, patches)
                    try:
                        load(served, 0.5, options.connections)   # warm: orgs made, tokens started
                        measured[name].append(load(served, options.seconds, options.connections))
                    finally:
                        process.terminate()
                        process.wait(timeout=10)
            print("| store | throughput | p99 |\n| --- | --- | --- |")
            for name, results in measured.items():
                rps, p99 = statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)
                print(f"| {name} | {rps:,.0f} req/s | {p99:.1f} ms |")
            print(f"Redis calls alone: {redis_calls(server.url)}")
            print("\n| in this process, one thread | per getUnreadCount |\n| --- | --- |")
            variants = [("memory", "memory", ()), ("redis", server.url, ()),
                        ("redis, the rules read on its own", server.url, ("own read",)),
                        ("redis, without the rules read", server.url, ("rules",)),
                        ("redis, without the journal write", server.url, ("journal",)),
                        ("redis, without both", server.url, ("rules", "journal"))]
            for name, us in per_request(variants, 200, 15).items():
                print(f"| {name} | {us:.0f} µs |")


if __name__ == "__main__":
    main()

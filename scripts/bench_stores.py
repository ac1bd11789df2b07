"""The `stores` part of scripts/bench: createConversation with a message on the memory store (one process)
and on the redis store with 1, 2 and 4 workers (`serve --workers N`), side by side in one run, best of
--rounds alternating rounds; with --compare-with DIR, the memory store of another checkout (an older
commit) in the same rounds.

The load is --orgs autocannon processes at once, each writing to an org of its own (as parallel test
workers with a key each do) over its share of the --connections keep-alive connections. The redis-server is
the bench's own (a free port, nothing saved to disk).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from urllib.request import Request, urlopen

import bench_servers as bs
from bench_redis import redis_server

SETUPS = (("memory, 1 worker", "memory", 1), ("redis, 1 worker", "redis", 1), ("redis, 2 workers", "redis", 2),
          ("redis, 4 workers", "redis", 4))


def stores(args) -> None:
    """Measure every setup in alternating rounds and print the table with its ratios."""
    if shutil.which(os.environ.get("KUSTOMER_MOCK_REDIS_SERVER", "redis-server")) is None:
        print("\nstores: redis-server is missing (apt-get install redis-server): skipped")
        return
    setups = [(name, store, workers, bs.ROOT) for name, store, workers in SETUPS]
    if args.compare_with:
        label = os.path.basename(os.path.abspath(args.compare_with))
        setups.insert(1, (f"memory, 1 worker, {label}", "memory", 1, os.path.abspath(args.compare_with)))
    best: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        redis, url = redis_server(folder)
        try:
            for round_ in range(args.rounds):
                # every other round in reverse order: no setup always runs right after the same one
                for name, store, workers, tree in setups if round_ % 2 == 0 else setups[::-1]:
                    numbers = measure(url if store == "redis" else store, workers, tree, args)
                    if name not in best or numbers["rps"] > best[name]["rps"]:
                        best[name] = numbers
        finally:
            bs.stop(redis)
    report(best, args)


def measure(store: str, workers: int, tree: str, args) -> dict:
    """One setup: serve it from `tree`, reset it, load it, stop it."""
    port = bs.free_port()
    command = [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--quiet", "--store", store]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, cwd=tree, stdout=subprocess.DEVNULL, stderr=bs.LOG,
                               env={**os.environ, "PYTHONPATH": tree})   # that tree's mock_server, not this one's
    base = f"http://127.0.0.1:{port}"
    try:
        bs.wait_healthy(f"{base}/__admin/health", process)
        # every setup starts from the fixtures (Redis keeps the orgs of the setup before)
        urlopen(Request(f"{base}/__admin/reset", method="POST"), timeout=30).close()
        return load(base, args.seconds, args.connections, args.orgs)
    finally:
        bs.stop(process)


def load(base: str, seconds: float, connections: int, orgs: int) -> dict:
    """`orgs` autocannon processes at once, one org each; answers the summed req/s and the worst p99."""
    results: list[dict] = []
    share = max(1, connections // orgs)
    threads = [threading.Thread(target=lambda n=n: results.append(
        bs.chat_load(base, seconds, share, f"bench-stores-{n}"))) for n in range(orgs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"rps": sum(r["rps"] for r in results), "p50_ms": max(r["p50_ms"] for r in results),
            "p99_ms": max(r["p99_ms"] for r in results), "bad": sum(r["bad"] for r in results)}


def report(best: dict[str, dict], args) -> None:
    """The table: req/s, p50, p99, non-2xx, and each row's ratio to the memory store of this tree."""
    anchor = best["memory, 1 worker"]["rps"]
    print(f"\nstores: createConversation with a message, {args.orgs} orgs written at once over {args.connections} "
          f"keep-alive connections, {os.cpu_count()} cores; ratio = req/s against memory, 1 worker")
    print(f"{'store, workers':<36} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'bad':>5} {'ratio':>7}")
    for name, numbers in best.items():
        print(f"{name:<36} {numbers['rps']:>8.0f} {numbers['p50_ms']:>7.1f} {numbers['p99_ms']:>7.1f} "
              f"{numbers['bad']:>5} {numbers['rps'] / anchor:>6.2f}x")

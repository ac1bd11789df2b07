"""Benchmarks of kustomer-mock: boot time, throughput and p99 over keep-alive sockets, reset cost.

Every number is printed with a baseline measured in the same run, so the ratios hold on any machine.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from urllib.request import urlopen

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def spawn(server: str, threads: int = 32) -> tuple[subprocess.Popen, str, float]:
    """Start `kustomer-mock serve --port 0`; return the process, its URL and seconds to healthy."""
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--server", server,
                                "--threads", str(threads), "--quiet"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    url = process.stdout.readline().split()[-1]
    while True:
        try:
            with urlopen(f"{url}/__admin/health", timeout=1) as answer:
                if answer.status == 200:
                    return process, url, time.perf_counter() - began
        except OSError:
            time.sleep(0.005)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM and wait."""
    process.terminate()
    process.wait(timeout=10)


def _request(conn, method, path, headers, body=None):
    began = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={**headers, "Content-Type": "application/json"})
    answer = conn.getresponse()
    payload = answer.read()
    return time.perf_counter() - began, answer.status, payload


def load(url: str, seconds: float, connections: int, scenario: str) -> dict:
    """Keep-alive load from `connections` threads; answers requests/s and latency percentiles."""
    host, port = url.split("//")[1].split(":")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n):
        conn = http.client.HTTPConnection(host, int(port))
        key = {"Authorization": f"Bearer bench-{scenario}-{n}"}
        mine = []
        if scenario == "chat":
            _, _, body = _request(conn, "POST", "/c/v1/tracking/tokens", key)
            key["x-kustomer-tracking-token"] = json.loads(body)["trackingToken"]
        while time.perf_counter() < deadline:
            if scenario == "chat":
                took, status, _ = _request(conn, "POST", "/c/v1/chat/sessions", key, {"message": "hi"})
                ok = status == 201
            else:
                took, status, _ = _request(conn, "GET", "/__admin/health", key)
                ok = status == 200
            mine.append(took)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)
        conn.close()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    began = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)], "errors": errors[0], "requests": len(latencies)}


def boot_times(runs: int) -> dict:
    """Median seconds from spawn to healthy, against a bare interpreter start."""
    bare = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - began)
    boots = []
    for _ in range(runs):
        process, _, took = spawn("waitress")
        boots.append(took)
        stop(process)
    return {"boot_s": statistics.median(boots), "bare_python_s": statistics.median(bare)}


def reset_cost(iterations: int) -> dict:
    """Microseconds per org reset and per org rebuild, in process, against a dict pop."""
    sys.path.insert(0, ROOT)
    from mock_server import create_app
    store = create_app().extensions["kustomer_mock"].store
    keys = [f"reset-{n}" for n in range(iterations)]
    for key in keys:
        store.org(key)
    began = time.perf_counter()
    for key in keys:
        store.reset(key)
    reset_us = 1e6 * (time.perf_counter() - began) / iterations
    began = time.perf_counter()
    for key in keys[:200]:
        store.org(key)
    rebuild_us = 1e6 * (time.perf_counter() - began) / 200
    plain = {key: object() for key in keys}
    began = time.perf_counter()
    for key in keys:
        plain.pop(key)
    pop_us = 1e6 * (time.perf_counter() - began) / iterations
    return {"reset_us": reset_us, "rebuild_us": rebuild_us, "dict_pop_us": pop_us}


def main() -> None:
    """Run every benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--servers", default="waitress,werkzeug")
    parser.add_argument("--boot-runs", type=int, default=5)
    parser.add_argument("--streams", type=int, default=0,
                        help="only measure API latency with this many open event streams (e.g. 200)")
    parser.add_argument("--stream-setups", default="waitress:64,waitress:256,werkzeug:256",
                        help="server:threads pairs measured by --streams")
    args = parser.parse_args()
    if args.streams:
        import bench_streams
        bench_streams.run(args.seconds, args.connections, args.streams,
                          [(s.split(":")[0], int(s.split(":")[1])) for s in args.stream_setups.split(",")])
        return
    print(f"# kustomer-mock bench, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {platform.python_version()}")
    boot = boot_times(args.boot_runs)
    print(f"boot to healthy: {boot['boot_s'] * 1000:.0f} ms (bare python start {boot['bare_python_s'] * 1000:.0f} ms, "
          f"ratio {boot['boot_s'] / boot['bare_python_s']:.1f}x)")
    reset = reset_cost(2000)
    print(f"reset one org: {reset['reset_us']:.2f} us (dict pop {reset['dict_pop_us']:.2f} us); "
          f"rebuild on next call: {reset['rebuild_us']:.0f} us")
    results = {}
    for server in args.servers.split(","):
        process, url, _ = spawn(server)
        try:
            results[server] = {scenario: load(url, args.seconds, args.connections, scenario)
                               for scenario in ("health", "chat")}
        finally:
            stop(process)
    baseline = results.get("werkzeug") or next(iter(results.values()))
    print(f"\nkeep-alive load, {args.connections} connections, {args.seconds:.0f} s each "
          "(health = trivial JSON handler; chat = createConversation with a message)")
    print(f"{'server':<10} {'scenario':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs werkzeug':>12}")
    for server, scenarios in results.items():
        for scenario, numbers in scenarios.items():
            ratio = numbers["rps"] / baseline[scenario]["rps"]
            print(f"{server:<10} {scenario:<8} {numbers['rps']:>8.0f} {numbers['p50_ms']:>8.2f} "
                  f"{numbers['p99_ms']:>8.2f} {numbers['errors']:>7} {ratio:>11.2f}x")


if __name__ == "__main__":
    main()

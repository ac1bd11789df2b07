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


def boot_versus_moto(runs: int) -> dict:
    """Median seconds to the first 2xx: `kustomer-mock serve` against moto_server, alternating runs."""
    from bench_servers import free_port, start, stop as stop_server
    moto = os.path.join(os.path.dirname(sys.executable), "moto_server")
    mine, theirs = [], []
    for _ in range(runs):
        port = free_port()
        process, took = start([sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--quiet"], port)
        stop_server(process)
        mine.append(took)
        if os.path.exists(moto):
            port = free_port()
            began = time.perf_counter()
            process = subprocess.Popen([moto, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _first_2xx(f"http://127.0.0.1:{port}/moto-api/data.json")
            theirs.append(time.perf_counter() - began)
            stop_server(process)
    return {"mock_s": statistics.median(mine), "moto_s": statistics.median(theirs) if theirs else None}


def _first_2xx(url: str) -> None:
    while True:
        try:
            with urlopen(url, timeout=1) as answer:
                if 200 <= answer.status < 300:
                    return
        except OSError:
            time.sleep(0.003)


def main() -> None:
    """Run every benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of each load (the best is kept)")
    parser.add_argument("--boot-runs", type=int, default=5)
    parser.add_argument("--streams", type=int, default=1000, help="open event streams during the stream load")
    parser.add_argument("--only", default="boot,servers,wiremock,faults,streams",
                        help="comma-separated parts to run")
    args = parser.parse_args()
    import bench_report
    bench_report.run(args, boot_versus_moto, reset_cost)


if __name__ == "__main__":
    main()

"""Benchmarks of kustomer-mock: boot, reset cost, throughput and p99 by server, fault kinds, event streams.

Every number is printed with a baseline measured in the same run, so the ratios hold on any machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
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


def reset_cost(iterations: int) -> dict:
    """Microseconds per org reset and per org rebuild, in process, against a dict pop."""
    sys.path.insert(0, ROOT)
    from mock_server import create_app
    from mock_server.state import get_state
    store = get_state(create_app()).store
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


# what every Flask server pays before its own code: the interpreter, Flask (with werkzeug) and waitress
FLOOR = "import flask, waitress.server; flask.Flask('floor')"


def boot_versus_moto(runs: int) -> dict:
    """Median seconds to the first 2xx: `kustomer-mock serve` against moto_server, alternating runs.

    Also the floor: the seconds Python takes to start and import Flask and waitress, and exit.
    """
    from bench_servers import free_port, start, stop as stop_server
    moto = os.path.join(os.path.dirname(sys.executable), "moto_server")
    mine, theirs, floor = [], [], []
    for _ in range(runs):
        port = free_port()
        process, took = start([sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--quiet"], port)
        stop_server(process)
        mine.append(took)
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR], check=True, cwd=ROOT)
        floor.append(time.perf_counter() - began)
        if os.path.exists(moto):
            port = free_port()
            process, took = start([moto, "-p", str(port)], port, health="/moto-api/data.json")
            stop_server(process)
            theirs.append(took)
    return {"mock_s": statistics.median(mine), "moto_s": statistics.median(theirs) if theirs else None,
            "floor_s": statistics.median(floor)}


def main() -> None:
    """Run every benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of each load (the best is kept)")
    parser.add_argument("--boot-runs", type=int, default=5)
    parser.add_argument("--streams", type=int, default=1000, help="open event streams during the stream load")
    parser.add_argument("--orgs", type=int, default=2, help="orgs written at once in the stores part")
    parser.add_argument("--compare-with", metavar="DIR",
                        help="stores part: also the memory store of the checkout in DIR (an older commit)")
    parser.add_argument("--only", default="boot,servers,wiremock,faults,streams,stores",
                        help="comma-separated parts to run")
    args = parser.parse_args()
    import bench_report
    bench_report.run(args, boot_versus_moto, reset_cost)


if __name__ == "__main__":
    main()

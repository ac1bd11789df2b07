"""Big states: export, import and save of an org of N conversations x M messages, and writes during an export.

Usage: scripts/bench_state.py [--conversations 100000] [--messages 10]
Serves the mock with waitress on a free port, fills one org directly (as a long test session would),
then measures: the export's time and size, the wait of writes (sendMessage, same org and another org)
made while the export streams, with the garbage collector's passes and the org lock's holds during
it; a save to a state file (what shutdown does); then, each in a `kustomer-mock serve` process of its
own, the import of that export (`PUT /__admin/state`) and a boot from the saved file, with the
process's peak resident memory. BENCH_GC_FREEZE=1 freezes the filled heap first (as boot does with
what it loads); BENCH_GC_OFF=1 turns the collector off for the whole run (to compare).
"""
from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from mock_server import create_app
from mock_server.serving import ServerThread
from mock_server.state import get_state
from mock_server.control.snapshot import save_app

KEY, OTHER = "big-state-key", "other-org-key"


def fill(app, conversations: int, messages: int) -> None:
    """One org with `conversations` conversations of `messages` messages each, made through the domain."""
    org = get_state(app).store.org(KEY)
    sender = {"type": "customer"}
    for n in range(conversations):
        if n % 10 == 0:
            customer = org.new_customer(name=f"Customer {n}", email=f"c{n}@example.com")
        conversation = org.new_conversation(customer, title=f"Order {n}")
        for m in range(messages):
            org.record_message(conversation, body=f"message {m} of conversation {n}: where is my parcel?",
                               direction="in" if m % 2 == 0 else "out", sent_by=sender)


def session(url: str, key: str) -> tuple[dict, str]:
    """Headers of a started chat session and one conversation of it."""
    token = requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"}).json()["trackingToken"]
    headers = {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token}
    cid = requests.post(f"{url}/c/v1/chat/sessions", json={"message": "hi"}, headers=headers).json()["conversationId"]
    return headers, cid


def writes_during(url: str, key: str, busy: threading.Event) -> list[float]:
    """Milliseconds each sendMessage took while `busy` is set."""
    headers, cid = session(url, key)
    waits, http = [], requests.Session()
    while busy.is_set():
        began = time.perf_counter()
        assert http.post(f"{url}/c/v1/chat/sessions/{cid}/messages", json={"body": "still there?"},
                         headers=headers).status_code == 201
        waits.append((time.perf_counter() - began) * 1000)
        time.sleep(0.01)
    return waits


class TimedLock:
    """An org's re-entrant lock that records how long each outermost hold lasted (ms) and who held it."""

    def __init__(self, lock):
        self._lock, self._local, self.holds = lock, threading.local(), []

    def acquire(self, *args, **kwargs):
        got = self._lock.acquire(*args, **kwargs)
        if got:
            depth = getattr(self._local, "depth", 0)
            if depth == 0:
                self._local.began = time.perf_counter()
            self._local.depth = depth + 1
        return got

    def release(self):
        self._local.depth -= 1
        if self._local.depth == 0:
            self.holds.append(((time.perf_counter() - self._local.began) * 1000, threading.current_thread().name))
        self._lock.release()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()


class GcPasses:
    """The collector's passes while it is on: (generation, ms) each."""

    def __init__(self):
        self.passes, self._began = [], 0.0

    def __call__(self, phase, info):
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.passes.append((info["generation"], (time.perf_counter() - self._began) * 1000))

    def summary(self) -> str:
        by_generation = {}
        for generation, ms in self.passes:
            by_generation.setdefault(generation, []).append(ms)
        return ", ".join(f"gen{g}: {len(v)} passes, max {max(v):.1f} ms, total {sum(v):.0f} ms"
                         for g, v in sorted(by_generation.items())) or "none"


def rss(pid="self") -> str:
    """The resident memory of a process now and at its peak, from /proc (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    now, peak = (int(re.search(rf"{name}:\s+(\d+)", status).group(1)) / 1024 for name in ("VmRSS", "VmHWM"))
    return f"RSS {now:.0f} MiB, peak {peak:.0f} MiB"


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used (Linux): on a shared machine, steadier than the wall clock."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(*args: str) -> tuple[subprocess.Popen, str]:
    """`kustomer-mock serve --port 0` in a process of its own, once it listens: (process, url)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOMER_MOCK_")}
    process = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--quiet", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    found = re.search(r"http://\S+", line)
    if not found:
        raise SystemExit(f"the mock did not start: {line}{process.stderr.read()}")
    return process, found.group(0)


def stop(process: subprocess.Popen) -> float:
    """SIGTERM, then the seconds until the process exited."""
    began = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=600)
    return time.perf_counter() - began


def measure_export(app) -> bytes:
    """Export while two writers write, with the collector's passes and the org lock's holds; the body."""
    org = get_state(app).store.org(KEY)
    org._lock = timed = TimedLock(org._lock)   # an instrument: the bench times the org's own lock from outside
    passes = GcPasses()
    with ServerThread(app, kind="waitress") as server:
        busy, results = threading.Event(), {}
        busy.set()
        writers = [threading.Thread(target=lambda k=k: results.__setitem__(k, writes_during(server.url, k, busy)))
                   for k in (KEY, OTHER)]
        for writer in writers:
            writer.start()
        time.sleep(0.5)
        timed.holds.clear()
        gc.callbacks.append(passes)
        began = time.perf_counter()
        with requests.get(f"{server.url}/__admin/state", stream=True) as answer:
            body = b"".join(answer.iter_content(1 << 20))
        exported = time.perf_counter() - began
        gc.callbacks.remove(passes)
        busy.clear()
        for writer in writers:
            writer.join()
    org._lock = timed._lock
    print(f"export: {len(body) / 1e6:.1f} MB in {exported:.1f} s (load average {os.getloadavg()[0]:.1f})")
    for key, waits in results.items():
        waits.sort()
        print(f"writes to {'the exported org' if key == KEY else 'another org'} during it: {len(waits)}, "
              f"median {waits[len(waits) // 2]:.1f} ms, max {waits[-1]:.1f} ms")
    print(f"collector passes during it: {passes.summary()}")
    holds = sorted(timed.holds)
    print(f"org lock holds during it: {len(holds)}, median {holds[len(holds) // 2][0]:.1f} ms, "
          f"max {holds[-1][0]:.1f} ms ({holds[-1][1]})")
    return body


def main() -> None:
    """Run every measurement and print one line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    if os.environ.get("BENCH_GC_OFF"):
        gc.disable()
    folder = Path(tempfile.mkdtemp(prefix="kustomer-mock-bench-"))
    app = create_app({"STATE_FILE": str(folder / "state.json")})
    began = time.perf_counter()
    fill(app, args.conversations, args.messages)
    if os.environ.get("BENCH_GC_FREEZE"):
        gc.freeze()
    print(f"filled {args.conversations} conversations x {args.messages} messages in "
          f"{time.perf_counter() - began:.1f} s ({rss()})")
    body = measure_export(app)
    began, cpu = time.perf_counter(), time.process_time()
    saved = save_app(app)
    print(f"save (what shutdown does): {saved.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - began:.1f} s, "
          f"{time.process_time() - cpu:.1f} s of CPU")
    exported = folder / "export.json"
    exported.write_bytes(body)
    del body, app
    gc.collect()

    process, url = serve()
    began, cpu = time.perf_counter(), cpu_seconds(process.pid)
    with exported.open("rb") as stream:
        answer = requests.put(f"{url}/__admin/state", data=stream, headers={"Content-Type": "application/json"})
    print(f"import in a mock of its own: {answer.status_code} {answer.json()} in {time.perf_counter() - began:.1f} s, "
          f"{cpu_seconds(process.pid) - cpu:.1f} s of CPU ({rss(process.pid)})")
    stop(process)

    began = time.perf_counter()
    process, url = serve("--state-file", str(saved))
    booted = time.perf_counter() - began
    count = requests.get(f"{url}/__admin/orgs/{KEY}").json()["counts"]["conversations"]
    print(f"boot from the saved file: {count} conversations in {booted:.1f} s, {cpu_seconds(process.pid):.1f} s of CPU "
          f"({rss(process.pid)})")
    print(f"shutdown (SIGTERM to exit, the final save included): {stop(process):.1f} s")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()

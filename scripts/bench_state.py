"""Big states: export, import and save of an org of N conversations x M messages, and writes during an export.

Usage: scripts/bench_state.py [--conversations 100000] [--messages 10]
Serves the mock with waitress on a free port, fills one org directly (as a long test session would),
then measures: the export's time and size, the wait of writes (sendMessage, same org and another org)
made while the export streams, the import of that export into a second mock, a save to a state file
(what shutdown does) and a boot from it. BENCH_GC_FREEZE=1 freezes the filled heap first, as
`kustomer-mock serve` does with what boot loaded.
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import requests

from mock_server import create_app
from mock_server.serving import ServerThread
from mock_server.control.snapshot import save_app

KEY, OTHER = "big-state-key", "other-org-key"


def fill(app, conversations: int, messages: int) -> None:
    """One org with `conversations` conversations of `messages` messages each, made through the domain."""
    org = app.extensions["kustomer_mock"].store.org(KEY)
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


def main() -> None:
    """Run every measurement and print one line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kustomer-mock-bench-"))
    app = create_app({"STATE_FILE": str(folder / "state.json")})
    began = time.perf_counter()
    fill(app, args.conversations, args.messages)
    if os.environ.get("BENCH_GC_FREEZE"):
        gc.freeze()
    print(f"filled {args.conversations} conversations x {args.messages} messages in {time.perf_counter() - began:.1f} s")
    with ServerThread(app, kind="waitress") as server:
        busy, results = threading.Event(), {}
        busy.set()
        writers = [threading.Thread(target=lambda k=k: results.__setitem__(k, writes_during(server.url, k, busy)))
                   for k in (KEY, OTHER)]
        for writer in writers:
            writer.start()
        time.sleep(0.5)
        began = time.perf_counter()
        with requests.get(f"{server.url}/__admin/state", stream=True) as answer:
            body = b"".join(answer.iter_content(1 << 20))
        exported = time.perf_counter() - began
        busy.clear()
        for writer in writers:
            writer.join()
        print(f"export: {len(body) / 1e6:.1f} MB in {exported:.1f} s")
        for key, waits in results.items():
            waits.sort()
            print(f"writes to {'the exported org' if key == KEY else 'another org'} during it: {len(waits)}, "
                  f"median {waits[len(waits) // 2]:.1f} ms, max {waits[-1]:.1f} ms")
    other = create_app()
    with ServerThread(other, kind="waitress") as server:
        began = time.perf_counter()
        answer = requests.put(f"{server.url}/__admin/state", data=body, headers={"Content-Type": "application/json"})
        print(f"import: {answer.status_code} {answer.json()} in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    saved = save_app(app)
    print(f"save (what shutdown does): {saved.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    booted = create_app({"STATE_FILE": str(saved)})
    count = len(booted.extensions["kustomer_mock"].store.org(KEY).conversations)
    print(f"boot from it: {count} conversations in {time.perf_counter() - began:.1f} s")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()

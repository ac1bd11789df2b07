"""Webhook cost: createConversation latency with no webhook, a fast receiver and a hanging one; delivery lag.

Usage: .venv/bin/python scripts/bench_webhooks.py [--calls 300]
Every number is measured in the same run against the same served mock, so the ratios hold on any machine.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mock_server.client import MockClient  # noqa: E402
from mock_server.domain.webhooks import EVENTS  # noqa: E402
from mock_server.testing import WebhookReceiver  # noqa: E402
from scripts.bench import spawn, stop  # noqa: E402


def _call(conn, path: str, headers: dict, body=None) -> tuple[float, dict]:
    began = time.perf_counter()
    conn.request("POST", path, body=json.dumps(body) if body is not None else None,
                 headers={**headers, "Content-Type": "application/json"})
    answer = conn.getresponse()
    payload = json.loads(answer.read() or b"null")
    return time.perf_counter() - began, payload


def run(url: str, key: str, calls: int) -> tuple[list[float], list[str]]:
    """`calls` createConversation calls of one customer; answers their latencies and conversation ids."""
    host, port = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Authorization": f"Bearer {key}"}
    _, started = _call(conn, "/c/v1/tracking/tokens", headers)
    headers["x-kustomer-tracking-token"] = started["trackingToken"]
    latencies, ids = [], []
    for n in range(calls):
        spent, created = _call(conn, "/c/v1/chat/sessions", headers, {"message": f"hello {n}"})
        latencies.append(spent)
        ids.append(created["conversationId"])
    conn.close()
    return latencies, ids


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    return (f"p50 {statistics.median(ordered) * 1000:6.2f} ms  "
            f"p99 {ordered[int(len(ordered) * 0.99) - 1] * 1000:6.2f} ms")


def main() -> None:
    """Print the three latency lines and the delivery lag."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    calls = parser.parse_args().calls
    process, url, _ = spawn("waitress")
    admin = MockClient(url)
    try:
        base, _ = run(url, "bench-none", calls)
        print(f"no webhook          {_ms(base)}")
        with WebhookReceiver() as fast:
            admin.add_webhook("bench-fast", fast.url, list(EVENTS), token="bench-secret")
            fast.token = "bench-secret"
            sent_at = time.perf_counter()
            hooked, ids = run(url, "bench-fast", calls)
            print(f"fast receiver       {_ms(hooked)}  ({statistics.median(hooked) / statistics.median(base):.2f}x)")
            last = fast.wait_for("kustomer.conversation.create", timeout=60, id=ids[-1])
            del last
            print(f"all {calls} conversation.create (+ message.create) delivered "
                  f"{time.perf_counter() - sent_at:.2f} s after the first call")
        with WebhookReceiver() as hanging:
            hanging.hold()
            admin.add_webhook("bench-hang", hanging.url, list(EVENTS), token="bench-secret")
            held, _ = run(url, "bench-hang", calls)
            print(f"hanging receiver    {_ms(held)}  ({statistics.median(held) / statistics.median(base):.2f}x)")
    finally:
        stop(process)


if __name__ == "__main__":
    main()

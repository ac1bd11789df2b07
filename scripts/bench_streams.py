"""Open event streams against API latency: N server-sent-events streams held open while keep-alive
clients call the chat API; compared with the same load and no streams, in the same run."""
from __future__ import annotations

import json
import socket
import time

from bench import load, spawn, stop

# streams are opened by other customers of the very orgs the chat load writes to, the worst case:
# every event the load emits lands in an org where streams wait
LOAD_KEY = "bench-chat-{}"


def _token(host: str, port: int, key: str) -> str:
    import http.client
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("POST", "/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"})
    token = json.loads(conn.getresponse().read())["trackingToken"]
    conn.close()
    return token


def open_streams(url: str, count: int, orgs: int) -> tuple[list[socket.socket], int]:
    """Open `count` event streams; answers the sockets and how many the server holds open (not told to retry)."""
    host, port = url.split("//")[1].split(":")
    port = int(port)
    sockets, held = [], 0
    tokens = {}
    for n in range(count):
        key = LOAD_KEY.format(n % orgs)
        token = tokens.get(n) or _token(host, port, key)
        sock = socket.create_connection((host, port), timeout=10)
        sock.sendall(f"GET /c/v1/events?key={key}&token={token} HTTP/1.1\r\nHost: {host}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        first = b""
        while b"\r\n\r\n" not in first or b"\n\n" not in first.split(b"\r\n\r\n", 1)[1]:
            chunk = sock.recv(4096)
            if not chunk:
                break
            first += chunk
        held += b"__stream" in first
        sockets.append(sock)
    return sockets, held


def run(seconds: float, connections: int, streams: int, setups: list[tuple[str, int]]) -> None:
    """Print API latency with and without `streams` open streams, for each server and thread count."""
    print(f"\nevent streams: chat API under {connections} keep-alive clients, {seconds:.0f} s, "
          f"without and with {streams} open streams")
    print(f"{'server':<9} {'threads':>7} {'streams':>8} {'held':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'p99 vs none':>12}")
    for server, count in setups:
        process, url, _ = spawn(server, count)
        try:
            base = load(url, seconds, connections, "chat")
            sockets, held = open_streams(url, streams, connections)
            began = time.perf_counter()
            loaded = load(url, seconds, connections, "chat")
            assert time.perf_counter() - began < seconds * 4, "API calls starved by open streams"
            for sock in sockets:
                sock.close()
        finally:
            stop(process)
        for n, numbers, h in ((0, base, 0), (streams, loaded, held)):
            print(f"{server:<9} {count:>7} {n:>8} {h:>5} {numbers['rps']:>8.0f} {numbers['p50_ms']:>8.2f} {numbers['p99_ms']:>8.2f} "
                  f"{numbers['errors']:>7} {numbers['p99_ms'] / base['p99_ms']:>11.2f}x")

"""Open event streams for scripts/bench: N server-sent-events streams held open by other customers of
the orgs the chat load writes to."""
from __future__ import annotations

import json
import socket

from mock_server.serving import client_gone

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


def still_open(sockets: list[socket.socket]) -> int:
    """How many of the streams' sockets the server has not closed (the server's own peek, never blocking)."""
    return sum(not client_gone(sock) for sock in sockets)

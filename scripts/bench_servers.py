"""Side by side, in one run: WSGI servers serving a trivial Flask handler and the mock, WireMock as the
outside anchor, the fault kinds each server keeps, and the mock's throughput with open event streams.

The load comes from autocannon (Node, its own process), so the generator does not share the server's
interpreter; every number is printed beside its anchor measured in the same run.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from urllib.request import Request, urlopen

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, ".bench-tools")   # where scripts/bench puts autocannon and WireMock (npm)
PY = sys.executable
BIN = os.path.dirname(PY)
LOG = open(os.path.join(tempfile.gettempdir(), "kustomer-mock-bench.log"), "ab")   # the servers' stderr
FAULT_KINDS = ("reset", "empty", "malformed", "hang", "cut")


def free_port() -> int:
    """A port free right now on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def commands(port: int, threads: int = 64) -> dict[str, list[str]]:
    """How to serve each (server, app) pair on `port`; only the servers that are installed."""
    trivial, factory = "scripts.bench_apps:trivial", "scripts.bench_apps:mock"
    both = {
        "waitress": lambda app: [PY, "-m", "waitress", "--port", str(port), "--threads", str(threads)]
        + (["--call", factory] if app == "mock" else [trivial]),
        "granian": lambda app: [f"{BIN}/granian", "--interface", "wsgi", "--port", str(port), "--log-level", "error",
                                "--blocking-threads", str(threads)]
        + (["--factory", factory] if app == "mock" else [trivial]),
        "gunicorn-gthread": lambda app: [f"{BIN}/gunicorn", "-b", f"127.0.0.1:{port}", "-k", "gthread",
                                         "--threads", str(threads), "--log-level", "error",
                                         f"{factory}()" if app == "mock" else trivial],
        "gunicorn-gevent": lambda app: [f"{BIN}/gunicorn", "-b", f"127.0.0.1:{port}", "-k", "gevent",
                                        "--worker-connections", "4000", "--log-level", "error",
                                        f"{factory}()" if app == "mock" else trivial],
    }
    found = {}
    for name, make in both.items():
        module = name.split("-")[0]
        if name == "waitress" or os.path.exists(f"{BIN}/{module}"):
            if name == "gunicorn-gevent" and subprocess.run([PY, "-c", "import gevent"]).returncode:
                continue
            found.update({f"trivial@{name}": make("trivial"), f"mock@{name}": make("mock")})
    return found


def start(command: list[str], port: int, env: dict | None = None,
          health: str = "/__admin/health") -> tuple[subprocess.Popen, float]:
    """Start a server; answers it and the seconds to its first 2xx on `health`."""
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=LOG,
                               env={**os.environ, "KUSTOMER_MOCK_FAULT_HANG_MAX_SECONDS": "1", **(env or {})})
    wait_healthy(f"http://127.0.0.1:{port}{health}", process)
    return process, time.perf_counter() - began


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Poll `url` until a 2xx (any path WireMock or moto serve answers counts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {' '.join(process.args)}")
        try:
            with urlopen(url, timeout=1) as answer:
                if 200 <= answer.status < 300:
                    return
        except OSError:
            time.sleep(0.003)
    raise RuntimeError(f"no 2xx from {url}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def autocannon(url: str, seconds: float, connections: int, method: str = "GET", headers: dict | None = None,
               body: str | None = None) -> dict:
    """Keep-alive load from autocannon; answers req/s, p50 and p99 (ms) and the non-2xx/error count."""
    command = [os.path.join(TOOLS, "node_modules", ".bin", "autocannon"), "-j", "-c", str(connections),
               "-d", str(int(seconds)), "-m", method]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}={value}"]
    if body is not None:
        command += ["-b", body]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    return {"rps": result["requests"]["average"], "p50_ms": result["latency"]["p50"],
            "p99_ms": result["latency"]["p99"], "bad": result["non2xx"] + result["errors"] + result["timeouts"]}


def have_autocannon() -> bool:
    """Whether scripts/bench could install autocannon."""
    return os.path.exists(os.path.join(TOOLS, "node_modules", ".bin", "autocannon"))


def chat_headers(base: str, key: str) -> dict:
    """Headers of a started chat session of `key` (one start, as the widget does)."""
    request = Request(f"{base}/c/v1/tracking/tokens", method="POST", headers={"Authorization": f"Bearer {key}"})
    with urlopen(request, timeout=10) as answer:
        token = json.load(answer)["trackingToken"]
    return {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token, "Content-Type": "application/json"}


def chat_load(base: str, seconds: float, connections: int, key: str = "bench-chat") -> dict:
    """createConversation with a message, under keep-alive load."""
    return autocannon(f"{base}/c/v1/chat/sessions", seconds, connections, "POST", chat_headers(base, key),
                      json.dumps({"message": "I need some help"}))


def trivial_load(base: str, seconds: float, connections: int) -> dict:
    """The trivial handler (POST with the same body, so the two differ only in what the app does)."""
    return autocannon(f"{base}/c/v1/chat/sessions", seconds, connections, "POST",
                      {"Content-Type": "application/json"}, json.dumps({"message": "I need some help"}))


def wiremock(seconds: float, connections: int) -> dict | None:
    """WireMock (from npm, on Java) answering one static JSON stub; None without Java or the package."""
    jar = next((os.path.join(d, f) for d, _, files in os.walk(os.path.join(TOOLS, "node_modules", "wiremock"))
                for f in files if f.endswith(".jar")), None)
    if jar is None or shutil.which("java") is None:
        return None
    port = free_port()
    root = tempfile.mkdtemp(prefix="bench-wiremock-")
    os.makedirs(os.path.join(root, "mappings"))
    with open(os.path.join(root, "mappings", "stub.json"), "w") as stub:
        json.dump({"request": {"method": "POST", "url": "/c/v1/chat/sessions"},
                   "response": {"status": 200, "jsonBody": {"status": "ok"}}}, stub)
    process = subprocess.Popen(["java", "-jar", jar, "--port", str(port), "--root-dir", root, "--disable-banner",
                                "--no-request-journal"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/__admin/health", process, timeout=90)
        autocannon(f"http://127.0.0.1:{port}/c/v1/chat/sessions", 2, connections, "POST")   # warm the JIT
        return autocannon(f"http://127.0.0.1:{port}/c/v1/chat/sessions", seconds, connections, "POST")
    finally:
        stop(process)
        shutil.rmtree(root, ignore_errors=True)


def _admin(base: str, method: str, path: str, body: dict | None = None) -> None:
    data = json.dumps(body).encode() if body is not None else None
    request = Request(f"{base}{path}", data=data, method=method, headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=10):
        pass


def _raw(port: int, request: bytes, timeout: float) -> tuple[str, bytes]:
    """Send one raw request; answers how the connection ended and the bytes received."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return "closed", received
                received += chunk
        except ConnectionResetError:
            return "reset", received
        except socket.timeout:
            return "open", received


def _stream_cut(port: int, key: str, token: str) -> bool:
    """A stream with a `cut` fault (cutAfter 0) ends at its first event instead of sending it."""
    with socket.create_connection(("127.0.0.1", port), timeout=4) as sock:
        sock.sendall(f"GET /c/v1/events?key={key}&token={token} HTTP/1.1\r\nHost: x\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        got = sock.recv(65536)
        request = Request(f"http://127.0.0.1:{port}/c/v1/chat/sessions", data=b'{"message": "hi"}', method="POST",
                          headers={"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token,
                                   "Content-Type": "application/json"})
        urlopen(request, timeout=10).close()   # an event for the stream
        try:
            while chunk := sock.recv(65536):
                got += chunk
                if got.endswith(b"0\r\n\r\n"):
                    break
        except (socket.timeout, ConnectionResetError):
            pass
    return b" 200 " in got[:20] and b"onConversationCreate" not in got and got.endswith(b"0\r\n\r\n")


def fault_kinds(port: int) -> dict[str, bool]:
    """Which drop kinds behave as named on this server: reset (RST), empty (no byte, then FIN),
    malformed (a cut JSON body), hang (no answer while the client waits), cut (a stream ends early)."""
    base = f"http://127.0.0.1:{port}"
    key = "bench-faults"
    start = (f"POST /c/v1/tracking/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
             "Content-Length: 0\r\n\r\n").encode()
    results = {}
    for kind in FAULT_KINDS:
        operation = "eventStream" if kind == "cut" else "start"
        _admin(base, "DELETE", "/__admin/faults")
        rule = {"match": {"operation": operation, "org": key}, "drop": kind, "times": 1}
        if kind == "cut":
            token = chat_headers(base, key)["x-kustomer-tracking-token"]
            rule["cutAfter"] = 0
        _admin(base, "POST", "/__admin/faults", rule)
        if kind == "cut":
            results[kind] = _stream_cut(port, key, token)
            continue
        ended, got = _raw(port, start, timeout=0.8 if kind == "hang" else 5)
        results[kind] = {"reset": ended == "reset" and not got, "empty": ended == "closed" and not got,
                         "hang": ended == "open" and not got,
                         "malformed": b" 200 " in got[:20] and got.rstrip().endswith(b"}") is False}[kind]
    _admin(base, "DELETE", "/__admin/faults")
    return results

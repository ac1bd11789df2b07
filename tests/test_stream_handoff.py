"""Event streams on waitress leave its worker threads and I/O loop once started: over real sockets, with
two worker threads only, so a stream that still held one would leave plain calls unanswered."""
from __future__ import annotations

import os
import resource
import socket
import threading
import time

import pytest
import requests

from mock_server import create_app
from mock_server import events as sse
from mock_server.api.live import stream_slots
from mock_server.serving import ServerThread, client_gone
from mock_server.testing.serve import read_events, spawn_serve, stop_serve, wait_listening

THREADS, SLOTS = 2, 12


@pytest.fixture(scope="module")
def served():
    """A waitress server with 2 worker threads and 12 stream slots."""
    app = create_app({"THREADS": THREADS, "STREAM_SLOTS": SLOTS, "STREAM_SECONDS": 60})
    with ServerThread(app, kind="waitress") as server:
        yield app, server


def _start(url, key):
    rv = requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    return rv.json()["trackingToken"]


def _chat(url, key, token, message="hi"):
    headers = {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token}
    return requests.post(f"{url}/c/v1/chat/sessions", json={"message": message}, headers=headers, timeout=10)


class RawStream:
    """A stream read off a socket of the test's own: the head as sent, then the body's bytes."""

    def __init__(self, url, path, extra="", version="1.1"):
        host, port = url.split("//")[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.sendall(f"GET {path} HTTP/{version}\r\nHost: {host}\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        self.data = b""

    def until(self, needle: bytes) -> bytes:
        """Read until `needle` has arrived (or the connection ends); answers everything read so far."""
        while needle not in self.data:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.data += chunk
        return self.data

    def to_the_end(self) -> bytes:
        """Read until the server closes the connection."""
        while chunk := self.sock.recv(65536):
            self.data += chunk
        return self.data

    def head(self) -> dict:
        """The response's header lines, by lower-case name."""
        lines = self.until(b"\r\n\r\n").split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        return {"status": lines[0], **{k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}}

    def close(self):
        self.sock.close()


def _eventually(check, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)
    return check()


def _open(url, key, extra="", version="1.1"):
    token = _start(url, key)
    stream = RawStream(url, f"/c/v1/events?key={key}&token={token}", extra, version)
    stream.until(b"__stream")   # the opening marker: the stream runs
    return token, stream


@pytest.mark.parametrize(("version", "chunked"), [("1.1", "chunked"), ("1.0", None)])
def test_the_head_carries_the_apps_headers_cors_and_connection_close(served, version, chunked):
    app, server = served
    _, stream = _open(server.url, "handoff-head", extra="Origin: http://shop.test\r\n", version=version)
    try:
        head = stream.head()
        assert head["status"] == f"HTTP/{version} 200 OK"
        assert head["content-type"].startswith("text/event-stream")
        assert head["access-control-allow-origin"] == "http://shop.test"
        assert head["cache-control"] == "no-cache" and head["x-accel-buffering"] == "no"
        assert head["connection"] == "close" and head.get("transfer-encoding") == chunked
        body = stream.data.split(b"\r\n\r\n", 1)[1]   # HTTP/1.0: the events as they are; else in chunks
        assert body.startswith(b"retry: 1000") == (chunked is None) and b"retry: 1000" in body
        assert head["server"] == "kustomer-mock" and head["date"].endswith("GMT")
    finally:
        stream.close()


def test_a_handed_off_stream_delivers_events_and_resumes_with_last_event_id(served):
    app, server = served
    key = "handoff-events"
    token = _start(server.url, key)
    results, opened = [], threading.Event()
    reader = threading.Thread(target=lambda: results.extend(read_events(server.url, key, token, 2, opened=opened)))
    reader.start()
    assert opened.wait(10)
    assert server.server.streams.open >= 1   # written by a thread of the mock's own
    _chat(server.url, key, token)
    reader.join(10)
    assert sorted(name for _, name, _ in results) == ["onConversationCreate", "onMessageSent"]
    again = read_events(server.url, key, token, 1, last_event_id=results[0][0])
    assert again == results[1:]


def test_heartbeats_flow_on_a_quiet_stream(served, monkeypatch):
    monkeypatch.setattr(sse, "HEARTBEAT_SECONDS", 0.2)
    _, stream = _open(served[1].url, "handoff-heartbeat")
    try:
        assert b": heartbeat" in stream.until(b": heartbeat")
    finally:
        stream.close()


def test_a_cut_fault_ends_the_stream_after_its_events_and_closes_the_connection(served):
    app, server = served
    url, key = server.url, "handoff-cut"
    token = _start(url, key)
    for n in range(3):
        _chat(url, key, token, f"m{n}")
    rule = {"match": {"operation": "eventStream", "org": key}, "drop": "cut", "cutAfter": 2, "times": 1}
    assert requests.post(f"{url}/__admin/faults", json=rule, timeout=10).status_code == 201
    try:
        stream = RawStream(url, f"/c/v1/events?key={key}&token={token}", extra="Last-Event-ID: 0\r\n")
        body = stream.to_the_end()   # the server ends the body and closes the connection by itself
        stream.close()
        assert body.endswith(b"0\r\n\r\n")
        assert len([line for line in body.split(b"\n") if line.startswith(b"data: ")
                    and b"__stream" not in line]) == 2
    finally:
        requests.delete(f"{url}/__admin/faults", timeout=10)


def test_a_reset_of_the_org_ends_its_stream(served):
    app, server = served
    key = "handoff-reset"
    _, stream = _open(server.url, key)
    try:
        assert requests.post(f"{server.url}/__admin/reset", params={"org": key}, json={}, timeout=10).status_code == 200
        assert stream.to_the_end().endswith(b"0\r\n\r\n")
    finally:
        stream.close()


def test_a_closed_client_frees_its_slot_and_its_thread(served, monkeypatch):
    monkeypatch.setattr(sse, "HEARTBEAT_SECONDS", 3600.0)   # only the watch on OUR socket can end it
    app, server = served
    assert _eventually(lambda: stream_slots(app).open == 0)
    _, stream = _open(server.url, "handoff-gone")
    assert stream_slots(app).open == 1 and server.server.streams.open == 1
    stream.close()
    assert _eventually(lambda: stream_slots(app).open == 0 and server.server.streams.open == 0)


def test_ten_open_streams_leave_both_worker_threads_to_plain_calls(served):
    # were a stream still to hold a worker, the third stream's opening marker would never come
    app, server = served
    assert _eventually(lambda: stream_slots(app).open == 0)
    key = "handoff-ten"
    opened = [_open(server.url, key) for _ in range(10)]
    try:
        token = opened[0][0]
        assert stream_slots(app).open == 10 and server.server.streams.open == 10
        headers = {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": token}
        answers = [requests.get(f"{server.url}/c/v1/chat/unread", headers=headers, timeout=5).status_code
                   for _ in range(5)]
        assert answers == [200] * 5
        # the streams' connections are out of waitress's map: it loops over the plain calls' only
        assert len(server.server._server.active_channels) < 10
    finally:
        for _, stream in opened:
            stream.close()
    assert _eventually(lambda: stream_slots(app).open == 0)


def test_a_head_keeps_waitress_path_and_takes_no_thread_of_ours(served):
    app, server = served
    key = "handoff-head-method"
    token = _start(server.url, key)
    handed = []
    start = server.server.streams.start
    server.server.streams.start = lambda *args, **kwargs: handed.append(args) or start(*args, **kwargs)
    try:
        rv = requests.head(f"{server.url}/c/v1/events", params={"key": key, "token": token}, timeout=10)
    finally:
        del server.server.streams.start
    assert rv.status_code == 200 and rv.content == b"" and handed == []


def test_shutdown_ends_handed_off_streams_and_closes_their_sockets():
    app = create_app({"STREAM_SECONDS": 3600})
    server = ServerThread(app, kind="waitress").start()
    _, stream = _open(server.url, "handoff-shutdown")
    try:
        server.stop()
        assert stream.to_the_end().endswith(b"0\r\n\r\n")   # the stream ended and its socket closed
    finally:
        stream.close()
    assert stream_slots(app).open == 0 and server.server.streams.open == 0


def test_a_served_process_with_open_streams_stops_cleanly_and_ends_them():
    process = spawn_serve("--port", "0", env={"KUSTOMER_MOCK_STREAM_SECONDS": "3600"})
    try:
        url = wait_listening(process)
        streams = [_open(url, "handoff-serve")[1] for _ in range(3)]
    except BaseException:
        process.kill()
        raise
    try:
        rest = stop_serve(process)   # exit 0
        assert all(stream.to_the_end().endswith(b"0\r\n\r\n") for stream in streams)
        assert "Traceback" not in rest
    finally:
        for stream in streams:
            stream.close()


def test_a_client_on_a_descriptor_past_1023_is_not_taken_for_gone():
    """A thousand streams take descriptors past 1023, where select() refuses to look: poll() does not."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    far_fd = 1500 if hard == resource.RLIM_INFINITY or hard > 1501 else hard - 1
    if soft != resource.RLIM_INFINITY and soft <= far_fd:
        resource.setrlimit(resource.RLIMIT_NOFILE, (far_fd + 1, hard))
    near, peer = socket.socketpair()
    far = socket.socket(fileno=os.dup2(near.fileno(), far_fd))
    try:
        assert client_gone(far) is False
        peer.close()
        assert client_gone(far) is True
    finally:
        far.close()
        near.close()
        peer.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

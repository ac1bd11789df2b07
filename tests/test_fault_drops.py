"""Every drop kind over a real socket, seen by real HTTP clients: on both servers (waitress, the default,
and werkzeug) and on the pytest plugin's in-process server."""
from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest
import requests

from mock_server import create_app
from mock_server.serving import ServerThread
from mock_server.testing.plugin import SessionMock

SERVERS = ("waitress", "werkzeug", "plugin")   # plugin: the server the pytest plugin starts in-process


@pytest.fixture(scope="module", params=SERVERS)
def served(request):
    """A mock with a short hang bound, served by each server in turn."""
    if request.param == "plugin":
        session = SessionMock.start()
        session.app.config["FAULT_HANG_MAX_SECONDS"] = 1
        try:
            yield session.app, session
        finally:
            session.stop()
        return
    app = create_app({"FAULT_HANG_MAX_SECONDS": 1})
    with ServerThread(app, kind=request.param) as server:
        yield app, server


@pytest.fixture
def mock(served):
    """A served mock with no fault rules and an empty journal; yields (url, admin session)."""
    app, server = served
    with requests.Session() as admin:
        admin.delete(f"{server.url}/__admin/faults")
        admin.delete(f"{server.url}/__admin/requests")
        yield server.url, admin


def _fault(mock, **rule):
    url, admin = mock
    rv = admin.post(f"{url}/__admin/faults", json={"match": {"operation": "start"}, "times": 1, **rule})
    assert rv.status_code == 201, rv.text
    return rv.json()["id"]


def _start(url, timeout=5.0):
    return requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": "Bearer drop-key"},
                         timeout=timeout)


def test_reset_is_a_connection_reset(mock):
    _fault(mock, drop="reset")
    with pytest.raises(requests.ConnectionError) as caught:
        _start(mock[0])
    assert isinstance(caught.value.args[0].args[1], ConnectionResetError)
    assert _start(mock[0]).status_code == 200  # times: 1 — the next call is answered


def test_empty_closes_without_a_response(mock):
    _fault(mock, drop="empty")
    parts = urlsplit(mock[0])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("POST", "/c/v1/tracking/tokens", headers={"Authorization": "Bearer drop-key"})
    with pytest.raises(http.client.RemoteDisconnected):
        connection.getresponse()
    connection.close()


def test_reset_and_empty_over_a_raw_socket(mock):
    """What the bytes say: an RST for reset, an orderly end with zero bytes for empty."""
    parts = urlsplit(mock[0])
    for kind in ("reset", "empty"):
        _fault(mock, drop=kind)
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as raw:
            raw.sendall(b"POST /c/v1/tracking/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer drop-key\r\n"
                        b"Content-Length: 0\r\n\r\n")
            if kind == "reset":
                with pytest.raises(ConnectionResetError):
                    raw.recv(1024)
            else:
                assert raw.recv(1024) == b""


def test_malformed_is_a_200_with_truncated_json(mock):
    _fault(mock, drop="malformed")
    rv = _start(mock[0])
    assert rv.status_code == 200 and rv.headers["Content-Type"] == "application/json"
    assert int(rv.headers["Content-Length"]) == len(rv.content) > 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(rv.content)


def test_hang_answers_nothing_until_the_client_gives_up(mock):
    _fault(mock, drop="hang")
    with pytest.raises(requests.ReadTimeout):
        _start(mock[0], timeout=0.5)
    assert _start(mock[0]).status_code == 200


def test_hang_is_bounded_by_its_maximum(mock):
    """A client that waits longer than FAULT_HANG_MAX_SECONDS (1 s here) gets an empty reply."""
    _fault(mock, drop="hang")
    with pytest.raises(requests.ConnectionError) as caught:
        _start(mock[0], timeout=30)
    assert "without response" in str(caught.value)


def test_drops_are_journaled_with_the_fault(mock):
    url, admin = mock
    fault_id = _fault(mock, drop="reset")
    with pytest.raises(requests.ConnectionError):
        _start(url)
    entry = admin.get(f"{url}/__admin/requests", params={"operation": "start"}).json()["requests"][0]
    assert entry["fault"] == fault_id and entry["drop"] == "reset" and entry["status"] is None
    dropped = admin.get(f"{url}/__admin/requests", params={"status": "dropped"}).json()
    assert dropped["total"] == 1


def test_a_dropped_create_conversation_creates_nothing(mock):
    url, admin = mock
    token = _start(url).json()["trackingToken"]
    headers = {"Authorization": "Bearer drop-key", "x-kustomer-tracking-token": token}
    _fault(mock, drop="reset", match={"operation": "createConversation"})
    before = requests.get(f"{url}/c/v1/chat/sessions", headers=headers).json()["total"]
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}/c/v1/chat/sessions", json={"message": "hi"}, headers=headers, timeout=5)
    assert requests.get(f"{url}/c/v1/chat/sessions", headers=headers).json()["total"] == before


def test_cut_ends_an_event_stream_at_its_first_event(mock):
    """cutAfter 0: the stream opens, then ends where its first event would be, before the window's end."""
    url, _ = mock
    token = _start(url).json()["trackingToken"]
    _fault(mock, drop="cut", cutAfter=0, match={"operation": "eventStream"})
    with requests.get(f"{url}/c/v1/events", params={"key": "drop-key", "token": token}, stream=True,
                      timeout=10) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines(decode_unicode=True)
        assert next(lines) == "retry: 1000"
        requests.post(f"{url}/c/v1/chat/sessions", json={"message": "hi"}, timeout=5,
                      headers={"Authorization": "Bearer drop-key", "x-kustomer-tracking-token": token})
        rest = list(lines)   # ends: the cut, long before the stream's window
    assert not any('"onConversationCreate"' in line or "window-end" in line for line in rest)
    assert sum('"__stream"' in line for line in rest) == 1   # only the opening marker came

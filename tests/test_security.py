"""The guarded control plane, refusing an open bind, CORS for browsers, and header size limits."""
from __future__ import annotations

import re
import signal
import socket
import subprocess

import pytest
import requests

from mock_server import create_app
from mock_server.security import bind_refusal, is_loopback, is_open_admin
from mock_server.testing.appcalls import org_of
from mock_server.testing.serve import spawn_serve

ADMIN = "s3cret-admin-token"
FRONTEND = "http://localhost:5173"   # a front-end dev server on another port
PREFLIGHT_HEADERS = "authorization,content-type,x-kustomer-tracking-token"


@pytest.fixture
def guarded():
    """A mock started with an admin token."""
    return create_app({"TESTING": True, "ADMIN_TOKEN": ADMIN}).test_client()


def _admin_routes():
    app = create_app()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/__admin"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if not is_open_admin(method, rule.rule):  # health, and the dashboard's own files
                    yield method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "x", rule.rule)


# -- the admin token --------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), list(_admin_routes()) + [("GET", "/__admin/no-such-route")])
def test_every_admin_call_needs_the_token(guarded, method, path):
    rv = guarded.open(path, method=method)
    assert rv.status_code == 401 and rv.is_json
    assert rv.json["errors"][0]["code"] == "admin_token_required"
    assert rv.headers["WWW-Authenticate"].startswith("Bearer")
    rv = guarded.open(path, method=method, headers={"Authorization": "Bearer wrong"})
    assert rv.status_code == 403 and rv.json["errors"][0]["code"] == "admin_token_invalid"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/__admin/orgs/some-key", 200),
    ("POST", "/__admin/reset", 200),
    ("GET", "/__admin/openapi.json", 200),
])
def test_the_right_token_opens_the_control_api(guarded, method, path, status):
    assert guarded.open(path, method=method, headers={"Authorization": f"Bearer {ADMIN}"}).status_code == status


def test_health_stays_open_and_the_chat_api_is_not_guarded(guarded):
    assert guarded.get("/__admin/health").status_code == 200
    assert guarded.head("/__admin/health").status_code == 200
    rv = guarded.post("/c/v1/tracking/tokens", headers={"Authorization": "Bearer some-chat-key"})
    assert rv.status_code == 200


def test_the_dashboard_may_send_the_token_as_a_cookie(guarded):
    guarded.set_cookie("kustomer_mock_admin_token", ADMIN)
    assert guarded.get("/__admin/orgs/k").status_code == 200


def test_no_token_configured_leaves_the_control_api_open(client):
    assert client.get("/__admin/orgs/k").status_code == 200


def test_the_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("KUSTOMER_MOCK_ADMIN_TOKEN", "12345")   # read as JSON by Flask: an int
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/__admin/orgs/k").status_code == 401
    assert client.get("/__admin/orgs/k", headers={"Authorization": "Bearer 12345"}).status_code == 200


# -- binding -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("", False), ("::", False), ("192.168.1.20", False), ("mock.example", False),
])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback
    assert (bind_refusal(host, None) is None) is loopback
    assert bind_refusal(host, ADMIN) is None and bind_refusal(host, None, insecure_admin=True) is None


def _serve(*args: str) -> subprocess.Popen:
    return spawn_serve("--port", "0", *args, stderr=subprocess.PIPE)


def test_serving_on_every_address_without_a_token_refuses_to_start():
    process = _serve("--host", "0.0.0.0")
    out, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert "listening" not in out
    assert "refusing to serve on 0.0.0.0 without an admin token" in err
    assert "--admin-token" in err and "--insecure-admin" in err


@pytest.mark.parametrize("flags", [("--admin-token", ADMIN), ("--insecure-admin",)], ids=["token", "insecure"])
def test_serving_on_every_address_with_a_token_or_insecure_admin_starts(flags):
    process = _serve("--host", "0.0.0.0", *flags)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("kustomer-mock listening on http://0.0.0.0:"), line + process.stderr.read()
        url = "http://127.0.0.1:" + line.rsplit(":", 1)[1]
        assert requests.get(f"{url}/__admin/health", timeout=5).status_code == 200
        expected = 401 if flags[0] == "--admin-token" else 200
        assert requests.get(f"{url}/__admin/orgs/k", timeout=5).status_code == expected
        auth = {"Authorization": f"Bearer {ADMIN}"}
        assert requests.get(f"{url}/__admin/orgs/k", headers=auth, timeout=5).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        process.stderr.close()


# -- CORS --------------------------------------------------------------------------------------

def preflight(client, path: str, origin: str = FRONTEND, method: str = "POST", headers: str = PREFLIGHT_HEADERS,
              **extra):
    """What a browser sends before a cross-origin call with custom headers."""
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": headers, **extra})


@pytest.mark.parametrize(("path", "method"), [
    ("/c/v1/tracking/tokens", "POST"),
    ("/c/v1/chat/sessions", "POST"),
    ("/c/v1/chat/sessions/5f0c1a2b3c4d5e6f7a8b9c01", "PATCH"),
    ("/c/v1/identity", "DELETE"),
    ("/c/v1/events", "GET"),
    ("/chat-web/widget.js", "GET"),
])
def test_preflights_on_the_browser_surfaces_pass_from_any_origin(client, path, method):
    rv = preflight(client, path, method=method, headers=PREFLIGHT_HEADERS + ",last-event-id")
    assert rv.status_code == 204 and rv.get_data() == b""
    assert rv.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert method in rv.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in rv.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-kustomer-tracking-token", "last-event-id"} <= allowed
    assert "Origin" in rv.headers["Vary"]


def test_simple_requests_and_their_errors_carry_the_origin(client, key):
    headers = {"Origin": FRONTEND, "Authorization": f"Bearer {key}"}
    rv = client.post("/c/v1/tracking/tokens", headers=headers)
    assert rv.status_code == 200 and rv.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert "Retry-After" in rv.headers["Access-Control-Expose-Headers"]
    rv = client.get("/c/v1/chat/unread", headers=headers)   # no tracking token: a 401 the page can read
    assert rv.status_code == 401 and rv.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert client.get("/chat-web/widget.js", headers={"Origin": "null"}).headers["Access-Control-Allow-Origin"] \
        == "null"


def test_the_control_api_is_not_opened_to_other_origins(client):
    rv = preflight(client, "/__admin/reset")
    assert rv.status_code == 403 and rv.json["errors"][0]["code"] == "cors_origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in rv.headers
    assert "Access-Control-Allow-Origin" not in client.get("/__admin/health", headers={"Origin": FRONTEND}).headers


def test_another_origin_cannot_even_post_to_the_control_api(app, client, chat):
    """A cross-origin POST with no custom header skips the preflight: the mock itself must refuse it."""
    chat.new_conversation()
    rv = client.post(f"/__admin/reset?org={chat.key}", headers={"Origin": FRONTEND})
    assert rv.status_code == 403 and rv.json["errors"][0]["code"] == "cors_origin_not_allowed"
    assert org_of(app, chat.key).conversations_of(chat.customer_id)
    same_origin = client.post(f"/__admin/reset?org={chat.key}", headers={"Origin": "http://localhost"})
    assert same_origin.status_code == 200   # the dashboard, served by the mock itself


def test_a_request_without_origin_gets_no_cors_headers(client):
    assert "Access-Control-Allow-Origin" not in client.get("/__admin/health").headers


def test_configured_origins_close_the_rest_and_may_open_the_control_api():
    app = create_app({"TESTING": True, "CORS_ORIGINS": "http://app.test, http://admin.test/", "ADMIN_TOKEN": ADMIN})
    client = app.test_client()
    assert preflight(client, "/c/v1/chat/sessions", origin="http://app.test").status_code == 204
    refused = preflight(client, "/c/v1/chat/sessions", origin=FRONTEND)
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    simple = client.post("/c/v1/tracking/tokens", headers={"Origin": FRONTEND, "Authorization": "Bearer k"})
    assert "Access-Control-Allow-Origin" not in simple.headers
    # a preflight carries no credentials: it passes without the admin token, the call itself needs it
    assert preflight(client, "/__admin/reset", origin="http://admin.test").status_code == 204
    rv = client.get("/__admin/orgs/k", headers={"Origin": "http://admin.test", "Authorization": f"Bearer {ADMIN}"})
    assert rv.status_code == 200 and rv.headers["Access-Control-Allow-Origin"] == "http://admin.test"


def test_chrome_private_network_preflight(client):
    rv = preflight(client, "/c/v1/tracking/tokens", **{"Access-Control-Request-Private-Network": "true"})
    assert rv.headers["Access-Control-Allow-Private-Network"] == "true"


@pytest.mark.parametrize("path", ["/c/v1/chat/sessions", "/v1/conversations", "/__admin/faults"])
def test_a_plain_options_request_is_not_a_preflight(client, path):
    rv = client.options(path)
    # which methods exist, and no body: never an empty text/html page
    assert rv.status_code == 204 and "GET" in rv.headers["Allow"]
    assert rv.get_data() == b"" and "Content-Type" not in rv.headers


@pytest.mark.private_app
def test_options_requests_are_neither_faulted_nor_journaled(client):
    assert client.post("/__admin/faults", json={"respond": {"status": 503, "code": "service_unavailable"}}).status_code \
        == 201
    client.delete("/__admin/requests")
    assert preflight(client, "/c/v1/chat/sessions").status_code == 204
    assert client.options("/c/v1/chat/sessions").status_code == 204
    assert client.get("/__admin/requests").json["requests"] == []
    assert client.post("/c/v1/tracking/tokens", headers={"Authorization": "Bearer k"}).status_code == 503


# -- limits ------------------------------------------------------------------------------------

def test_oversized_headers_answer_431_in_the_envelope(client, key):
    rv = client.get("/__admin/health", headers={"X-Big": "a" * (64 * 1024)})
    assert rv.status_code == 431 and rv.json["errors"][0]["code"] == "headers_too_large"
    assert client.get("/__admin/health", headers={"X-Big": "a" * 60_000}).status_code == 200


def _raw(url: str, header_bytes: int) -> bytes:
    host, port = url.split("//")[1].split(":")
    chunks = []
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            sock.sendall(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * header_bytes
                         + b"\r\nConnection: close\r\n\r\n")
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass  # a server that refuses early closes over bytes it never read: the reset follows its answer
    return b"".join(chunks)


def test_header_limits_over_a_real_socket(live_server):
    assert _raw(live_server.url, 1000).startswith(b"HTTP/1.1 200")
    app_refusal = _raw(live_server.url, 100 * 1024)
    assert app_refusal.startswith(b"HTTP/1.1 431") and b'"headers_too_large"' in app_refusal
    server_refusal = _raw(live_server.url, 200 * 1024)   # past twice the limit: waitress refuses itself
    assert server_refusal.split(b"\r\n")[0] == b"HTTP/1.0 431 Request Header Fields Too Large"


LONG_KEY = "k" * 257


@pytest.mark.parametrize(("method", "path", "headers"), [
    ("POST", "/c/v1/tracking/tokens", {"Authorization": f"Bearer {LONG_KEY}"}),
    ("GET", "/v1/conversations", {"Authorization": f"Bearer {LONG_KEY}"}),
    ("GET", "/v2.1/chat/sessions?customerId=x", {"x-kustomer-api-key": LONG_KEY}),
    ("GET", f"/c/v1/events?key={LONG_KEY}&token=t", {}),
    ("GET", f"/__admin/orgs/{LONG_KEY}", {}),
    ("PATCH", f"/__admin/orgs/{LONG_KEY}/settings", {}),
    ("GET", f"/__admin/orgs/{LONG_KEY}/sdk-warnings", {}),
    ("POST", f"/__admin/reset?org={LONG_KEY}", {}),
])
@pytest.mark.private_app
def test_an_api_key_over_256_characters_is_refused_and_builds_no_org(client, method, path, headers):
    rv = client.open(path, method=method, headers=headers, json={} if method == "PATCH" else None)
    assert rv.status_code == 400 and rv.json["errors"][0]["code"] == "invalid_api_key", rv.json
    assert "256" in rv.json["errors"][0]["detail"]
    assert client.get("/__admin/state").json["keys"] == []


def test_a_256_character_key_is_fine(client):
    key = "k" * 256
    assert client.post("/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert client.get(f"/__admin/orgs/{key}").status_code == 200

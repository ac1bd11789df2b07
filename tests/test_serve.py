"""The real `kustomer-mock serve` process over sockets, and the server used in tests."""
from __future__ import annotations

import json
import re
import select
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask import url_for

from mock_server import create_app
from mock_server.domain.fixtures import default_dir
from mock_server.serving import ServerThread
from mock_server.testing.serve import serving, spawn_serve, stop_serve, wait_listening

pytestmark = pytest.mark.slow   # kustomer-mock serve in child processes


@pytest.fixture(scope="module")
def served():
    """`kustomer-mock serve --port 0` as a child process; yields its URL."""
    process = spawn_serve("--port", "0", "--seed", "3")
    url = wait_listening(process)
    assert url.startswith("http://127.0.0.1:")
    yield url
    assert "kustomer-mock stopped" in stop_serve(process)


def _start(session, url, key):
    rv = session.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"})
    assert rv.status_code == 200
    return {"Authorization": f"Bearer {key}", "x-kustomer-tracking-token": rv.json()["trackingToken"]}


def test_the_served_process_answers_health_and_chat(served):
    with requests.Session() as session:
        assert session.get(f"{served}/__admin/health").json()["status"] == "ok"
        headers = _start(session, served, "served-key")
        rv = session.post(f"{served}/c/v1/chat/sessions", json={"message": "hi"}, headers=headers)
        assert rv.status_code == 201 and rv.json()["ended"] is False
        assert session.get(f"{served}/nope").headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(("endpoint", "values", "url"), [
    ("live.eventStream", {}, "/c/v1/events"),
    ("live.eventStream", {"key": "k"}, "/c/v1/events?key=k"),
    ("live.sendTypingActivity", {"conversation_id": "abc"}, "/c/v1/chat/sessions/abc/typing"),
])
def test_urls_build_from_the_routes_though_their_builders_are_made_late(endpoint, values, url):
    with create_app().test_request_context():
        assert url_for(endpoint, **values) == url


def test_an_env_variable_sets_a_flag(tmp_path):
    process = spawn_serve(env={"KUSTOMER_MOCK_PORT": "0", "KUSTOMER_MOCK_HOST": "127.0.0.1"})
    try:
        url = wait_listening(process)
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":7700")
    finally:
        stop_serve(process, signal.SIGINT)


def test_parallel_creates_give_distinct_readable_ids(live_server):
    """8 threads x 500 createConversation calls over one real socket each: 4000 distinct ids."""
    key, url = "parallel-key", live_server.url
    local = threading.local()

    def session():
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.headers = _start(local.session, url, key)
        return local.session, local.headers

    def create(n):
        http, headers = session()
        rv = http.post(f"{url}/c/v1/chat/sessions", json={"message": f"hello {n}"}, headers=headers)
        assert rv.status_code == 201, rv.text
        return rv.json()["conversationId"], headers

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(create, range(4000)))
    ids = {cid for cid, _ in results}
    assert len(ids) == 4000
    with requests.Session() as http:
        for cid, headers in results[::97]:
            assert http.get(f"{url}/c/v1/chat/sessions/{cid}", headers=headers).json()["conversationId"] == cid
        total = sum(http.get(f"{url}/c/v1/chat/sessions", params={"pageSize": 1}, headers=h).json()["total"]
                    for h in {id(h): h for _, h in results}.values())
    assert total == 4000


def test_a_fixtures_folder_replaces_bundled_files_by_name_and_keeps_the_rest(tmp_path):
    folder = tmp_path / "fx"
    folder.mkdir()
    org = (default_dir() / "org.yaml").read_text(encoding="utf-8")
    (folder / "org.yaml").write_text(org.replace("teamName: Acme Support", "teamName: Mounted Team"), encoding="utf-8")
    with serving("--fixtures", str(folder)) as url:
        org = requests.get(f"{url}/__admin/orgs/fx-key", timeout=10).json()
        assert org["settings"]["teamName"] == "Mounted Team"                      # from the folder
        assert "5f0c1a2b3c4d5e6f7a8bb004" in [a["id"] for a in org["assistants"]]  # from the bundle


@pytest.mark.parametrize(("name", "text", "message"), [
    ("org.yaml", "default: [unclosed", "Error: fixtures: "),
    ("assistants.yaml", "assistants: []\n",
     "Error: fixtures: brand 5f0c1a2b3c4d5e6f7a8b9c02: activeAssistant 5f0c1a2b3c4d5e6f7a8bb004 "
     "is not an assistant of this org\n"),
])
def test_broken_fixtures_stop_serve_with_one_line_and_exit_2(tmp_path, name, text, message):
    folder = tmp_path / "fx"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    process = spawn_serve("--port", "0", "--fixtures", str(folder))
    output = process.communicate(timeout=30)[0]
    assert process.returncode == 2
    assert output.startswith(message) and output.count("\n") == 1 and "Traceback" not in output


@pytest.mark.parametrize("server", ["waitress", "werkzeug"])
def test_a_busy_port_is_one_line_naming_port_0_and_exit_2(server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = spawn_serve("--port", str(port), "--server", server)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 2
    assert output == (f"Error: port {port} on 127.0.0.1 is already in use: pass --port 0 to pick a free port "
                      "(or stop what listens there)\n")


def _log_lines(*args):
    process = spawn_serve("--port", "0", *args)
    url = wait_listening(process)
    with requests.Session() as session:
        headers = _start(session, url, "log-key")
        session.post(f"{url}/c/v1/chat/sessions", json={"message": "hi"}, headers=headers)
        session.post(f"{url}/__admin/faults", json={"match": {"operation": "getUnreadCount"}, "respond": {"status": 503}})
        session.get(f"{url}/c/v1/chat/unread", headers=headers)
    return [line for line in stop_serve(process).splitlines() if "kustomer-mock" not in line]


def test_serve_logs_one_line_per_request():
    lines = _log_lines()
    assert len(lines) == 4
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} POST /c/v1/chat/sessions createConversation 201 [\d.]+ms org=log-key",
                        lines[1]), lines[1]
    assert re.fullmatch(r"\S+ POST /__admin/faults addFault 201 [\d.]+ms", lines[2]), lines[2]
    assert re.fullmatch(r"\S+ GET /c/v1/chat/unread getUnreadCount 503 [\d.]+ms fault=f1 org=log-key", lines[3])


def test_a_log_line_is_printed_while_serving_not_only_at_exit():
    process = spawn_serve("--port", "0")
    try:
        url = wait_listening(process)
        requests.get(f"{url}/__admin/health", timeout=10)
        assert select.select([process.stdout], [], [], 10)[0], "no log line within 10 s"
        line = process.stdout.readline()
        assert re.fullmatch(r"\S+ GET /__admin/health \S+ 200 [\d.]+ms\n", line), line
    finally:
        stop_serve(process)


def test_serve_raises_its_open_file_limit_for_a_thousand_streams():
    import resource
    import subprocess
    import sys
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    low = 256 if hard == resource.RLIM_INFINITY else min(256, hard)
    # started as a system with a soft limit of 256 starts it (1,000 streams would run out of descriptors)
    boot = ("import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_NOFILE, (%d, %d)); "
            "sys.argv = ['kustomer-mock', 'serve', '--port', '0', '-q']; "
            "runpy.run_module('mock_server', run_name='__main__')") % (low, hard)
    process = subprocess.Popen([sys.executable, "-c", boot], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_listening(process)
        with open(f"/proc/{process.pid}/limits") as seen:
            limits = seen.read()
        soft = next(line.split()[3] for line in limits.splitlines() if line.startswith("Max open files"))
        wanted = 1000 + 4 * 64 + 256
        assert soft == "unlimited" or int(soft) >= min(wanted, hard), limits
    finally:
        stop_serve(process)


def test_serve_logs_json_lines_or_nothing_when_quiet():
    lines = [json.loads(line) for line in _log_lines("--log-format", "json")]
    assert {k: v for k, v in lines[3].items() if k not in ("time", "durationMs")} == {
        "method": "GET", "path": "/c/v1/chat/unread", "operation": "getUnreadCount", "status": 503,
        "fault": "f1", "drop": None, "stub": None, "org": "log-key"}
    assert _log_lines("--quiet") == []


def test_a_waitress_thread_stops_without_an_ebadf_traceback(caplog):
    failures = []
    previous, threading.excepthook = threading.excepthook, failures.append
    try:
        for _ in range(5):
            served = ServerThread(create_app(), kind="waitress").start()
            with requests.Session() as session:   # a keep-alive channel is open while the server stops
                assert session.get(f"{served.url}/__admin/health").status_code == 200
                served.stop()
            assert not served._thread.is_alive()
    finally:
        threading.excepthook = previous
    assert failures == [] and "Bad file descriptor" not in caplog.text

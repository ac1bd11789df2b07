"""`serve --workers N`: real worker processes on one port sharing a real redis-server; killing a worker and
restarting Redis under load lose no acknowledged write."""
from __future__ import annotations

import itertools
import json
import os
import re
import signal
import threading
import time
from contextlib import contextmanager

import pytest
import requests

from mock_server.testing.redisserver import redis_server
from mock_server.testing.serve import spawn_serve, stop_serve, wait_listening

pytestmark = pytest.mark.slow
_keys = itertools.count(1)
WORKERS_LINE = re.compile(r"kustomer-mock workers: (\d+) \(pids ([\d, ]+)\)")


@pytest.fixture
def key():
    """A key (an org) no other test of the module uses."""
    return f"workers-key-{next(_keys)}"


@contextmanager
def workers(redis_url: str, count: int, *args: str):
    """`serve --workers COUNT --store REDIS_URL`: yields its URL, the workers' pids and the process; stops it (exit 0)."""
    process = spawn_serve("--port", "0", "--quiet", "--workers", str(count), "--store", redis_url, *args)
    url = wait_listening(process)
    found = WORKERS_LINE.match(process.stdout.readline())
    assert found and int(found.group(1)) == count
    pids = [int(pid) for pid in found.group(2).split(", ")]
    try:
        yield url, pids, process
    finally:
        process.output = stop_serve(process)
        assert "kustomer-mock stopped" in process.output


def _pid(answer: requests.Response) -> int:
    assert answer.status_code == 200, answer.text
    return answer.json()["pid"]


def _pinned(url: str, pids: list[int], tries: int = 300) -> dict[int, requests.Session]:
    """A keep-alive session per worker (a connection stays with the worker that accepted it), by pid."""
    sessions: dict[int, requests.Session] = {}
    for _ in range(tries):
        session = requests.Session()
        pid = _pid(session.get(f"{url}/__admin/health", timeout=30))
        if pid in sessions:
            session.close()
        else:
            sessions[pid] = session
        if len(sessions) == len(pids):
            return sessions
    raise AssertionError(f"only {sorted(sessions)} of {pids} answered in {tries} connections")


def _auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def _customer_ids(url: str, key: str) -> set[str]:
    """Every customer of the org, following links.next."""
    found, answer = set(), requests.get(f"{url}/v1/customers", headers=_auth(key), params={"pageSize": 100}, timeout=30)
    while True:
        assert answer.status_code == 200, answer.text
        found |= {customer["id"] for customer in answer.json()["data"]}
        following = answer.json()["links"]["next"]
        if following is None:
            return found
        answer = requests.get(url + following, headers=_auth(key), timeout=30)


@pytest.mark.parametrize("server", ["waitress", "werkzeug"])
def test_three_workers_answer_on_one_port_and_stop_together(redis_url, server):
    with workers(redis_url, 3, "--server", server) as (url, pids, process):
        assert len(set(pids)) == 3 and process.pid not in pids
        assert sorted(_pinned(url, pids)) == sorted(pids)   # fresh connections reach every worker
        spec = requests.get(f"{url}/__admin/openapi.json", timeout=30).json()
        assert "pid" in spec["components"]["schemas"]["Health"]["properties"]
    for pid in pids:   # SIGTERM to the parent stopped every worker
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_customer_made_through_one_worker_is_read_through_the_others(redis_url, key):
    with workers(redis_url, 3) as (url, pids, _):
        sessions = list(_pinned(url, pids).values())
        made = sessions[0].post(f"{url}/v1/customers", headers=_auth(key), json={"name": "Ada"}, timeout=30)
        assert made.status_code == 201, made.text
        customer = made.json()["data"]
        for session in sessions[1:]:
            read = session.get(f"{url}/v1/customers/{customer['id']}", headers=_auth(key), timeout=30)
            assert read.status_code == 200 and read.json()["data"] == customer


@pytest.mark.memory_store   # about the default store: the suite's redis pass gives every child a Redis
@pytest.mark.parametrize("env", [{}, {"KUSTOMER_MOCK_WORKERS": "2"}])
def test_several_workers_on_the_memory_store_are_refused_with_one_line(env):
    args = () if env else ("--workers", "2")
    process = spawn_serve("--port", "0", *args, env=env)
    try:
        out = process.communicate(timeout=60)[0]
    finally:
        if process.poll() is None:   # not refused: it serves; stop it so it outlives no test
            stop_serve(process)
    assert process.returncode == 2
    assert out.strip() == ("Error: --workers 2 needs a shared store: with --store memory each worker would keep "
                           "orgs of its own and a call would see another call's writes or not by chance; pass "
                           "--store redis://HOST:PORT/DB (docs/redis.md) or --workers 1")


class WriteLoad:
    """Threads creating customers over fresh connections (so writes spread over the workers) until stopped."""

    def __init__(self, url: str, keys: list[str], threads: int = 6):
        self.url, self.keys, self.stopping = url, keys, threading.Event()
        self.acknowledged: dict[str, list[str]] = {key: [] for key in keys}
        self.answers: list[tuple[int, str | None]] = []   # (status, error code) of every answer
        self.connection_errors = 0
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def __enter__(self) -> "WriteLoad":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(60)

    def _run(self, n: int) -> None:
        for count in itertools.count():
            if self.stopping.is_set():
                return
            key = self.keys[(n + count) % len(self.keys)]
            try:
                answer = requests.post(f"{self.url}/v1/customers", headers=_auth(key),
                                       json={"name": f"load {n}-{count}"}, timeout=30)
            except requests.RequestException:   # the connection refused, reset or cut mid-answer
                self.connection_errors += 1
                continue
            try:
                code = answer.json()["errors"][0]["code"] if answer.status_code >= 400 else None
            except ValueError:   # not the envelope: recorded, and the test fails on it
                code = answer.text[:80]
            self.answers.append((answer.status_code, code))
            if answer.status_code == 201:
                self.acknowledged[key].append(answer.json()["data"]["id"])

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Until `count` more writes were acknowledged."""
        goal, deadline = self.total() + count, time.monotonic() + timeout
        while self.total() < goal:
            assert time.monotonic() < deadline, f"only {self.total()} writes acknowledged: {self.answers[-5:]}"
            time.sleep(0.05)

    def total(self) -> int:
        """Writes acknowledged so far."""
        return sum(len(ids) for ids in self.acknowledged.values())


def test_killing_a_worker_under_write_load_loses_no_acknowledged_write(redis_url):
    keys = [f"workers-kill-{n}" for n in range(3)]
    with workers(redis_url, 3) as (url, pids, process):
        with WriteLoad(url, keys) as load:
            load.wait_for(20)
            os.kill(pids[1], signal.SIGKILL)
            load.wait_for(20)
            deadline = time.monotonic() + 60
            while True:   # the slot answers again, from a new process
                seen = {_pid(requests.get(f"{url}/__admin/health", timeout=30)) for _ in range(30)}
                if seen - set(pids):
                    break
                assert time.monotonic() < deadline, f"no new worker answered: {seen}"
            load.wait_for(10)
        assert {status for status, _ in load.answers} <= {201, 503}
        for key in keys:
            assert set(load.acknowledged[key]) <= _customer_ids(url, key)
    assert f"kustomer-mock worker 1 (pid {pids[1]}) exited with signal 9; starting it again" in process.output
    assert "kustomer-mock worker 1 started again (pid " in process.output


def test_a_redis_restart_under_write_load_gives_503s_and_loses_no_acknowledged_write(tmp_path):
    keys = [f"workers-restart-{n}" for n in range(3)]
    # Redis persists (an append-only file, synced before each answer): a Redis that restarts empty would lose
    # the writes it acknowledged, and the orgs would be made again from the fixtures by design
    with redis_server(tmp_path, persist=True) as redis, workers(redis.url, 2) as (url, pids, _):
        with WriteLoad(url, keys) as load:
            load.wait_for(20)
            redis.stop()
            during = len(load.answers)
            time.sleep(1.5)
            assert (503, "store_unavailable") in load.answers[during:]
            redis.start()
            load.wait_for(20)
        assert load.connection_errors == 0
        assert set(load.answers) <= {(201, None), (503, "store_unavailable"), (503, "store_busy")}, load.answers
        for key in keys:
            assert set(load.acknowledged[key]) <= _customer_ids(url, key)


def test_a_store_that_does_not_answer_stops_the_workers_with_one_line():
    process = spawn_serve("--port", "0", "--workers", "3", "--store", "redis://127.0.0.1:1/0")
    out = process.communicate(timeout=120)[0]
    assert process.returncode == 1 and "Traceback" not in out
    assert out.count("Error: Redis at redis://127.0.0.1:1/0 did not answer") == 1, out


def _wait_for_a_new_worker(url: str, pids: list[int]) -> None:
    deadline = time.monotonic() + 60
    while not {_pid(requests.get(f"{url}/__admin/health", timeout=30)) for _ in range(20)} - set(pids):
        assert time.monotonic() < deadline, "no new worker answered"


def test_the_state_file_is_imported_once_and_saved_once(tmp_path):
    state_file, one, two = tmp_path / "state.json", tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    with redis_server(one) as redis:
        with workers(redis.url, 2, "--state-file", str(state_file)) as (url, _, _):
            seeded = _customer_ids(url, "workers-state")
            made = requests.post(f"{url}/v1/customers", headers=_auth("workers-state"), json={"name": "A"}, timeout=30)
            assert made.status_code == 201, made.text
        first = made.json()["data"]["id"]
    with redis_server(two) as redis:   # an empty Redis: what it holds next comes from the file
        with workers(redis.url, 2, "--state-file", str(state_file)) as (url, pids, process):
            assert _customer_ids(url, "workers-state") == seeded | {first}   # imported at boot, by one worker
            made = requests.post(f"{url}/v1/customers", headers=_auth("workers-state"), json={"name": "B"}, timeout=30)
            second = made.json()["data"]["id"]
            os.kill(pids[0], signal.SIGKILL)   # the worker that imported: started again, it must not import again
            _wait_for_a_new_worker(url, pids)
            assert _customer_ids(url, "workers-state") == seeded | {first, second}
    saved = json.loads(state_file.read_text())
    org = next(org for org in saved["orgs"] if org["name"] == "workers-state")
    assert {customer["id"] for customer in org["customers"]} == seeded | {first, second}
    assert process.output.count("kustomer-mock state saved to") == 1

"""The example failure-injection scripts (scripts/faults/*.sh) against a real served mock."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.client import MockClient

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts" / "faults"
# The command the scripts call: the installed entry point when there is one, else a shim over main().
ENTRY = shutil.which("kustomer-mock", path=str(Path(sys.executable).parent))

# a tiny "app under test": calls start (or createConversation three times) and prints the statuses
START = ("import requests,os; print(requests.post(os.environ['KUSTOMER_MOCK_URL'] + '/c/v1/tracking/tokens',"
         " headers={'Authorization': 'Bearer script-key'}).status_code)")
RETRYING_APP = """
import os, requests
url, auth = os.environ['KUSTOMER_MOCK_URL'], {'Authorization': 'Bearer script-key'}
token = requests.post(url + '/c/v1/tracking/tokens', headers=auth).json()['trackingToken']
for attempt in range(3):
    rv = requests.post(url + '/c/v1/chat/sessions', json={'message': 'hi'},
                       headers={**auth, 'x-kustomer-tracking-token': token})
    if rv.status_code == 201:
        break
"""


@pytest.fixture
def env(server, tmp_path):
    """The environment of a script: the mock's URL and the kustomer-mock command."""
    MockClient(server.url).clear_faults(), MockClient(server.url).clear_requests()
    command = ENTRY
    if command is None:
        command = tmp_path / "kustomer-mock"
        command.write_text(f"#!/bin/sh\nexec {sys.executable} -m mock_server \"$@\"\n")
        command.chmod(0o755)
    return {**os.environ, "KUSTOMER_MOCK_URL": server.url, "KUSTOMER_MOCK": str(command)}


def _run(script, env, *command):
    return subprocess.run(["bash", str(SCRIPTS / script), *command], env=env, capture_output=True, text=True,
                          timeout=60)


def test_chat_outage_fails_the_command_s_calls_and_cleans_up(server, env):
    result = _run("chat-outage.sh", env, sys.executable, "-c", START)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "503"
    assert MockClient(server.url).faults() == []


def test_the_command_s_exit_code_is_kept(server, env):
    assert _run("chat-outage.sh", env, "false").returncode == 1
    assert MockClient(server.url).faults() == []


def test_create_fails_twice_checks_the_app_retried(env):
    result = _run("create-fails-twice.sh", env, sys.executable, "-c", RETRYING_APP)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "createConversation answered: 503 503 201" in result.stdout


def test_create_fails_twice_fails_an_app_that_gives_up(env):
    result = _run("create-fails-twice.sh", env, "true")
    assert result.returncode != 0 and "createConversation answered: \n" in result.stdout


def test_rate_limit_storm_counts_the_limited_calls(env):
    app = START.replace("print(", "[print(").replace(".status_code)", ".status_code) for _ in range(20)]")
    result = _run("rate-limit-storm.sh", env, sys.executable, "-c", app)
    assert result.returncode == 0, result.stderr
    limited = result.stdout.strip().splitlines()[-1]
    assert limited.endswith("calls were rate-limited") and 0 < int(limited.split()[0]) < 15


def test_chat_offline_and_flaky_network_scripts_run(server, env):
    result = _run("chat-offline.sh", {**env, "KEY": "script-key"}, sys.executable, "-c",
                  "import requests,os; print(requests.get(os.environ['KUSTOMER_MOCK_URL'] + "
                  "'/__admin/orgs/script-key').json()['availability'])")
    assert result.returncode == 0 and result.stdout.strip().splitlines()[-1] == "offline"
    assert MockClient(server.url).org("script-key")["availability"] == "online"
    assert _run("flaky-network.sh", env, "true").returncode == 0

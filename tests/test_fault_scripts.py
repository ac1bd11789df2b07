"""The example failure-injection scripts (scripts/faults/*.sh) against a real served mock."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.client import MockClient

pytestmark = pytest.mark.slow   # the shell scripts and the CLI in child processes

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


def test_create_fails_twice_reads_only_its_own_window(server, env):
    earlier = _run("create-fails-twice.sh", env, sys.executable, "-c", RETRYING_APP)   # 503 503 201 in the journal
    assert earlier.returncode == 0, earlier.stdout + earlier.stderr
    subprocess.run([sys.executable, "-c", RETRYING_APP], env=env, check=True, timeout=30)   # and a plain 201
    again = _run("create-fails-twice.sh", env, sys.executable, "-c", RETRYING_APP)
    assert again.returncode == 0 and "createConversation answered: 503 503 201\n" in again.stdout
    gave_up = _run("create-fails-twice.sh", env, "true")
    assert gave_up.returncode != 0 and "createConversation answered: \n" in gave_up.stdout


def test_rate_limit_storm_counts_only_its_own_calls(server, env):
    admin = MockClient(server.url)
    with admin.fault(match={"operation": "start"}, respond={"status": 429}, times=3):
        for _ in range(3):
            subprocess.run([sys.executable, "-c", START], env=env, check=True, timeout=30)
    result = _run("rate-limit-storm.sh", env, "true")
    assert result.returncode == 0 and result.stdout.strip().splitlines()[-1] == "0 calls were rate-limited"


@pytest.mark.parametrize("script", ["chat-outage.sh", "flaky-network.sh", "rate-limit-storm.sh"])
def test_a_script_removes_only_its_own_rules(server, env, script):
    admin = MockClient(server.url)
    kept = admin.add_fault(match={"operation": "sendMessage"}, respond={"status": 500})
    assert _run(script, env, "true").returncode == 0
    assert [rule["id"] for rule in admin.faults()] == [kept["id"]]


def test_the_scripts_find_the_cli_in_the_repository_venv(server, env, tmp_path):
    copy = tmp_path / "repo" / "scripts" / "faults"
    shutil.copytree(SCRIPTS, copy)
    venv_cli = tmp_path / "repo" / ".venv" / "bin" / "kustomer-mock"
    venv_cli.parent.mkdir(parents=True)
    venv_cli.write_text(f"#!/bin/sh\nexec {sys.executable} -m mock_server \"$@\"\n")
    venv_cli.chmod(0o755)
    bare = {k: v for k, v in env.items() if k != "KUSTOMER_MOCK"} | {"PATH": "/usr/bin:/bin"}
    done = subprocess.run(["bash", str(copy / "chat-outage.sh"), "true"], env=bare, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    venv_cli.unlink()
    missing = subprocess.run(["bash", str(copy / "chat-outage.sh"), "true"], env=bare, capture_output=True,
                             text=True, timeout=60)
    assert missing.returncode == 127 and "run scripts/run once" in missing.stderr


def test_scripts_run_says_where_the_cli_is_until_it_is_on_path(tmp_path):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "kustomer-mock").write_text("#!/bin/sh\n")
    (venv_bin / "kustomer-mock").chmod(0o755)
    bootstrap = SCRIPTS.parent / "_bootstrap.sh"

    def said(path: str) -> str:
        done = subprocess.run(["bash", "-c", f"source {bootstrap} && where_is_the_cli"], capture_output=True,
                              text=True, timeout=30,
                              env={"PATH": path, "KUSTOMER_MOCK_VENV": str(tmp_path / "venv")})
        assert done.returncode == 0
        return done.stderr
    assert said("/usr/bin:/bin") == (f"the kustomer-mock CLI is {venv_bin}/kustomer-mock; to have it (and the fault "
                                     f"scripts) on PATH in your shell: source {venv_bin}/activate\n")
    assert said(f"{venv_bin}:/usr/bin:/bin") == ""

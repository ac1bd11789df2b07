"""The control commands of kustomer-mock, run through main([...]) against a real server."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
import requests

from mock_server import create_app
from mock_server.cli import main
from mock_server.client import MockClient
from mock_server.serving import ServerThread
from mock_server.testing.serve import spawn_serve, stop_serve, wait_listening


@pytest.fixture
def run(server, capsys):
    """Run `kustomer-mock ARGS --url URL` on a clean mock; answers (exit code, stdout)."""
    client = MockClient(server.url)
    client.clear_faults(), client.clear_requests(), client.resume(), client.reset()

    def invoke(*args):
        capsys.readouterr()
        code = main([*args, "--url", server.url])
        out, err = capsys.readouterr()
        return code, out + err
    return invoke


def _start(server, key="cli-key"):
    return requests.post(f"{server.url}/c/v1/tracking/tokens", headers={"Authorization": f"Bearer {key}"},
                         timeout=5)


def test_fault_add_list_rm_clear(run, server):
    code, out = run("fault", "add", "--operation", "start", "--status", "503", "--code", "down", "--times", "1")
    assert code == 0 and out.strip() == "added f1"
    code, out = run("fault", "list")
    assert out.splitlines()[0].split()[:3] == ["ID", "MATCH", "RESPOND"]
    assert out.splitlines()[1].split() == ["f1", "operation=start", "503", "down", "1", "0", "false"]
    assert _start(server).json()["errors"][0]["code"] == "down"
    code, out = run("fault", "list", "--json")
    assert json.loads(out)["faults"][0]["hits"] == 1
    run("fault", "add", "--drop", "malformed", "--delay-ms", "1-2", "--probability", "0.5")
    assert json.loads(run("fault", "list", "--json")[1])["faults"][1]["delayMs"] == {"min": 1.0, "max": 2.0}
    assert run("fault", "rm", "f1") == (0, "removed f1\n")
    assert run("fault", "clear") == (0, "removed 1 fault rule(s)\n")


def test_stub_add_list_rm_clear(run, server, tmp_path):
    MockClient(server.url).clear_stubs()
    body = tmp_path / "body.json"
    body.write_text('{"conversations": []}')
    code, out = run("stub", "add", "--operation", "getUnreadCount", "--body", '{"total": 3}', "--header",
                    "X-Seen: yes", "--times", "1")
    assert (code, out) == (0, "added s1\n")
    added = run("stub", "add", "--path", "/c/v1/chat/sessions", "--method", "GET", "--body", f"@{body}")
    assert added == (0, "added s2\n")
    started = _start(server).json()
    headers = {"Authorization": "Bearer cli-key", "x-kustomer-tracking-token": started["trackingToken"]}
    unread = requests.get(f"{server.url}/c/v1/chat/unread", headers=headers, timeout=5)
    assert unread.json() == {"total": 3} and unread.headers["X-Seen"] == "yes"
    assert requests.get(f"{server.url}/c/v1/chat/sessions", headers=headers, timeout=5).json() == {"conversations": []}
    assert [s["hits"] for s in json.loads(run("stub", "list", "--json")[1])["stubs"]] == [1, 1]
    assert run("stub", "list")[1].splitlines()[1].split()[0] == "s1"
    assert run("stub", "rm", "s1") == (0, "removed s1\n")
    assert run("stub", "clear") == (0, "removed 1 stub(s)\n")


@pytest.mark.parametrize(("args", "message"), [
    (("--body", "{nope"), "Invalid value for --body: not JSON"),
    (("--body", "@/no/such/file.json"), "cannot read /no/such/file.json"),
    (("--header", "no-colon"), "is not 'Name: value'"),
    (("--status", "7"), "respond/status"),
])
def test_a_bad_stub_exits_with_a_clear_line(run, args, message):
    code, out = run("stub", "add", *args)
    assert code in (1, 2) and message in out


def test_fault_add_with_a_whole_rule(run):
    code, out = run("fault", "add", "--rule", '{"match": {"path": "/c/*"}, "drop": "reset"}', "--times", "2", "--json")
    assert code == 0 and json.loads(out)["match"] == {"path": "/c/*"} and json.loads(out)["times"] == 2


def test_a_bad_rule_exits_1_with_the_pointer(run):
    code, out = run("fault", "add", "--status", "200")
    assert code == 1 and "400" in out and "respond/status" in out


@pytest.mark.parametrize(("rule", "says"), [
    ("{bad", "--rule"),
    ('{"probability": NaN}', "NaN"),
    ("[1, 2]", "a JSON object"),
])
def test_a_rule_that_is_not_a_json_object_is_a_usage_error(run, rule, says):
    code, out = run("fault", "add", "--rule", rule)
    assert code == 2 and says in out and "Traceback" not in out
    assert json.loads(run("fault", "list", "--json")[1]) == {"faults": []}


@pytest.mark.parametrize(("option", "value"), [
    ("--probability", "nan"), ("--probability", "inf"), ("--probability", "1.5"),
    ("--delay-ms", "nan"), ("--delay-ms", "inf"), ("--delay-ms", "1-nan"),
])
def test_numbers_must_be_finite_and_in_range(run, option, value):
    code, out = run("fault", "add", "--drop", "reset", option, value)
    assert code == 2 and option in out
    assert json.loads(run("fault", "list", "--json")[1]) == {"faults": []}


def test_every_drop_kind_is_a_choice_and_the_list_shows_no_nan(run):
    code, out = run("fault", "add", "--operation", "eventStream", "--drop", "cut")
    assert code == 0 and out.strip() == "added f1"
    code, out = run("fault", "list")
    assert code == 0 and "cut" in out and "nan" not in out.lower()


def test_fault_load_and_scenarios(run, server):
    code, out = run("fault", "load", "chat-outage")
    assert code == 0 and "f1" in out
    assert _start(server).status_code == 503
    assert "rate-limit-storm" in run("fault", "scenarios")[1]


def test_journal_table_json_and_filters(run, server):
    _start(server, "journal-one"), _start(server, "journal-two")
    code, out = run("journal", "--org", "journal-two")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:4] == ["ID", "TIME", "ORG", "OPERATION"] and len(lines) == 2
    assert "journal-two" in lines[1] and "start" in lines[1]
    page = json.loads(run("journal", "--json", "--status", "2xx", "--operation", "start")[1])
    assert page["total"] == 2


def test_journal_follow_prints_new_entries(run, server):
    _start(server, "follow-key")
    code, out = run("journal", "--follow", "--timeout", "0.3", "--interval", "0.1", "--json")
    assert code == 0 and [json.loads(line)["org"] for line in out.splitlines()] == ["follow-key"]


def test_journal_follow_rows_line_up_under_the_header(run, server, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    _start(server, "short")
    _start(server, "a-much-longer-key-name")
    code, out = run("journal", "--follow", "--timeout", "0.1", "--interval", "0.05")
    header, *rows = out.splitlines()
    assert code == 0 and len(rows) == 2
    starts = [header.index(name) for name in ("OPERATION", "METHOD", "PATH", "STATUS")]
    for row in rows:
        assert [row[at - 2:at] for at in starts] == ["  "] * 4 and row[starts[1]:].startswith("POST")


def test_tables_fit_the_terminal_width(run, monkeypatch):
    for n in range(3):
        run("fault", "add", "--operation", "createConversation", "--org", f"kmock-main-abcdef-{n}-a-long-test-name",
            "--status", "503", "--code", "service_unavailable", "--delay-ms", "100-800")
    monkeypatch.setenv("COLUMNS", "70")
    code, out = run("fault", "list")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 70
    assert out.splitlines()[0].split() == ["ID", "MATCH", "RESPOND", "DELAYMS", "HITS", "EXPIRED"]


@pytest.mark.parametrize(("args", "message"), [
    (("fault", "load", "./missing.yaml"), "Error: no such file: ./missing.yaml (give a YAML file, or a scenario name"),
    (("clock", "advance", "-5"), "Invalid value for 'SECONDS': -5: the mock clock only moves forward"),
])
def test_clear_errors_for_a_missing_file_and_a_negative_advance(run, args, message):
    code, out = run(*args)
    assert code in (1, 2) and message in out and "route" not in out


def test_a_401_says_how_to_pass_the_admin_token(capsys, monkeypatch):
    monkeypatch.delenv("KUSTOMER_MOCK_ADMIN_TOKEN", raising=False)
    with ServerThread(create_app({"ADMIN_TOKEN": "s3cret"})) as guarded:
        assert main(["fault", "list", "--url", guarded.url]) == 1
        assert capsys.readouterr().err.strip().endswith(
            "this mock wants its admin token: pass --admin-token TOKEN or set KUSTOMER_MOCK_ADMIN_TOKEN")
        assert main(["fault", "list", "--url", guarded.url, "--admin-token", "s3cret"]) == 0
    assert main(["fault", "list", "--url", "http://127.0.0.1:9"]) == 1
    assert "(is it running? start it with scripts/run or kustomer-mock serve;" in capsys.readouterr().err


def test_reset_settings_clock(run, server):
    code, out = run("settings", "cli-org", "--availability", "offline", "--start-delay-ms", "5", "--no-allow-end")
    assert code == 0 and out.splitlines()[1].split()[:3] == ["offline", "5", "false"]
    assert json.loads(run("settings", "cli-org", "--json")[1])["availability"] == "offline"
    assert run("reset", "--org", "cli-org") == (0, "reset org cli-org\n")
    assert MockClient(server.url).org("cli-org")["availability"] == "online"
    assert "2030-01-02T03:04:05.000Z" in run("clock", "freeze", "2030-01-02T03:04:05Z")[1]
    assert json.loads(run("clock", "advance", "60", "--json")[1])["now"] == "2030-01-02T03:05:05.000Z"
    assert json.loads(run("clock", "resume", "--json")[1])["frozen"] is False
    assert run("reset")[1] == "reset every org\n"


def test_state_export_import(run, server, tmp_path):
    _start(server, "state-cli")
    path = tmp_path / "state.json"
    assert run("state", "export", "-o", str(path))[0] == 0
    assert json.loads(path.read_text())["orgs"][0]["name"] == "state-cli"
    run("reset")
    assert run("state", "import", str(path)) == (0, "imported 1 org(s)\n")
    assert json.loads(run("state", "export")[1])["orgs"][0]["name"] == "state-cli"


def test_state_import_sends_the_file_as_it_is_and_the_mock_checks_it(run, server, tmp_path, monkeypatch):
    _start(server, "state-stdin")
    path = tmp_path / "state.json"
    run("state", "export", "-o", str(path))
    run("reset")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))   # '-': read from stdin
    assert run("state", "import", "-") == (0, "imported 1 org(s)\n")
    path.write_text(path.read_text()[:-10])   # cut short: the mock answers 400 and keeps its state
    code, out = run("state", "import", str(path))
    assert code == 1 and "400" in out and "Malformed JSON body" in out
    assert run("state", "import", str(tmp_path / "missing.json"))[0] == 1


def test_an_unreachable_mock_exits_1(capsys):
    assert main(["fault", "list", "--url", "http://127.0.0.1:9"]) == 1
    assert "cannot reach the mock" in capsys.readouterr().err


def _serve(*args):
    process = spawn_serve("--port", "0", *args)
    return process, wait_listening(process)


def test_a_state_file_restart_keeps_everything(tmp_path):
    path = tmp_path / "state.json"
    process, url = _serve("--state-file", str(path))
    client = MockClient(url)
    client.freeze("2030-01-02T03:04:05Z")
    token = requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": "Bearer keep"})
    headers = {"Authorization": "Bearer keep", "x-kustomer-tracking-token": token.json()["trackingToken"]}
    created = requests.post(f"{url}/c/v1/chat/sessions", json={"message": "remember me"}, headers=headers)
    cid = created.json()["conversationId"]
    client.settings("keep", availability="hidden")
    before = client.export_state()
    assert f"state saved to {path}" in stop_serve(process)

    process, url = _serve("--state-file", str(path))
    try:
        after = MockClient(url).export_state()
        del after["exportedAt"], before["exportedAt"]
        assert after == before
        rv = requests.get(f"{url}/c/v1/chat/sessions/{cid}/messages", headers=headers)
        assert rv.status_code == 200 and rv.json()["messages"][0]["body"] == "remember me"
    finally:
        stop_serve(process)


def test_serve_loads_a_scenario_at_boot():
    process, url = _serve("--faults", "chat-outage")
    try:
        assert requests.post(f"{url}/c/v1/tracking/tokens", headers={"Authorization": "Bearer k"}).status_code == 503
    finally:
        stop_serve(process)


def test_serve_names_a_missing_scenario_file():
    result = subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--faults", "./nope.yaml"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and result.stderr == (
        "Error: no such file: ./nope.yaml (a YAML file, or a scenario name such as chat-outage)\n")


def test_serve_refuses_an_unknown_scenario():
    result = subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--faults", "nope"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "no fault scenario 'nope'" in result.stderr


def test_wait_returns_once_the_mock_answers_and_gives_up_on_a_dead_url(server, capsys):
    assert main(["wait", "--url", server.url, "--timeout", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("kustomer-mock ") and out.endswith(f" is up at {server.url}\n")
    assert main(["wait", "--url", "http://127.0.0.1:9", "--timeout", "0.3"]) == 1
    assert "no answer after 0.3s: cannot reach the mock at http://127.0.0.1:9" in capsys.readouterr().err

"""docker-compose.yml and the Dockerfile agree with the CLI: command, port, health check, environment, fixtures."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mock_server import create_app
from mock_server.cli import serve
from mock_server.security import bind_refusal
from mock_server.serving import ServerThread

ROOT = Path(__file__).resolve().parent.parent
_VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")
TOKEN = "s3cret-token"   # what a user sets: the compose file has no default for it


def _interpolate(text: str, env: dict) -> str:
    """Compose's ${VAR:-default} and ${VAR:?message} (which stops `up` with the message while VAR is unset)."""
    def value(m):
        if env.get(m.group(1)):
            return env[m.group(1)]
        if m.group(2) == "?":
            raise ValueError(f"{m.group(1)}: {m.group(3)}")
        return m.group(3) or ""
    return _VARIABLE.sub(value, text)


@pytest.fixture(scope="module")
def compose() -> dict:
    """docker-compose.yml, variables at their defaults."""
    return yaml.safe_load(_interpolate((ROOT / "docker-compose.yml").read_text(), {"KUSTOMER_MOCK_ADMIN_TOKEN": TOKEN}))


@pytest.fixture(scope="module")
def service(compose) -> dict:
    """The kustomer-mock service of docker-compose.yml."""
    return compose["services"]["kustomer-mock"]


@pytest.fixture(scope="module")
def dockerfile() -> dict:
    """The Dockerfile's instructions: {INSTRUCTION: [arguments, ...]} (continued lines joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, rest = line.strip().partition(" ")
            found.setdefault(instruction.upper(), []).append(rest.strip())
    return found


def _exec_form(text: str) -> list[str]:
    return json.loads(text) if text.startswith("[") else shlex.split(text)


def _serve_params(command: list[str], environment: dict, monkeypatch) -> dict:
    """What `kustomer-mock serve` makes of the container's command and environment."""
    assert command[:2] == ["kustomer-mock", "serve"]
    for name in [name for name in os.environ if name.startswith("KUSTOMER_MOCK_")]:
        monkeypatch.delenv(name)  # only what the container gets
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    return serve.make_context("serve", command[2:]).params


def _health_url(test: list[str]) -> str:
    assert test[:3] == ["CMD", "python", "-c"]
    return re.search(r"'(http://[^']+)'", test[3]).group(1)


def test_the_image_installs_the_package_and_serves_on_its_exposed_port(dockerfile, monkeypatch):
    assert dockerfile["FROM"] == ["python:3.11-slim"]
    assert any(re.search(r"\bpip install '\.\[redis\]'", run) for run in dockerfile["RUN"])   # the redis store too
    command = _exec_form(dockerfile["CMD"][0])
    params = _serve_params(command, {}, monkeypatch)
    assert (params["host"], params["port"]) == ("0.0.0.0", 7700)
    assert dockerfile["EXPOSE"] == [str(params["port"])]
    assert bind_refusal(params["host"], params["admin_token"]) is not None  # without a token it refuses to start
    health = dockerfile["HEALTHCHECK"][0]
    assert _health_url(["CMD", *_exec_form(health.split("CMD", 1)[1].strip())]) == "http://127.0.0.1:7700/__admin/health"


def test_the_service_builds_that_image_and_maps_its_port(service, dockerfile, monkeypatch):
    assert service["build"] == "." and (ROOT / "Dockerfile").is_file()
    published, container = service["ports"][0].split(":")
    assert (published, container) == ("7700", dockerfile["EXPOSE"][0])


def test_every_environment_name_is_a_serve_option(service):
    envvars = {param.envvar for param in serve.params if getattr(param, "envvar", None)}
    assert set(service["environment"]) <= envvars
    assert {"KUSTOMER_MOCK_ADMIN_TOKEN", "KUSTOMER_MOCK_FIXTURES"} <= set(service["environment"])


def test_the_service_starts_with_its_environment_and_mounted_fixtures(service, dockerfile, monkeypatch):
    source, target, mode = service["volumes"][0].split(":")
    assert (target, mode) == (service["environment"]["KUSTOMER_MOCK_FIXTURES"], "ro")
    assert (ROOT / source / "org.yaml").is_file() and (ROOT / source / "faults").is_dir()
    environment = {**service["environment"], "KUSTOMER_MOCK_FIXTURES": str(ROOT / source)}  # the mount, seen here
    params = _serve_params(_exec_form(dockerfile["CMD"][0]), environment, monkeypatch)
    assert params["admin_token"] == TOKEN and params["fixtures"] == str(ROOT / source)
    assert params["faults"] is None and params["cors_origins"] is None and params["threads"] == 64
    assert bind_refusal(params["host"], params["admin_token"]) is None


def test_the_health_check_passes_against_a_mock_guarded_by_the_admin_token(service, dockerfile):
    assert service["healthcheck"]["test"] == ["CMD", *_exec_form(dockerfile["HEALTHCHECK"][0].split("CMD", 1)[1].strip())]
    url = _health_url(service["healthcheck"]["test"])
    with ServerThread(create_app({"ADMIN_TOKEN": service["environment"]["KUSTOMER_MOCK_ADMIN_TOKEN"]})) as server:
        code = service["healthcheck"]["test"][3].replace("http://127.0.0.1:7700", server.url)
        assert subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0
        refused = code.replace("/__admin/health", "/__admin/faults")  # the rest of /__admin wants the token
        assert subprocess.run([sys.executable, "-c", refused], capture_output=True, timeout=30).returncode == 1
    assert url == "http://127.0.0.1:7700/__admin/health"


def test_compose_refuses_to_start_without_an_admin_token():
    with pytest.raises(ValueError) as refused:
        _interpolate((ROOT / "docker-compose.yml").read_text(), {})
    assert str(refused.value) == "KUSTOMER_MOCK_ADMIN_TOKEN: set KUSTOMER_MOCK_ADMIN_TOKEN to a secret of your own"


def test_compose_threads_default_to_serves_default_as_the_readme_says(service):
    default = next(p.default for p in serve.params if p.name == "threads")
    assert service["environment"]["KUSTOMER_MOCK_THREADS"] == str(default) == "64"
    assert "| `--threads` | `64` |" in (ROOT / "README.md").read_text()


def test_the_default_service_runs_one_worker_on_the_memory_store(service, dockerfile, monkeypatch):
    environment = {**service["environment"], "KUSTOMER_MOCK_FIXTURES": str(ROOT / "fixtures")}   # the mount, seen here
    params = _serve_params(_exec_form(dockerfile["CMD"][0]), environment, monkeypatch)
    assert (params["store"], params["workers"]) == ("memory", 1)


def test_the_replicas_profile_shares_one_redis_behind_a_load_balancer(compose, dockerfile, monkeypatch):
    services = compose["services"]
    assert "profiles" not in services["kustomer-mock"]   # `docker compose up` alone is unchanged
    assert all(services[name]["profiles"] == ["replicas"] for name in ("redis", "kustomer-mock-replica",
                                                                          "kustomer-mock-lb"))
    redis, replica, balancer = services["redis"], services["kustomer-mock-replica"], services["kustomer-mock-lb"]
    assert redis["image"].startswith(("redis:7", "valkey/valkey:")) and redis["healthcheck"]["test"][-1] == "ping"
    assert replica["build"] == "." and replica["deploy"]["replicas"] == 2 and "ports" not in replica
    assert replica["depends_on"] == {"redis": {"condition": "service_healthy"}}
    assert set(replica["environment"]) <= {p.envvar for p in serve.params if getattr(p, "envvar", None)}
    environment = {**replica["environment"], "KUSTOMER_MOCK_FIXTURES": str(ROOT / "fixtures")}
    params = _serve_params(_exec_form(dockerfile["CMD"][0]), environment, monkeypatch)
    assert (params["store"], params["workers"], params["admin_token"]) == ("redis://redis:6379/0", 1, TOKEN)
    assert params["store"].split("//")[1].split(":")[0] == "redis"   # the Redis service, by its name
    assert balancer["depends_on"] == {"kustomer-mock-replica": {"condition": "service_healthy"}}
    assert balancer["ports"] == ["7710:7700"]   # beside the default service's 7700


def test_the_load_balancer_reaches_every_replica_and_lets_event_streams_flow(compose):
    balancer = compose["services"]["kustomer-mock-lb"]
    config = compose["configs"][balancer["configs"][0]["source"]]["content"]
    assert balancer["configs"][0]["target"] == "/etc/nginx/conf.d/default.conf"
    assert "server kustomer-mock-replica:7700;" in config and "listen 7700;" in config
    assert "proxy_buffering off;" in config   # text/event-stream answers are not held back
    assert "proxy_set_header Host $$host;" in config   # $$: compose writes a literal $ for nginx

"""The wheel built from what the Dockerfile copies: every module and asset, the entry points, and it runs."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow   # builds and installs the wheel

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "mock_server")  # the Dockerfile's COPY lines
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def _pip(*args: str, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of a clean copy of the sources (no build/, no egg-info, no __pycache__)."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=IGNORED)
        else:
            shutil.copy2(ROOT / name, source / name)
    log = _pip("wheel", "--no-deps", "--no-build-isolation", "-v", "-w", str(out), str(source), cwd=source)
    (out / "build.log").write_text(log, encoding="utf-8")   # setuptools' own output, for the warnings test
    [built] = out.glob("kustomer_mock-*.whl")
    return built


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_every_module_fixture_and_static_file_is_in_the_wheel(wheel):
    expected = {path.relative_to(ROOT).as_posix() for path in (ROOT / "mock_server").rglob("*")
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}
    assert expected - _names(wheel) == set()
    assert {"mock_server/pytest_plugin.py", "mock_server/fixtures/org.yaml", "mock_server/fixtures/faults/chat-outage.yaml",
            "mock_server/static/chat-web/src/widget.js", "mock_server/static/chat-web/ui/widget.css"} <= expected


def test_the_build_prints_no_setuptools_warning(wheel):
    log = (wheel.parent / "build.log").read_text(encoding="utf-8")
    assert "running bdist_wheel" in log                   # the build's own output was kept
    for warning in ("Package would be ignored", "_Warning", "SetuptoolsDeprecationWarning", "is deprecated"):
        assert warning not in log


def test_the_wheel_declares_the_command_and_the_pytest_plugin(wheel):
    with zipfile.ZipFile(wheel) as archive:
        [entry_points] = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(entry_points).decode()
    assert "[console_scripts]\nkustomer-mock = mock_server.cli:main" in text
    assert "[pytest11]\nkustomer_mock = mock_server.pytest_plugin" in text


def test_the_installed_wheel_serves_its_own_fixtures_and_widget(wheel, tmp_path):
    target = tmp_path / "site"
    _pip("install", "--no-deps", "--quiet", "--target", str(target), str(wheel), cwd=tmp_path)
    check = ("import mock_server, sys; from mock_server import create_app\n"
             "assert mock_server.__file__.startswith(sys.argv[1]), mock_server.__file__\n"
             "client = create_app({'TESTING': True}).test_client()\n"
             "assert b'data-kustomer-api-key' in client.get('/chat-web/widget.js').data\n"
             "assert client.get('/__admin/orgs/k').json['users'][0]['name'] == 'Alex Rivera'\n"
             "assert [s['name'] for s in client.get('/__admin/faults/scenarios').json['scenarios']]\n"
             "import mock_server.pytest_plugin\n")
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", check, str(target)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    version = subprocess.run([sys.executable, str(target / "bin" / "kustomer-mock"), "--version"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("kustomer-mock "), version.stderr

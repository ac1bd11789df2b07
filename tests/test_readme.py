"""The README's shell blocks marked `<!-- readme-test -->` run as pasted, in order, against a fresh mock.

The first marked block starts the mock in the background as a reader would; the others run in a subshell
each, so a block that uses a variable it does not set fails here. The run happens in a network namespace
of its own (unshare), so the README's port 7700 is free and the mock fresh whatever else runs on this machine.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow   # the README's blocks in a shell and a served mock

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- readme-test -->"
BLOCK = re.compile(re.escape(MARKER) + r"\s*\n```(?:sh|bash)\n(.*?)\n```", re.DOTALL)
VARIABLES = "KEY TOKEN URL CID CUSTOMER CONVERSATION JWT H V1 AUTH C"
LOOPBACK_UP = ("import fcntl, socket, struct; fcntl.ioctl(socket.socket(), 0x8914, "   # SIOCSIFFLAGS: lo up
               "struct.pack('16sH14s', b'lo', 0x1 | 0x8 | 0x40, b''))")
EXPECTED = ['"isInAssistantMode":false', '"code":"invalid_attribute"', '"externalId":"crm-1"',
            '"type":"work"', '"type":"kobject.order"', "503\n200", '"code":"invalid_selection"',
            '"identified":true', '"loggedIn":true', '"sentBy":{"type":"user"', "added f2",
            "imported 5 org(s)"]   # the blocks above use five keys


def marked_blocks() -> list[str]:
    """The marked shell blocks of the README, in order."""
    return BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def _script(blocks: list[str]) -> str:
    first, *others = blocks
    lines = ["set -e -o pipefail", "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT", first]
    lines += [f"(\nunset {VARIABLES}\n{block}\n)" for block in others]
    return "\n".join(lines) + "\n"


def _sandbox(tmp_path: Path) -> Path:
    """A folder that looks like the repository to the README (scripts/, setup.cfg, .venv) and takes its files."""
    for name in ("scripts", "setup.cfg", "fixtures"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    return tmp_path


def _isolated() -> list[str]:
    """A prefix that runs a command in a network namespace of its own with loopback up, if this machine allows."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", sys.executable, "-c", LOOPBACK_UP], capture_output=True,
                                  timeout=30).returncode == 0:
        return [unshare, "-rn", "bash", "-c", f'{sys.executable} -c "{LOOPBACK_UP}" && exec bash "$0"']
    with socket.socket() as probe:   # no namespaces here: the README's port must at least be free
        assert probe.connect_ex(("127.0.0.1", 7700)) != 0, "port 7700 is taken and unshare -rn is not allowed"
    return ["bash"]


def test_the_readme_marks_its_runnable_blocks():
    blocks = marked_blocks()
    assert len(blocks) >= 5 and "scripts/run --port 7700" in blocks[0]


def test_the_marked_readme_blocks_run_as_pasted_against_a_fresh_mock(tmp_path):
    folder = _sandbox(tmp_path)
    script = folder / "readme.sh"
    script.write_text(_script(marked_blocks()), encoding="utf-8")
    done = subprocess.run([*_isolated(), str(script)], cwd=folder, capture_output=True, text=True, timeout=240,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)})
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "command not found" not in output and "Traceback" not in output, output
    for expected in EXPECTED:
        assert expected in output, f"{expected!r} not in:\n{output}"


def test_the_quickstarts_python_tests_pass_as_pasted(pytester):
    """The Quickstarts' pytest examples, in a project of their own with only the installed plugin."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstarts = text[text.index("## Quickstarts"):text.index("## Contents")]
    examples = re.findall(r"```python\n(.*?)```", quickstarts, re.DOTALL)
    assert len(examples) >= 2
    pytester.makepyfile(test_quickstarts="\n\n".join(examples))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(re.findall(r"^def test_", "\n".join(examples), re.MULTILINE)))

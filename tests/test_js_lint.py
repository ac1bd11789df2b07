"""ESLint over the browser scripts (eslint.config.js): each file sees only what the files loaded before it define.

scripts/test installs ESLint (`npm ci`, from package-lock.json) before the suite runs.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "mock_server" / "static"
ESLINT = ROOT / "node_modules" / ".bin" / "eslint"
TARGETS = ("mock_server/static", "eslint.config.js")


def _eslint(*args: str, stdin: str | None = None) -> list[dict]:
    """ESLint's JSON report (one entry per file linted)."""
    assert ESLINT.exists(), f"{ESLINT} is missing: run scripts/test (it runs `npm ci`) or `npm ci` in {ROOT}"
    done = subprocess.run([str(ESLINT), "--format", "json", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stdout + done.stderr   # 2: the config or ESLint itself failed
    return json.loads(done.stdout)


def _problems(report: list[dict]) -> list[str]:
    return [f"{Path(entry['filePath']).relative_to(ROOT)}:{m.get('line')}:{m.get('column')}  {m['message']}"
            f"  ({m.get('ruleId')})" for entry in report for m in entry["messages"]]


@pytest.fixture(scope="module")
def report():
    """One lint of every browser script and of the config itself."""
    return _eslint(*TARGETS)


def test_the_browser_scripts_pass_eslint(report):
    problems = _problems(report)
    assert not problems, "ESLint found problems:\n" + "\n".join(problems)


def test_every_browser_script_is_linted(report):
    linted = {Path(entry["filePath"]).relative_to(ROOT).as_posix() for entry in report}
    shipped = {path.relative_to(ROOT).as_posix() for path in STATIC.rglob("*") if path.suffix in (".js", ".html")}
    assert linted == shipped | {"eslint.config.js"}


# A line added to one file, and the rule that must (or must not) flag it: the load order at work.
@pytest.mark.parametrize(("file", "line", "rule"), [
    ("chat-web/src/ui_thread.js", "U.extra = CLOSED;", None),           # ui.js comes before it
    ("chat-web/src/sdk.js", "K.extra = Shared;", None),                 # shared.js, the first part
    ("chat-web/src/shared.js", "Shared.extra = K;", "no-undef"),        # also the dashboard's, which has no K
    ("dashboard/api.js", "window.extra = Shared;", None),               # the script tag before it
    ("chat-web/src/sdk.js", "U.extra = null;", "no-undef"),            # ui.js comes after the engine
    ("chat-web/src/core.js", "K.extra = U;", "no-undef"),              # core.js's bundle has no UI
    ("chat-web/src/ui_survey.js", "var OPEN = {}; K.x = OPEN;", "no-redeclare"),   # ui.js's name in the same closure
    ("chat-web/src/widget.js", "K.extra = TEASER;", None),              # ui_proactive.js, the part before
    ("dashboard/journal.js", "var leak = 1; window.x = leak;", "no-implicit-globals"),  # window.leak
    ("demo/index.html", "Kustomer.open();", None),                      # the widget.js tag defines it
    ("demo/index.html", "KustomerCore.init();", "no-undef"),            # the demo loads no core.js
])
def test_each_file_sees_the_names_of_the_files_before_it(file, line, rule):
    text = (STATIC / file).read_text(encoding="utf-8")
    text = text.replace("</script>\n</body>", line + "\n</script>\n</body>") if file.endswith(".html") \
        else text + line + "\n"
    report = _eslint("--stdin", "--stdin-filename", f"mock_server/static/{file}", stdin=text)
    added = text[:text.index(line)].count("\n") + 1
    rules = {m.get("ruleId") for m in report[0]["messages"] if m.get("line") == added}
    assert rules == ({rule} if rule else set()), _problems(report)

"""Fuzz every operation of a served mock's /__admin/openapi.json with schemathesis.

Starts `kustomer-mock serve --port 0` (or uses --url), starts one chat session for the key the run
uses, and runs `schemathesis run` over the served document: examples, coverage, fuzzing and stateful
phases, seeded, one worker (so a seed repeats its run). It fails on a 5xx, an answer of a status the
document does not list, a body or content type the document does not describe, invalid data
accepted, a wrong Allow or a method the document does not list answered.
scripts/test runs it small (tests/test_fuzz.py); `scripts/fuzz` runs it big.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

KEY = "fuzz-key"
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "negative_data_rejection,unsupported_method,allow_header_conformance,missing_required_header")
# these change what every later call answers, on purpose: a fault or stub rule answers calls, an import or a
# reset forgets the session the run uses; tests/test_faults.py, test_snapshot.py and test_admin_state.py cover them
EXCLUDED = ("addFault", "addStub", "loadFaultScenario", "importState", "reset",
            # schemathesis 4.32 itself raises IndexError merging captured ids into these array bodies;
            # tests/test_rest_v1_bulk_paging.py covers them
            "bulkCreateCustomers", "bulkUpdateCustomers")

# A body over the 1 MB every JSON body may have is refused as 413 before it is read, as at Kustomer (a too-large
# request): for the invalid-data check that is a rejection like the 4xx schemathesis counts by default
CONFIG = """[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
"""


def serve() -> tuple[subprocess.Popen, str]:
    """A mock of its own on a free port (streams and long polls of 50 ms, so each answers at once)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOMER_MOCK_")}
    # event-stream windows and journal long polls of 50 ms, so a generated wait never holds the run up
    env.update({"PYTHONUNBUFFERED": "1", "KUSTOMER_MOCK_STREAM_SECONDS": "0.05",
                "KUSTOMER_MOCK_JOURNAL_MAX_WAIT": "0.05"})
    # --quiet: nobody reads the mock's stdout after its first line, and a full pipe would block every call
    process = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = process.stdout.readline()
    found = re.search(r"http://[^\s]+", line)
    if not found:
        process.kill()
        raise SystemExit(f"the mock did not start: {line}")
    return process, found.group(0)


def start_session(url: str) -> str:
    """The tracking token of a started chat session of KEY."""
    request = urllib.request.Request(f"{url}/c/v1/tracking/tokens", data=b"{}", method="POST", headers={
        "Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["trackingToken"]


def command(url: str, token: str, args) -> list[str]:
    """The schemathesis command line of one run."""
    binary = Path(sys.executable).with_name("schemathesis")
    excluded = [flag for name in EXCLUDED for flag in ("--exclude-operation-id", name)]
    return [str(binary), "run", f"{url}/__admin/openapi.json", "--checks", CHECKS, *excluded,
            "-H", f"Authorization: Bearer {KEY}", "-H", f"x-kustomer-tracking-token: {token}",
            "--seed", str(args.seed), "--max-examples", str(args.max_examples), "--workers", "1",
            "--request-timeout", "10", "--no-shrink", "--suppress-health-check", "all",
            "--generation-database", "none", "--output-truncate", "true", "--no-color", "--warnings", "off"]


def main(argv=None) -> int:
    """Run schemathesis over a served mock; its exit code (0: no failure)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=200, help="fuzzing cases per operation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="an already running mock (default: start one)")
    args = parser.parse_args(argv)
    process, url = (None, args.url.rstrip("/")) if args.url else serve()
    try:
        with tempfile.TemporaryDirectory(prefix="kustomer-mock-fuzz-") as scratch:   # its cache goes there
            Path(scratch, "schemathesis.toml").write_text(CONFIG, encoding="utf-8")   # read from the working folder
            return subprocess.call(command(url, start_session(url), args), cwd=scratch)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())

"""Fuzzing in CI: schemathesis over the served /__admin/openapi.json, seeded and small (scripts/fuzz runs it big)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# schemathesis over every operation, in a child process; its mock is scripts/fuzz.py's own child on the memory
# store, so a pass of the suite on redis would only repeat it
pytestmark = [pytest.mark.slow, pytest.mark.memory_store]

FUZZ = Path(__file__).resolve().parents[1] / "scripts" / "fuzz.py"
CASES_PER_OPERATION = 20   # about 5,000 calls over every operation, well under 3 minutes on 2 cores


def test_schemathesis_finds_nothing_over_the_served_document():
    run = subprocess.run([sys.executable, str(FUZZ), "--max-examples", str(CASES_PER_OPERATION), "--seed", "1"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-3000:]
    assert "No issues found" in run.stdout

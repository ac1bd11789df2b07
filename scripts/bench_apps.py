"""The WSGI apps scripts/bench serves: a trivial Flask handler (the anchor) and the mock."""
from __future__ import annotations

import os
import sys

from flask import Flask

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

trivial = Flask("trivial")


@trivial.post("/c/v1/chat/sessions")
@trivial.get("/__admin/health")
def _answer():
    """The smallest JSON answer Flask gives."""
    return {"status": "ok"}


def mock():
    """The mock as `kustomer-mock serve --quiet` builds it (the factory servers call)."""
    from mock_server import create_app
    return create_app({"THREADS": int(os.environ.get("BENCH_THREADS", "64"))})

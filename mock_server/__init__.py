"""kustomer-mock: a local, stateful mock of the Kustomer chat backend."""
from __future__ import annotations

from typing import Mapping

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping | None = None) -> Flask:
    """Build the mock: settings, state, error handling, the surfaces."""
    from . import api, errors, security, state
    from .config import DefaultSettings

    app = Flask(__name__, static_folder=None)
    app.config.from_object(DefaultSettings)
    app.config.from_prefixed_env("KUSTOMER_MOCK")
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    state.init_app(app)
    errors.init_app(app)
    security.init_app(app)     # header limit, CORS preflights, admin token: before faults act
    api.register_blueprints(app)
    return app

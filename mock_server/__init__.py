"""kustomer-mock: a local, stateful mock of the Kustomer chat backend."""
from __future__ import annotations

from typing import Mapping

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping | None = None) -> Flask:
    """Build the mock: settings, state, error handling, the surfaces."""
    from . import api, errors, faults, journal, security, snapshot, state, webhooks
    from .config import DefaultSettings

    app = Flask(__name__, static_folder=None)
    app.config.from_object(DefaultSettings)
    app.config.from_prefixed_env("KUSTOMER_MOCK")
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    app.url_map.strict_slashes = False   # /v1/users/current/ is /v1/users/current, as at Kustomer
    state.init_app(app)
    errors.init_app(app)
    security.init_app(app)     # header limit, CORS preflights, admin token: before faults act
    journal.init_app(app)      # times each request before faults delay it; records it after
    faults.init_app(app)       # before_request: the first rule that fires answers, delays or drops
    snapshot.init_app(app)     # --state-file: loaded now, saved by `serve` on shutdown
    webhooks.init_app(app)     # every org's writes become events; delivered by a background worker
    api.register_blueprints(app)
    faults.load_boot_scenario(app)   # --faults: its operation names are checked against the routes
    return app


def intercept(app=None, **options):
    """Answer `requests` and `httpx` calls to Kustomer's API hosts in this process (decorator or `with`).

    See mock_server.interception.Interception for the options (app=, url=, key=, config=).
    """
    from .interception import Interception
    if callable(app) and not hasattr(app, "wsgi_app"):  # bare @intercept on a function
        return Interception(**options)(app)
    return Interception(app, **options)

"""kustomer-mock: a local, stateful mock of the Kustomer chat backend."""
from __future__ import annotations

from typing import Mapping

from flask import Flask
from werkzeug.routing import Rule

__version__ = "0.1.0"


def create_app(config: Mapping | None = None) -> Flask:
    """Build the mock: settings, state, error handling, the surfaces."""
    from . import api, caller, errors, security, state, webhooks
    from .control import faults, journal, scenarios, snapshot, stubs, views
    from .config import DefaultSettings

    app = Flask(__name__, static_folder=None)
    app.url_rule_class = _Rule   # before any route is added
    app.config.from_object(DefaultSettings)
    app.config.from_prefixed_env("KUSTOMER_MOCK")
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    app.url_map.strict_slashes = False   # /v1/users/current/ is /v1/users/current, as at Kustomer
    state.init_app(app)
    errors.init_app(app)
    faults.init_app(app)       # the fault rules
    stubs.init_app(app)        # the stub rules
    journal.init_app(app)      # the ring of recorded calls
    _pipeline(app, (
        # (step, before the view, after the view): befores run in this order, afters in the reverse
        ("security", security.before, security.add_cors_headers),  # header size, preflights, admin token
        ("caller", caller.resolve, None),     # key, org, operation, tracking token: resolved once
        ("faults", faults.before, None),      # the first rule that fires answers, delays or drops
        ("stubs", stubs.before, None),        # else a stub may answer instead of the view
        ("journal", None, journal.record),    # every call recorded, with its caller, fault and stub
    ))
    snapshot.init_app(app)     # --state-file: loaded now, saved by `serve` on shutdown
    webhooks.init_app(app)     # every org's writes become events; delivered by a background worker
    api.register_blueprints(app)   # Kustomer's surfaces
    views.register(app)            # the control API, /__admin
    scenarios.load_boot(app)   # --faults: its operation names are checked against the routes
    return app


class _Rule(Rule):
    """werkzeug's Rule whose URL builders are compiled when a URL is first built, not at boot.

    werkzeug compiles two Python functions per route to build its URLs; the mock's routes are only
    matched (the OpenAPI document reads the rules, not the builders), and compiling ~200 routes' builders
    was most of create_app's time.
    """

    def _compile_builder(self, append_unknown: bool = True):
        def build(rule, **values):
            real = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, "_build_unknown" if append_unknown else "_build", real)
            return real(**values)
        return build


def _pipeline(app: Flask, steps: tuple) -> None:
    """Hook each step of one request's walk into the app (the view runs between the befores and afters)."""
    for _name, before, after in steps:
        if before is not None:
            app.before_request(before)
        if after is not None:
            app.after_request(after)


def intercept(app=None, **options):
    """Answer `requests` and `httpx` calls to Kustomer's API hosts in this process (decorator or `with`).

    See mock_server.testing.interception.Interception for the options (app=, url=, key=, config=).
    """
    from .testing.interception import Interception
    if callable(app) and not hasattr(app, "wsgi_app"):  # bare @intercept on a function
        return Interception(**options)(app)
    return Interception(app, **options)

"""The surfaces of the mock, one blueprint each."""
from __future__ import annotations

from flask import Flask

from . import admin, admin_faults, admin_state, assets, chat_client, diagnostics, identity, kb, live
from . import admin_stubs, admin_watch, attachments, admin_webhooks, chat_server, pages, rest_v1, rest_v1_bulk
from . import rest_v1_directory, rest_v1_kobjects, rest_v1_messages, rest_v1_search, rest_v1_webhooks

BLUEPRINTS = (chat_client.bp, identity.bp, kb.bp, admin.bp, admin_faults.bp, admin_state.bp,
              rest_v1_search.bp, rest_v1_bulk.bp, rest_v1.bp, rest_v1_messages.bp, rest_v1_kobjects.bp,
              rest_v1_directory.bp, rest_v1_webhooks.bp, chat_server.bp, live.bp, diagnostics.bp, assets.bp,
              admin_watch.bp, admin_webhooks.bp, pages.bp, admin_stubs.bp, attachments.bp)


def register_blueprints(app: Flask) -> None:
    """Mount every surface on the app."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

"""Kustomer's surfaces (and the pages that serve the SDK and dashboard files), one blueprint each."""
from __future__ import annotations

from flask import Flask

from . import assets, attachments, chat_client, chat_server, diagnostics, identity, kb, live, pages, rest_v1
from . import rest_v1_bulk, rest_v1_directory, rest_v1_kobjects, rest_v1_messages, rest_v1_search, rest_v1_webhooks

BLUEPRINTS = (chat_client.bp, identity.bp, kb.bp, rest_v1_search.bp, rest_v1_bulk.bp, rest_v1.bp,
              rest_v1_messages.bp, rest_v1_kobjects.bp, rest_v1_directory.bp, rest_v1_webhooks.bp, chat_server.bp,
              live.bp, diagnostics.bp, assets.bp, pages.bp, attachments.bp)


def register_blueprints(app: Flask) -> None:
    """Mount every surface on the app."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

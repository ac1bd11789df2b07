"""The surfaces of the mock, one blueprint each."""
from __future__ import annotations

from flask import Flask

from . import admin, chat_client, identity, kb

BLUEPRINTS = (chat_client.bp, identity.bp, kb.bp, admin.bp)


def register_blueprints(app: Flask) -> None:
    """Mount every surface on the app."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

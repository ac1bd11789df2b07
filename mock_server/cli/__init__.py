"""The `kustomer-mock` command: serve, and thin commands over the control API (client.py)."""
from __future__ import annotations

from .main import cli, main, serve

__all__ = ["cli", "main", "serve"]

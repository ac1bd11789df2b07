"""The pytest11 entry point `kustomer_mock` (installed with the package); the plugin lives in testing/plugin.py."""
from __future__ import annotations

from .testing.plugin import (RECEIVER_HOST_ENV, TOKEN_ENV, URL_ENV, SessionMock, kustomer_mock,  # noqa: F401
                             kustomer_mock_intercept, kustomer_mock_server, kustomer_webhooks, pytest_addoption,
                             pytest_runtest_call)

"""Test helpers for code that talks to Kustomer: MockOrg (what `kustomer_mock` is) and its parts.

org.py: MockOrg, a test's own org on a running mock; helpers.py: Customer, OrgFaults, OrgStubs,
MockClock, ApiCallError; webhooks.py: WebhookReceiver, a real HTTP receiver for signed deliveries;
plugin.py: the pytest11 plugin (registered as mock_server.pytest_plugin); interception.py and
inprocess.py: Kustomer's hosts answered in-process by an app (mock_server.intercept).
"""
from __future__ import annotations

from .helpers import ApiCallError, Customer, MockClock, OrgFaults, OrgStubs, http_json
from .org import MockOrg
from .webhooks import ReceivedEvent, WebhookReceiver, verify_signature

__all__ = ["ApiCallError", "Customer", "MockClock", "MockOrg", "OrgFaults", "OrgStubs", "ReceivedEvent",
           "WebhookReceiver", "http_json", "verify_signature"]

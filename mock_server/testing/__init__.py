"""Test helpers for code that talks to Kustomer: MockOrg (what `kustomer_mock` is) and its parts.

org.py: MockOrg, a test's own org on a running mock; helpers.py: Customer, OrgFaults, OrgStubs,
MockClock, ApiCallError; appcalls.py: Chat, Api and AppClient over Flask's test client of an app in
this process (raw responses, for exact statuses and codes); serve.py: `kustomer-mock serve` as a child
process; redisserver.py: a real redis-server and `serve` replicas sharing it; webhooks.py: WebhookReceiver, a real HTTP receiver for signed deliveries; plugin.py: the pytest11 plugin (registered as mock_server.pytest_plugin); interception.py and
inprocess.py: Kustomer's hosts answered in-process by an app (mock_server.intercept).
"""
from __future__ import annotations

from .appcalls import AGENT, OTHER_AGENT, Api, AppClient, Chat, clock_of, org_of
from .helpers import ApiCallError, Customer, MockClock, OrgFaults, OrgStubs, http_json
from .org import MockOrg
from .serve import serving, spawn_serve, stop_serve, wait_listening
from .webhooks import ReceivedEvent, WebhookReceiver, verify_signature

__all__ = ["AGENT", "OTHER_AGENT", "Api", "ApiCallError", "AppClient", "Chat", "Customer", "MockClock", "MockOrg",
           "OrgFaults", "OrgStubs", "ReceivedEvent", "WebhookReceiver", "clock_of", "http_json", "org_of", "serving",
           "spawn_serve", "stop_serve", "verify_signature", "wait_listening"]

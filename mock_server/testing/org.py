"""A test's own org on a running mock: journal assertions, agent actions, faults, clock (what `kustomer_mock` is)."""
from __future__ import annotations

import html
import time
import urllib.parse

from ..client import MockClient
from ..control import journal_match
from .helpers import ApiCallError, Customer, MockClock, OrgFaults, OrgStubs, http_json

__tracebackhide__ = True  # pytest shows a failing helper call at the test's line, not inside this module

__all__ = ["ApiCallError", "Customer", "MockOrg"]

WAIT_POLL_SECONDS = 0.05  # wait_for polls the journal this often: a browser answers on its own time


class MockOrg:
    """One org of a running mock, named by a key no other test uses.

    Everything here is scoped to that org (journal, faults, settings, warnings, and the clock:
    freeze/advance move this org's time only, so parallel tests on one mock do not interfere;
    the pytest plugin resumes it after each test that touched it).
    """

    def __init__(self, url: str, key: str, admin: MockClient | None = None):
        self.url, self.key = url.rstrip("/"), key
        self.admin = admin or MockClient(self.url)
        self.faults = OrgFaults(self)
        self.stubs = OrgStubs(self)
        self.clock = MockClock(self.admin, key)
        self.conversation_customers: dict[str, str] = {}  # conversation id -> customer id, as the helpers learn them
        self._waited: set[int] = set()

    # -- the page and the API ----------------------------------------------------------------

    def widget_script_tag(self, script: str = "widget.js") -> str:
        """The <script> tag a page under test includes instead of Kustomer's CDN one (or script="core.js")."""
        src = html.escape(f"{self.url}/chat-web/{script}", quote=True)
        return f'<script src="{src}" data-kustomer-api-key="{html.escape(self.key, quote=True)}"></script>'

    def call(self, method: str, path: str, body=None, headers: dict | None = None):
        """Any call to /c/, /v1 or /v2.1 with this org's key; the JSON answer, or ApiCallError."""
        return http_json(self.url, method, path, self.key, body, headers, self.admin.timeout)

    def customer(self, **start_fields) -> Customer:
        """A new customer who has called `start` (pass brandId=..., assistantId=... as start takes them)."""
        return Customer(self, **start_fields)

    def stub(self, operation: str | None = None, body=None, status: int = 200, headers: dict | None = None,
             times: int | None = None, **rule) -> dict:
        """Answer this org's calls of `operation` with `status` and the JSON `body` (path=, text=, ... as a stub)."""
        match = {k: v for k, v in (("operation", operation), ("path", rule.pop("path", None))) if v}
        respond = {"status": status, **({"body": body} if body is not None else {}),
                   **({"text": rule.pop("text")} if "text" in rule else {}),
                   **({"headers": headers} if headers else {})}
        return self.stubs.add({"match": match, "respond": respond, **({"times": times} if times else {}), **rule})

    def org(self) -> dict:
        """The org's description: brands, settings, assistants, Klasses, users, chatSecret."""
        return self.admin.org(self.key)

    def settings(self, **changes) -> dict:
        """Change the org's settings (availability=, start_delay_ms=, allow_end_conversation=, ...)."""
        return self.admin.settings(self.key, **changes)

    def login_token(self, email: str | None = None, external_id: str | int | None = None) -> str:
        """A login JWT for Kustomer.login, signed with this org's chat secret, issued now on the mock clock."""
        return self.admin.login_token(self.key, email=email, external_id=external_id)

    def reset(self) -> dict:
        """The org back to its fixtures."""
        return self.admin.reset(self.key)

    # -- the journal -------------------------------------------------------------------------

    def requests(self, operation: str | None = None, status=None) -> list[dict]:
        """This org's journal entries, oldest first (operation = SDK method or REST operation name)."""
        return self.admin.requests(operation=operation, org=self.key, status=status)["requests"]

    def assert_called(self, operation: str, times: int | None = None, **expected) -> list[dict]:
        """Assert calls of `operation` fit `expected` (at least once, or exactly `times`); the matching entries.

        Keywords: status, method, path, query, fault, drop name entry fields; body= and response= are
        subsets of the request and response bodies; any other keyword is a request body field as sent
        (camelCase). Dicts match as subsets, callables as predicates.
        """
        __tracebackhide__ = True  # pytest shows the failure at the test's line
        entries = self.requests()
        fitting = [e for e in entries if e["operation"] == operation and journal_match.matches(e, expected)]
        if (times is None and not fitting) or (times is not None and len(fitting) != times):
            raise AssertionError(journal_match.explain(operation, expected, times, entries, self.key, self.url))
        return fitting

    def wait_for(self, operation: str, timeout: float = 5.0, **expected) -> dict:
        """The oldest matching entry not returned by an earlier wait_for, once it is journaled (for browser tests)."""
        __tracebackhide__ = True  # pytest shows the failure at the test's line
        deadline = time.monotonic() + timeout
        while True:
            entries = self.requests()
            for entry in entries:
                if (entry["operation"] == operation and entry["id"] not in self._waited
                        and journal_match.matches(entry, expected)):
                    self._waited.add(entry["id"])
                    return entry
            if time.monotonic() >= deadline:
                explained = journal_match.explain(operation, expected, None, entries, self.key, self.url)
                raise AssertionError(f"waited {timeout:g}s for a new call: {explained}")
            time.sleep(WAIT_POLL_SECONDS)

    def sdk_warnings(self) -> list[dict]:
        """The integration warnings (sdkWarning) the fake SDK reported for this org."""
        return self.admin.sdk_warnings(self.key)

    def assert_no_sdk_warnings(self) -> None:
        """Fail, listing them, when the page misused the SDK (call before start, unknown option, ...)."""
        __tracebackhide__ = True  # pytest shows the failure at the test's line
        warnings = self.sdk_warnings()
        if warnings:
            lines = [f"  {w['method']}: {w['reason']}" + (f" (page {w['pageUrl']})" if w.get("pageUrl") else "")
                     for w in warnings]
            raise AssertionError(f"the fake SDK reported {len(warnings)} integration warning(s) for org "
                                 f"{self.key!r}:\n" + "\n".join(lines))

    # -- playing the agent -------------------------------------------------------------------

    def agent(self, user_id: str | None = None) -> str:
        """An agent's user id: `user_id`, else the org's first user."""
        return user_id or self.org()["users"][0]["id"]

    def customer_of(self, conversation_id: str) -> str:
        """The customer id of a conversation (known from the helpers, else asked of /v1)."""
        if conversation_id not in self.conversation_customers:
            found = self.call("GET", f"/v1/conversations/{urllib.parse.quote(conversation_id, safe='')}")
            self.conversation_customers[conversation_id] = found["data"]["relationships"]["customer"]["data"]["id"]
        return self.conversation_customers[conversation_id]

    def agent_reply(self, conversation_id: str, text: str, user_id: str | None = None,
                    customer_id: str | None = None, **fields) -> dict:
        """An agent's message to the widget (POST /v2.1/chat/outbound/messages); the chat_message resource.

        The customer is the conversation's (asked of /v1 when no helper learnt it) unless `customer_id` names one.
        """
        body = {"customerId": customer_id or self.customer_of(conversation_id), "from": self.agent(user_id),
                "session": conversation_id, "body": text, **fields}
        return self.call("POST", "/v2.1/chat/outbound/messages", body)["data"]

    def agent_typing(self, conversation_id: str, typing: bool = True, user_id: str | None = None,
                     customer_id: str | None = None):
        """Show (or hide) the agent's typing indicator in the widget (customer_id: as agent_reply)."""
        body = {"customerId": customer_id or self.customer_of(conversation_id), "from": self.agent(user_id),
                "session": conversation_id, "typing": typing}
        return self.call("POST", "/v2.1/chat/outbound/typing", body)

    def end_conversation(self, conversation_id: str) -> dict:
        """End the conversation as the agent side does (PATCH /v1 ended: true); the conversation resource."""
        path = f"/v1/conversations/{urllib.parse.quote(conversation_id, safe='')}"
        return self.call("PATCH", path, {"ended": True})["data"]

    # -- webhooks ------------------------------------------------------------------------------

    def webhook_deliveries(self, **filters) -> list[dict]:
        """This org's delivery attempts, oldest first (event=, event_id=, webhook_id=, outcome= filter)."""
        return self.admin.deliveries(org=self.key, **filters)["deliveries"]

    def redeliver(self, event_id: str, webhook_id: str | None = None) -> dict:
        """Send one event again, same id and body: {"eventId", "queued"}."""
        return self.admin.redeliver(self.key, event_id, webhook_id)

    # -- teardown ------------------------------------------------------------------------------

    def close(self, reset: bool = True) -> None:
        """Remove this org's faults and stubs, resume the clock if this org moved it, and drop the org's data."""
        self.faults.clear()
        self.stubs.clear()
        if self.clock.touched:
            self.clock.resume()
        if reset:
            self.reset()

"""The parts of a test's org handle: HTTP calls with a key, a customer, org-scoped faults, the clock."""
from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from datetime import datetime

from ..client import AdminError, MockClient

__tracebackhide__ = True  # pytest shows a failing helper call at the test's line, not inside this module


class ApiCallError(Exception):
    """A 4xx/5xx answer of the mock to a helper's call (status, code, whole body)."""

    def __init__(self, method: str, path: str, status: int | None, body):
        errors = body.get("errors") if isinstance(body, dict) else None
        self.status, self.body = status, body
        self.code = errors[0].get("code") if errors else None
        super().__init__(f"{method} {path}: {status} {self.code or body!r}")


def http_json(url: str, method: str, path: str, key: str, body=None, headers: dict | None = None,
              timeout: float = 10.0):
    """One JSON call to a key-authorized surface (/c/, /v1, /v2.1); the answer, or ApiCallError."""
    sent = {"Authorization": f"Bearer {key}", "Accept": "application/json", **(headers or {})}
    data = None
    if body is not None:
        data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(url + path, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = raw.decode("utf-8", "replace")
        raise ApiCallError(method, path, error.code, answer) from None
    except (urllib.error.URLError, OSError) as error:  # a dropped connection (a drop fault) lands here
        raise ApiCallError(method, path, None, str(getattr(error, "reason", error))) from None


class Customer:
    """A customer of the org, speaking the chat API (/c/) as the fake SDK does."""

    def __init__(self, org, **start_fields):
        self.org = org
        answer = org.call("POST", "/c/v1/tracking/tokens", start_fields or None)
        self.tracking_token, self.customer_id = answer["trackingToken"], answer["customerId"]
        self.start = answer

    def call(self, method: str, path: str, body=None):
        """A /c/ call with this customer's tracking token."""
        return self.org.call(method, path, body, {"x-kustomer-tracking-token": self.tracking_token})

    def create_conversation(self, message: str | None = "Hello", **fields) -> dict:
        """createConversation: {conversationId, createdAt, ended, isInAssistantMode}."""
        answer = self.call("POST", "/c/v1/chat/sessions", {"message": message, **fields} if message else fields)
        if answer.get("conversationId"):
            self.org.conversation_customers[answer["conversationId"]] = self.customer_id
        return answer

    def send_message(self, conversation_id: str, body: str, **fields) -> dict:
        """sendMessage on one of this customer's conversations."""
        return self.call("POST", f"/c/v1/chat/sessions/{conversation_id}/messages", {"body": body, **fields})

    def messages(self, conversation_id: str) -> list[dict]:
        """getMessages: the conversation's messages, oldest first."""
        return self.call("GET", f"/c/v1/chat/sessions/{conversation_id}/messages")["messages"]

    def conversations(self) -> list[dict]:
        """getConversations: this customer's conversations."""
        return self.call("GET", "/c/v1/chat/sessions")["conversations"]


class OrgFaults:
    """Fault rules scoped to one org (match.org = its key unless said otherwise); removed at teardown."""

    def __init__(self, org):
        self._org, self.ids = org, []

    def add(self, rule: dict | None = None, **fields) -> dict:
        """Add a rule (as MockClient.add_fault); its match gets this org's key unless it names an org."""
        rule = {**(rule or {}), **fields}
        rule["match"] = {"org": self._org.key, **(rule.get("match") or {})}
        added = self._add(rule)
        self.ids.append(added["id"])
        return added

    def _add(self, rule: dict) -> dict:
        return self._org.admin.add_fault(rule)

    def _remove(self, rule_id: str) -> dict:
        return self._org.admin.remove_fault(rule_id)

    def clear(self) -> int:
        """Remove every rule this org added (rules of other tests stay); answers how many were still there."""
        removed = 0
        while self.ids:
            with contextlib.suppress(AdminError):  # a `times` rule may have expired already
                self._remove(self.ids.pop())
                removed += 1
        return removed


class OrgStubs(OrgFaults):
    """Stubs scoped to one org, as OrgFaults: any status, body and headers; removed at teardown."""

    def _add(self, rule: dict) -> dict:
        return self._org.admin.add_stub(rule)

    def _remove(self, rule_id: str) -> dict:
        return self._org.admin.remove_stub(rule_id)


class MockClock:
    """A test org's clock (`key`), or the whole mock's (key None): the plugin resumes it after a test.

    An org's clock moves only that org's time, so parallel tests on one mock freeze time independently.
    """

    def __init__(self, admin: MockClient, key: str | None = None):
        self._admin, self.key, self.touched = admin, key, False

    def freeze(self, at: str | datetime | None = None) -> dict:
        """Stop the clock at `at` (ISO text or an aware datetime; default: now)."""
        self.touched = True
        if at is None:
            at = self._admin.clock(self.key)["now"]
        return self._admin.freeze(at.isoformat() if isinstance(at, datetime) else at, self.key)

    def advance(self, seconds: float) -> dict:
        """Move the clock forward (frozen or running)."""
        self.touched = True
        return self._admin.advance(seconds, self.key)

    def resume(self) -> dict:
        """Run with real time again (an org's clock: follow the mock clock again)."""
        self.touched = False
        return self._admin.resume(self.key)

    def now(self) -> str:
        """The clock's time as ISO text."""
        return self._admin.clock(self.key)["now"]

"""A small Python client of the mock's control API (/__admin), on the standard library only."""
from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

__tracebackhide__ = True  # pytest shows a failing helper call at the test's line, not inside this module

DEFAULT_URL = "http://127.0.0.1:7700"
_SETTING_NAMES = {"start_delay_ms": "startDelayMs", "allow_end_conversation": "allowEndConversation",
                  "default_assistant_id": "defaultAssistantId"}


class AdminError(Exception):
    """An error answer of the control API (status, code and the whole body), or no answer at all."""

    def __init__(self, status: int | None, body, message: str):
        super().__init__(message)
        self.status, self.body = status, body
        errors = body.get("errors") if isinstance(body, dict) else None
        self.code = errors[0].get("code") if errors else None


class MockClient:
    """The control API of one running mock: faults, journal, clock, settings, state."""

    def __init__(self, url: str | None = None, admin_token: str | None = None, timeout: float = 10.0):
        self.url = (url or os.environ.get("KUSTOMER_MOCK_URL") or DEFAULT_URL).rstrip("/")
        self.admin_token = admin_token or os.environ.get("KUSTOMER_MOCK_ADMIN_TOKEN") or None
        self.timeout = timeout

    def call(self, method: str, path: str, body=None, query: dict | None = None, raw=None, size: int | None = None):
        """One control API call; the JSON answer, or AdminError. `raw`: JSON bytes or a binary stream, sent as is."""
        query = {k: v for k, v in (query or {}).items() if v is not None}
        url = f"{self.url}/__admin{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if raw is not None:   # a stream without a size goes chunked
            data, headers["Content-Type"] = raw, "application/json"
            if size is not None:
                headers["Content-Length"] = str(size)
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _json(response.read())
        except urllib.error.HTTPError as error:
            answer = _json(error.read())
            detail = (answer.get("errors") or [{}])[0].get("detail") if isinstance(answer, dict) else answer
            raise AdminError(error.code, answer, f"{method} {path}: {error.code} {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise AdminError(None, None, f"cannot reach the mock at {self.url}: {reason}") from None

    # -- health, reset, orgs ---------------------------------------------------------------

    def health(self) -> dict:
        """{"status": "ok", "version": ...}."""
        return self.call("GET", "/health")

    def reset(self, org: str | None = None) -> dict:
        """Every org (or one key's org) back to its fixtures."""
        return self.call("POST", "/reset", query={"org": org})

    def org(self, key: str) -> dict:
        """An org's description: brands, settings, assistants, Klasses, users."""
        return self.call("GET", f"/orgs/{urllib.parse.quote(key, safe='')}")

    def settings(self, key: str, **changes) -> dict:
        """Change an org's settings (availability, start_delay_ms, allow_end_conversation, default_assistant_id)."""
        body = {_SETTING_NAMES.get(name, name): value for name, value in changes.items()}
        return self.call("PATCH", f"/orgs/{urllib.parse.quote(key, safe='')}/settings", body)

    # -- faults ----------------------------------------------------------------------------

    def faults(self) -> list[dict]:
        """Every fault rule with its counters."""
        return self.call("GET", "/faults")["faults"]

    def add_fault(self, rule: dict | None = None, **fields) -> dict:
        """Add a rule (a dict, or its fields as keywords: match=, respond=, delayMs=, drop=, times=)."""
        return self.call("POST", "/faults", {**(rule or {}), **fields})

    def remove_fault(self, fault_id: str) -> dict:
        """Remove one rule."""
        return self.call("DELETE", f"/faults/{urllib.parse.quote(fault_id, safe='')}")

    def clear_faults(self) -> int:
        """Remove every rule; answers how many."""
        return self.call("DELETE", "/faults")["removed"]

    # -- stubs (any answer, with a fault rule's match, times and scope) -----------------------

    def stubs(self) -> list[dict]:
        """Every stub with its counters."""
        return self.call("GET", "/stubs")["stubs"]

    def add_stub(self, rule: dict | None = None, **fields) -> dict:
        """Add a stub (a dict, or match=, respond={status, body | text, headers}, times=, ...)."""
        return self.call("POST", "/stubs", {**(rule or {}), **fields})

    def remove_stub(self, stub_id: str) -> dict:
        """Remove one stub."""
        return self.call("DELETE", f"/stubs/{urllib.parse.quote(stub_id, safe='')}")

    def clear_stubs(self) -> int:
        """Remove every stub; answers how many."""
        return self.call("DELETE", "/stubs")["removed"]

    def scenarios(self) -> list[dict]:
        """The scenarios the mock can load by name."""
        return self.call("GET", "/faults/scenarios")["scenarios"]

    def load_scenario(self, name_or_file: str) -> list[dict]:
        """Add a scenario's rules: a local YAML file, or a name the mock knows."""
        path = Path(name_or_file)
        if path.suffix in (".yaml", ".yml") and path.is_file():
            import yaml  # a core dependency of the mock
            body = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            name = body.pop("name", None) or path.stem
            return self.call("POST", f"/faults/scenarios/{urllib.parse.quote(name, safe='')}", body)["faults"]
        return self.call("POST", f"/faults/scenarios/{urllib.parse.quote(name_or_file, safe='')}")["faults"]

    @contextlib.contextmanager
    def fault(self, rule: dict | None = None, **fields):
        """Add a rule for the length of a `with` block."""
        added = self.add_fault(rule, **fields)
        try:
            yield added
        finally:
            with contextlib.suppress(AdminError):
                self.remove_fault(added["id"])

    # -- journal ---------------------------------------------------------------------------

    def requests(self, operation: str | None = None, org: str | None = None, status=None,
                 since: str | None = None, after: int | None = None, limit: int | None = None) -> dict:
        """The journal: {"requests": [...], "total": N}, filtered."""
        return self.call("GET", "/requests", query={"operation": operation, "org": org, "status": status,
                                                    "since": since, "after": after, "limit": limit})

    def clear_requests(self) -> int:
        """Forget the journal; answers how many entries went."""
        return self.call("DELETE", "/requests")["removed"]

    # -- clock -----------------------------------------------------------------------------

    def clock(self, org: str | None = None) -> dict:
        """{"now", "frozen", "offsetSeconds"} of the mock clock, or of KEY's org clock (with "own")."""
        return self.call("GET", "/clock", query={"org": org})

    def freeze(self, at: str, org: str | None = None) -> dict:
        """Stop the mock clock (or only KEY's org clock) at an ISO time."""
        return self.call("POST", "/clock", {"freeze": at}, query={"org": org})

    def advance(self, seconds: float, org: str | None = None) -> dict:
        """Move the mock clock (or only KEY's org clock) forward."""
        return self.call("POST", "/clock", {"advanceSeconds": seconds}, query={"org": org})

    def resume(self, org: str | None = None) -> dict:
        """Run the mock clock with real time again (an org clock: follow the mock clock again)."""
        return self.call("POST", "/clock", {"resume": True}, query={"org": org})

    # -- integration warnings (sdkWarning) --------------------------------------------------

    def sdk_warnings(self, key: str) -> list[dict]:
        """The integration warnings the fake SDK reported for KEY's org, oldest first."""
        return self.call("GET", f"/orgs/{urllib.parse.quote(key, safe='')}/sdk-warnings")["warnings"]

    def clear_sdk_warnings(self, key: str) -> int:
        """Forget KEY's org's integration warnings; answers how many."""
        return self.call("DELETE", f"/orgs/{urllib.parse.quote(key, safe='')}/sdk-warnings")["cleared"]

    # -- login ----------------------------------------------------------------------------

    def login_token(self, key: str, email: str | None = None, external_id: str | int | None = None,
                    iat: float | None = None) -> str:
        """A login JWT for KEY's org: signed with its chatSecret, issued now on the mock clock."""
        from .domain.clock import parse_iso
        from .domain.identity import make_login_token   # PyJWT: loaded only by those who sign
        secret = self.org(key)["chatSecret"]
        if iat is None:
            iat = parse_iso(self.clock(key)["now"]).timestamp()   # the org's time: its own if a test froze it
        return make_login_token(secret, email=email, external_id=external_id, iat=iat)

    # -- state -----------------------------------------------------------------------------

    def export_state(self) -> dict:
        """Every org as versioned JSON."""
        return self.call("GET", "/state")

    def import_state(self, document: dict) -> dict:
        """Replace every org with the document's."""
        return self.call("PUT", "/state", document)

    def import_state_stream(self, stream, size: int | None = None) -> dict:
        """Replace every org with the JSON document of a binary stream (a state file), sent as it is read."""
        return self.call("PUT", "/state", raw=stream, size=size)

    def save_state(self) -> dict:
        """Make the mock write its --state-file now."""
        return self.call("POST", "/state/save", {})

    # -- webhooks --------------------------------------------------------------------------

    def webhooks(self, org: str | None = None) -> list[dict]:
        """Every org's webhooks (or one key's), with tokens and pending deliveries."""
        return self.call("GET", "/webhooks", query={"org": org})["webhooks"]

    def add_webhook(self, key: str, url: str, events: list[str], name: str = "kustomer-mock", **fields) -> dict:
        """Register a webhook for a key's org (token=... chooses its signing token)."""
        body = {"name": name, "url": url, "events": events, **fields}
        return self.call("POST", f"/orgs/{urllib.parse.quote(key, safe='')}/webhooks", body)

    def remove_webhook(self, key: str, webhook_id: str) -> dict:
        """Delete a webhook of a key's org."""
        return self.call("DELETE", f"/orgs/{urllib.parse.quote(key, safe='')}/webhooks/{webhook_id}")

    def deliveries(self, org: str | None = None, event: str | None = None, event_id: str | None = None,
                   webhook_id: str | None = None, outcome: str | None = None, limit: int | None = None) -> dict:
        """The delivery log, oldest first: {"deliveries": [...], "total": N}."""
        return self.call("GET", "/webhooks/deliveries", query={
            "org": org, "event": event, "eventId": event_id, "webhookId": webhook_id, "outcome": outcome,
            "limit": limit})

    def redeliver(self, key: str, event_id: str, webhook_id: str | None = None) -> dict:
        """Send one event again (same id and body): {"eventId", "queued"}."""
        body = {"webhookId": webhook_id} if webhook_id else {}
        return self.call("POST", f"/orgs/{urllib.parse.quote(key, safe='')}/webhooks/events/{event_id}/redeliver",
                         body)


def _json(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")

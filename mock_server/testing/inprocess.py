"""The plugin's helpers without a socket: the control API and an org's calls through the app in this process."""
from __future__ import annotations

import json
import urllib.parse

from ..client import AdminError, MockClient
from .helpers import ApiCallError
from .org import MockOrg

__tracebackhide__ = True  # pytest shows a failing helper call at the test's line, not inside this module

IN_PROCESS_URL = "https://api.kustomerapp.com"  # what interception answers for; never dialled


def _answer(response):
    raw = response.get_data()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


class InProcessClient(MockClient):
    """MockClient over Flask's test client of one app: the same control API, no server."""

    def __init__(self, app):
        super().__init__(IN_PROCESS_URL)
        self.app, self._client = app, app.test_client(use_cookies=False)

    def call(self, method: str, path: str, body=None, query: dict | None = None):
        """One control API call; the JSON answer, or AdminError."""
        query = {k: v for k, v in (query or {}).items() if v is not None}
        response = self._client.open(f"/__admin{path}", method=method, json=body,
                                     query_string=urllib.parse.urlencode(query))
        answer = _answer(response)
        if response.status_code >= 400:
            detail = (answer.get("errors") or [{}])[0].get("detail") if isinstance(answer, dict) else answer
            raise AdminError(response.status_code, answer, f"{method} {path}: {response.status_code} {detail}")
        return answer


class InProcessOrg(MockOrg):
    """MockOrg whose calls (customer(), agent_reply(), call()) run through the app in this process."""

    def __init__(self, app, key: str):
        super().__init__(IN_PROCESS_URL, key, InProcessClient(app))
        self._client = app.test_client(use_cookies=False)

    def call(self, method: str, path: str, body=None, headers: dict | None = None):
        """Any call to /c/, /v1 or /v2.1 with this org's key; the JSON answer, or ApiCallError."""
        sent = {"Authorization": f"Bearer {self.key}", "Accept": "application/json", **(headers or {})}
        response = self._client.open(path, method=method, json=body, headers=sent, base_url=IN_PROCESS_URL)
        answer = _answer(response)
        if response.status_code >= 400:
            raise ApiCallError(method, path, response.status_code, answer)
        return answer

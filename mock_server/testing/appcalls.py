"""Raw-response helpers over Flask's test client of one app: a customer (Chat) and an API key (Api).

MockOrg and Customer answer JSON and raise on errors, as code under test sees Kustomer; these answer
Flask's response objects instead, for tests that assert exact statuses, headers and error codes of the
mock itself, in-process (`create_app()` and `app.test_client()`, no socket).
"""
from __future__ import annotations

import io

from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ..state import get_state

__tracebackhide__ = True  # pytest shows a failing helper call at the test's line, not inside this module

AGENT = "5f0c1a2b3c4d5e6f7a8b9e01"  # Alex Rivera, the first user of the bundled fixtures
OTHER_AGENT = "5f0c1a2b3c4d5e6f7a8b9e02"  # the second user of the bundled fixtures


class AppClient(FlaskClient):
    """Flask's test client that keeps every response and closes them all in close_responses().

    `app.test_client_class = AppClient` makes app.test_client() answer one.
    A response holds what it streams (a served file, the spooled body of a large upload) until it is
    closed; closing them when the test ends releases those files at once, not at garbage collection.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._responses: list = []

    def open(self, *args, **kwargs):
        """As FlaskClient.open; the response is closed by close_responses()."""
        response = super().open(*args, **kwargs)
        self._responses.append(response)
        return response

    def close_responses(self) -> None:
        """Close every response this client answered."""
        while self._responses:
            self._responses.pop().close()


class Chat:
    """One customer of one org, speaking the /c/ API through a Flask test client (the SDK's calls)."""

    def __init__(self, client, key: str, token: str | None = None):
        self.client, self.key, self.token = client, key, token
        self.customer_id = None

    def headers(self, token: bool = True) -> dict:
        """The key and (when started) the tracking token."""
        headers = {"Authorization": f"Bearer {self.key}"}
        if token and self.token:
            headers["x-kustomer-tracking-token"] = self.token
        return headers

    def call(self, method: str, path: str, json=None, **kwargs):
        """Any /c/ call with this session's headers."""
        return self.client.open(path, method=method, json=json, headers=self.headers(), **kwargs)

    def start(self, **options):
        """Kustomer.start(options); keeps the tracking token and customer id of a 200."""
        rv = self.call("POST", "/c/v1/tracking/tokens", json=options or None)
        if rv.status_code == 200:
            self.token, self.customer_id = rv.json["trackingToken"], rv.json["customerId"]
        return rv

    def create_conversation(self, **options):
        """Kustomer.createConversation(options)."""
        return self.call("POST", "/c/v1/chat/sessions", json=options)

    def new_conversation(self, message: str = "I need some help", **options) -> str:
        """Create a conversation and return its id (asserting it was created)."""
        rv = self.create_conversation(message=message, **options)
        if rv.status_code != 201:
            raise AssertionError(f"createConversation: {rv.status_code} {rv.json}")
        return rv.json["conversationId"]

    def send_message(self, conversation_id: str, **options):
        """KustomerCore.sendMessage({conversationId, ...})."""
        return self.call("POST", f"/c/v1/chat/sessions/{conversation_id}/messages", json=options)

    def messages(self, conversation_id: str):
        """KustomerCore.getMessages({conversationId})."""
        return self.call("GET", f"/c/v1/chat/sessions/{conversation_id}/messages")

    def conversations(self, **query):
        """KustomerCore.getConversations({page, pageSize})."""
        return self.call("GET", "/c/v1/chat/sessions", query_string=query)

    def unread(self):
        """Kustomer.getUnreadCount()."""
        return self.call("GET", "/c/v1/chat/unread")

    def upload(self, name: str, data: bytes, content_type: str, path: str = "/c/v1/chat/attachments"):
        """Upload one file as multipart/form-data (the SDKs' attachments: [{file}]).

        The body is encoded in memory: Werkzeug would spool a large one to a temporary file that stays
        open after a refused (413) upload.
        """
        boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name, content_type=content_type)})
        return self.client.post(path, headers=self.headers(), data=body,
                                content_type=f"multipart/form-data; boundary={boundary}")

    def end(self, conversation_id: str):
        """KustomerCore.endConversation({conversationId})."""
        return self.call("POST", f"/c/v1/chat/sessions/{conversation_id}/end", json={})

    def submit_satisfaction(self, satisfaction_id: str, submittedAt: str = "2030-01-02T03:04:05.000Z",  # noqa: N803
                            **fields):
        """KustomerCore.submitSatisfactionForm({satisfactionId, rating, answers, submittedAt})."""
        return self.call("PUT", f"/c/v1/chat/satisfaction-responses/{satisfaction_id}",
                         json={"submittedAt": submittedAt, **fields})


class Api:
    """One API key speaking REST v1 and the server chat API (/v2.1) through a Flask test client."""

    def __init__(self, client, key: str):
        self.client, self.key = client, key

    def call(self, method: str, path: str, json=None, **kwargs):
        """Any call with `Authorization: Bearer KEY`."""
        return self.client.open(path, method=method, json=json, headers={"Authorization": f"Bearer {self.key}"},
                                **kwargs)

    def get(self, path: str, **query):
        """GET with query parameters."""
        return self.call("GET", path, query_string=query)

    def post(self, path: str, json=None):
        """POST a JSON body."""
        return self.call("POST", path, json=json)

    def created(self, path: str, json=None) -> dict:
        """POST, assert 201, answer the resource."""
        rv = self.post(path, json)
        if rv.status_code != 201:
            raise AssertionError(f"POST {path}: {rv.status_code} {rv.json}")
        return rv.json["data"]

    def customer_conversation(self, customer_id: str, **fields) -> str:
        """POST /v1/customers/{id}/conversations; the new conversation's id."""
        return self.created(f"/v1/customers/{customer_id}/conversations", fields)["id"]

    def agent_reply(self, customer_id: str, session: str, body: str = "Hi, this is Alex.", **fields):
        """POST /v2.1/chat/outbound/messages as the fixtures' first agent."""
        return self.post("/v2.1/chat/outbound/messages",
                         {"customerId": customer_id, "from": AGENT, "session": session, "body": body, **fields})

    def walk(self, path: str, **query) -> list[dict]:
        """Follow links.next from page 1 until it is null; every resource of every page, in order."""
        seen, rv = [], self.get(path, **query)
        while True:
            if rv.status_code != 200:
                raise AssertionError(f"GET {path}: {rv.status_code} {rv.json}")
            seen += rv.json["data"]
            following = rv.json["links"]["next"]
            if following is None:
                return seen
            rv = self.call("GET", following)


def org_of(app, key: str):
    """The org behind a key in `app`, for tests that set up what no API reaches (created on first use)."""
    return get_state(app).store.org(key)


def clock_of(app):
    """The mock clock of `app` (process-wide for that app: a test that moves it wants an app of its own)."""
    return get_state(app).clock

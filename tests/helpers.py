"""A small actions helper over the chat API, so tests read like what the SDK does."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from contextlib import contextmanager


class Chat:
    """One customer of one org, speaking the /c/ API through a Flask test client."""

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
        """Kustomer.start(options)."""
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
        assert rv.status_code == 201, rv.json
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
        """Upload one file as multipart/form-data (the SDKs' attachments: [{file}])."""
        return self.client.post(path, headers=self.headers(), content_type="multipart/form-data",
                                data={"file": (io.BytesIO(data), name, content_type)})

    def end(self, conversation_id: str):
        """KustomerCore.endConversation({conversationId})."""
        return self.call("POST", f"/c/v1/chat/sessions/{conversation_id}/end", json={})

    def submit_satisfaction(self, satisfaction_id: str, submittedAt: str = "2030-01-02T03:04:05.000Z",  # noqa: N803
                            **fields):
        """KustomerCore.submitSatisfactionForm({satisfactionId, rating, answers, submittedAt})."""
        return self.call("PUT", f"/c/v1/chat/satisfaction-responses/{satisfaction_id}",
                         json={"submittedAt": submittedAt, **fields})


def spawn_serve(*args: str, env: dict | None = None, stderr=subprocess.STDOUT) -> subprocess.Popen:
    """`kustomer-mock serve ARGS` as a child process, with no KUSTOMER_MOCK_* variable but `env`'s."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOMER_MOCK_")}
    return subprocess.Popen([sys.executable, "-m", "mock_server", "serve", *args], stdout=subprocess.PIPE,
                            stderr=stderr, text=True, env={**clean, "PYTHONUNBUFFERED": "1", **(env or {})})


def wait_listening(process: subprocess.Popen) -> str:
    """The URL the child prints once it accepts requests; fails with what it printed otherwise."""
    line = process.stdout.readline().strip()
    assert line.startswith("kustomer-mock listening on http://"), line + process.stdout.read()
    return line.rsplit(" ", 1)[1]


def stop_serve(process: subprocess.Popen, sig: int = signal.SIGTERM) -> str:
    """Signal the child, check that it exits 0, and answer the rest of what it printed."""
    process.send_signal(sig)
    assert process.wait(timeout=10) == 0
    return process.stdout.read()


@contextmanager
def serving(*args: str, env: dict | None = None):
    """A running `kustomer-mock serve --port 0 ARGS`: yields its URL, stops it (exit 0) afterwards."""
    process = spawn_serve("--port", "0", *args, env=env)
    try:
        yield wait_listening(process)
    finally:
        stop_serve(process)

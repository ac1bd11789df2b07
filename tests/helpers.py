"""A small actions helper over the chat API, so tests read like what the SDK does."""
from __future__ import annotations


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

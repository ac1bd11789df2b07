"""An actions helper over the API-key surfaces (/v1 and /v2.1), so tests read like a backend's calls."""
from __future__ import annotations

AGENT = "5f0c1a2b3c4d5e6f7a8b9e01"  # Alex Rivera in the default fixtures
OTHER_AGENT = "5f0c1a2b3c4d5e6f7a8b9e02"


class Api:
    """One API key speaking REST v1 and the server chat API through a Flask test client."""

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
        assert rv.status_code == 201, rv.json
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
            assert rv.status_code == 200, rv.json
            seen += rv.json["data"]
            following = rv.json["links"]["next"]
            if following is None:
                return seen
            rv = self.call("GET", following)


def org_of(app, key: str):
    """The org behind a key, for tests that set what the control API would."""
    return app.extensions["kustomer_mock"].store.org(key)


def clock_of(app):
    """The mock clock of an app."""
    return app.extensions["kustomer_mock"].clock

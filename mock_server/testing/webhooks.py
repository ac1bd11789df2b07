"""A local webhook receiver for tests: records Kustomer events, checks signatures, fails or stalls on demand."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..domain.webhooks import EVENTS

SIGNATURE_HEADER = "X-Kustomer-Webhook-Signature"
EVENT_HEADER = "X-Kustomer-Webhook-Event"


def verify_signature(token: str, body: bytes, signature: str | None) -> bool:
    """Whether `signature` is the hex HMAC-SHA256 of the raw body keyed with the webhook's token."""
    expected = hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    return signature is not None and hmac.compare_digest(expected, signature)


@dataclass
class ReceivedEvent:
    """One POST the receiver got: the parsed event, the raw body, the headers, the signature check."""

    event: dict
    body: bytes
    headers: object   # the request's headers (case-insensitive .get)
    signature_valid: bool
    answered: int

    @property
    def name(self) -> str:
        """The event name (kustomer.conversation.create, ...)."""
        return self.event.get("name", "")

    @property
    def id(self) -> str:
        """The event id, the same across retries and redeliveries."""
        return self.event.get("id", "")

    @property
    def data(self) -> dict:
        """The resource, as GET /v1/... returns it."""
        return self.event.get("data") or {}


class WebhookReceiver:
    """An HTTP endpoint on a free loopback port, for one webhook registration.

    `token` is set once the webhook is registered; every event's signature is checked against it.
    `answer(500)` makes it fail, `answer(200, delay=3)` makes it slow, `answer()` heals it.
    A mock in a container reaches the test through another name: bind host="0.0.0.0" and give
    that name as `advertise` (e.g. host.docker.internal); the plugin reads both from the environment.
    """

    def __init__(self, host: str = "127.0.0.1", path: str = "/kustomer/events", advertise: str | None = None):
        self.token: str | None = None
        self.webhook_id: str | None = None
        self.events: list[ReceivedEvent] = []
        self._gate = threading.Event()
        self._gate.set()
        self.holding = 0   # POSTs held at the gate right now
        self._status, self._delay, self._remaining, self._only = 200, 0.0, None, None
        self._cond = threading.Condition()
        self._waited: set[int] = set()
        self._server = ThreadingHTTPServer((host, 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://{advertise or host}:{self._server.server_port}{path}"
        threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True).start()

    def answer(self, status: int = 200, delay: float = 0.0, times: int | None = None, event: str | None = None) -> None:
        """Answer every POST (or the next `times`; only those of `event` if given) with `status`, after `delay` s."""
        with self._cond:
            self._status, self._delay, self._remaining, self._only = status, delay, times, event

    def hold(self) -> None:
        """Hold every POST unanswered until release(): an endpoint that hangs."""
        self._gate.clear()

    def release(self) -> None:
        """Answer the held POSTs (and the next ones) again."""
        self._gate.set()

    def wait_holding(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until `count` POSTs are held at the gate."""
        __tracebackhide__ = True
        with self._cond:
            if not self._cond.wait_for(lambda: self.holding >= count, timeout):
                raise AssertionError(f"waited {timeout:g}s for {count} held POST(s); {self.holding} held")

    def _pass_gate(self) -> None:
        with self._cond:
            self.holding += 1
            self._cond.notify_all()
        self._gate.wait()
        with self._cond:
            self.holding -= 1

    def _reply(self, event: str | None) -> tuple[int, float]:
        with self._cond:
            if self._only is not None and event != self._only:
                return 200, 0.0
            status, delay = self._status, self._delay
            if self._remaining is not None:
                self._remaining -= 1
                if self._remaining <= 0:
                    self._status, self._delay, self._remaining, self._only = 200, 0.0, None, None
            return status, delay

    def _received(self, raw: bytes, headers, answered: int) -> None:
        try:
            event = json.loads(raw)
        except ValueError:
            event = {}
        valid = self.token is not None and verify_signature(self.token, raw, headers.get(SIGNATURE_HEADER))
        with self._cond:
            self.events.append(ReceivedEvent(event, raw, headers, valid, answered))
            self._cond.notify_all()

    def received(self, name: str | None = None) -> list[ReceivedEvent]:
        """Every POST so far (or those of one event name), oldest first."""
        with self._cond:
            return [e for e in self.events if name is None or e.name == name]

    def wait_for(self, name: str, timeout: float = 5.0, answered: int | None = None, **data) -> ReceivedEvent:
        """The oldest POST of `name` not returned before (answered with `answered`, data fields equal to
        `data`, e.g. id="..."), once it arrives; its signature must be valid."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for index, got in enumerate(self.events):
                    if index not in self._waited and got.name == name and _fits(got, answered, data):
                        self._waited.add(index)
                        if not got.signature_valid:
                            raise AssertionError(f"{name} {got.id}: the {SIGNATURE_HEADER} header does not match "
                                                 "the body signed with the webhook's token")
                        return got
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(f"{e.name}({e.answered})" for e in self.events) or "nothing"
                    raise AssertionError(f"waited {timeout:g}s for {name} {data or ''} at {self.url}; got {seen}")
                self._cond.wait(left)

    def close(self) -> None:
        """Stop listening."""
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _fits(got: ReceivedEvent, answered: int | None, data: dict) -> bool:
    if answered is not None and got.answered != answered:
        return False
    return all(got.data.get(k) == v for k, v in data.items())


def _handler(receiver: WebhookReceiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver._pass_gate()
            status, delay = receiver._reply(self.headers.get(EVENT_HEADER))
            if delay:
                time.sleep(delay)
            receiver._received(raw, self.headers, status)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # quiet: a test's output is not the place for access logs
            pass

    return Handler


ALL_EVENTS = list(EVENTS)

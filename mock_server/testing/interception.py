"""In-process interception: `requests` and `httpx` calls to Kustomer's API hosts answered by the mock, no server.

`responses` patches requests' transport adapter and `respx` patches httpx's transports; both hand each call
to a callback here, which runs it through the mock's WSGI app (Flask's test client: the whole pipeline,
faults, stubs and journal included) or forwards it to a running mock. Calls to any other host go through.
"""
from __future__ import annotations

import contextlib
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from ..serving import DROP_KEY

# https://{org}.api.kustomerapp.com (REST and the chat API), and the regional api[.prodN] hosts
KUSTOMER_HOSTS = re.compile(
    r"^https?://(?:[A-Za-z0-9-]+\.)?api(?:\.prod[0-9]+)?\.kustomerapp\.com(?::[0-9]+)?(?:[/?#]|$)", re.IGNORECASE)
_HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


class Dropped(Exception):
    """A drop fault: the caller's library raises its own connection error (or a timeout for `hang`)."""

    def __init__(self, kind: str):
        super().__init__(f"connection dropped by a kustomer-mock fault ({kind})")
        self.kind = kind


class AppDispatcher:
    """Runs a call through the mock's app in this process."""

    def __init__(self, app):
        self.app = app

    def __call__(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes):
        """(status, headers, body) of the app's answer, or Dropped."""
        parts = urlsplit(url)
        dropped: list[str] = []
        client = self.app.test_client(use_cookies=False)   # one per call: calls may come from many threads
        response = client.open(parts.path or "/", method=method, query_string=parts.query,
                                     base_url=f"{parts.scheme}://{parts.netloc}", data=body,
                                     headers=[(k, v) for k, v in headers if k.lower() not in _HOP_HEADERS],
                                     environ_overrides={DROP_KEY: dropped.append})
        data = response.get_data()
        if dropped:
            raise Dropped(dropped[0])
        return response.status_code, list(response.headers.items()), data


class HttpDispatcher:
    """Forwards a call to a mock that runs elsewhere (the plugin's --kustomer-mock-url)."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.url, self.timeout = url.rstrip("/"), timeout

    def __call__(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes):
        """(status, headers, body) of the mock's answer, or Dropped."""
        parts = urlsplit(url)
        target = self.url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = {k: v for k, v in headers if k.lower() not in _HOP_HEADERS}
        request = urllib.request.Request(target, data=body or None, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return answer.status, list(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, list(error.headers.items()), error.read()
        except (urllib.error.URLError, OSError):
            raise Dropped("reset") from None


class Interception(contextlib.ContextDecorator):
    """Routes requests and httpx calls to Kustomer's API hosts into a mock; a context manager and a decorator.

    `app`: the mock to answer (default: a fresh one, `create_app(config)`); `url`: forward to a running mock
    instead; `key`: answer every call as this API key's org, whatever key the code under test sends.
    """

    def __init__(self, app=None, *, url: str | None = None, key: str | None = None, config: dict | None = None):
        if app is None and url is None:
            from .. import create_app
            app = create_app(config)
        self.app, self.key = app, key
        self.dispatch = AppDispatcher(app) if app is not None else HttpDispatcher(url)
        self._stack: contextlib.ExitStack | None = None

    # -- the patches -------------------------------------------------------------------------

    def __enter__(self) -> "Interception":
        stack = contextlib.ExitStack()
        try:
            for patch in (self._patch_requests, self._patch_httpx):
                patch(stack)
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return self

    def __exit__(self, *exc) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    def _patch_requests(self, stack: contextlib.ExitStack) -> None:
        try:
            import responses
        except ImportError:  # requests (or responses) is not installed: nothing to route
            return
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            mock.add_callback(method, KUSTOMER_HOSTS, callback=self._requests_answer, content_type=None)
        mock.add_passthru(re.compile(r"^(?!" + KUSTOMER_HOSTS.pattern[1:] + ")", re.IGNORECASE))
        stack.enter_context(mock)

    def _patch_httpx(self, stack: contextlib.ExitStack) -> None:
        try:
            import respx
        except ImportError:  # httpx (or respx) is not installed: nothing to route
            return
        router = respx.MockRouter(assert_all_called=False, assert_all_mocked=False)
        router.route(url__regex=KUSTOMER_HOSTS.pattern).mock(side_effect=self._httpx_answer)
        router.route().pass_through()
        stack.enter_context(router)

    # -- one call ----------------------------------------------------------------------------

    def _headers(self, headers) -> list[tuple[str, str]]:
        items = [(k, v) for k, v in headers.items() if not (self.key and k.lower() == "authorization")]
        return items + [("Authorization", f"Bearer {self.key}")] if self.key else items

    def _requests_answer(self, request):
        import requests
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):   # a generator (chunked upload)
            body = b"".join(part.encode() if isinstance(part, str) else part for part in body)
        try:
            return self.dispatch(request.method, request.url, self._headers(request.headers), body)
        except Dropped as dropped:
            error = requests.exceptions.ReadTimeout if dropped.kind == "hang" else requests.exceptions.ConnectionError
            return error(str(dropped), request=request)

    def _httpx_answer(self, request):
        import httpx
        try:
            status, headers, data = self.dispatch(request.method, str(request.url), self._headers(request.headers),
                                                  request.read())
        except Dropped as dropped:
            error = httpx.ReadTimeout if dropped.kind == "hang" else httpx.RemoteProtocolError
            raise error(str(dropped), request=request) from None
        return httpx.Response(status, headers=[(k, v) for k, v in headers if k.lower() != "content-length"],
                              content=data)

    # -- what a test asks of the mock ----------------------------------------------------------

    @property
    def admin(self):
        """The control API of this mock, in process (a MockClient without a socket)."""
        from .inprocess import InProcessClient
        return InProcessClient(self.app)

    def org(self, key: str):
        """The helpers of the plugin's `kustomer_mock` (journal assertions, faults, stubs, agent) for KEY's org."""
        from .inprocess import InProcessOrg
        return InProcessOrg(self.app, key)

    def requests(self, **filters) -> list[dict]:
        """The journal (every org, or filtered by operation=, org=, status=), oldest first."""
        return self.admin.requests(**filters)["requests"]

"""Serving the app over HTTP: the production server (waitress) or werkzeug, in front or on a thread."""
from __future__ import annotations

import threading

SERVERS = ("waitress", "werkzeug")


class Server:
    """A bound server (the port is known before it serves) for one WSGI app."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, kind: str = "waitress", threads: int = 32):
        self.kind = kind
        if kind == "waitress":
            from waitress import create_server
            # channel_timeout bounds idle keep-alive sockets; connection_limit leaves room for event streams
            self._server = create_server(app, host=host, port=port, threads=threads, connection_limit=1000,
                                         channel_timeout=120, ident="kustomer-mock", clear_untrusted_proxy_headers=True)
            self.port = self._server.effective_port
        elif kind == "werkzeug":
            from werkzeug.serving import make_server
            self._server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
            self.port = self._server.server_port
        else:
            raise ValueError(f"unknown server {kind!r}; known: {', '.join(SERVERS)}")
        self.host = host
        self.url = f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until shutdown() is called."""
        if self.kind == "waitress":
            self._server.run()
        else:
            self._server.serve_forever()

    def shutdown(self) -> None:
        """Stop serving and close the listening socket."""
        if self.kind == "waitress":
            self._server.close()
        else:
            self._server.shutdown()
            self._server.server_close()


try:
    from werkzeug.serving import WSGIRequestHandler as _Handler
except ImportError:  # pragma: no cover - werkzeug comes with Flask
    _Handler = object


class _QuietHandler(_Handler):
    """werkzeug's handler without a log line per request (the journal records requests)."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the production server

    def log_request(self, *args, **kwargs):
        pass


class ServerThread:
    """Serve the app on a free port from a daemon thread (bound on the caller's thread)."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, kind: str = "werkzeug"):
        self.server = Server(app, host, port, kind)
        self.url = self.server.url
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="kustomer-mock")

    def start(self) -> "ServerThread":
        """Start serving in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.shutdown()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

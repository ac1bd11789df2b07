"""Serving the app over HTTP: the production server (waitress) or werkzeug, in front or on a thread.

Both servers put two keys in every WSGI environ so faults can act on the connection itself:
SOCKET_KEY (the client socket) and DROP_KEY (a callable: drop("reset") or drop("empty") makes the
server close the connection without writing the response the app returns).

waitress also puts HANDOFF_KEY (a callable): an event stream calls it, and once its response has started
its connection leaves waitress (its socket map and its worker thread) and a thread of the mock's own
writes the stream (handoff.py). werkzeug has no such key: its streams keep their server thread.
"""
from __future__ import annotations

import functools
import select
import socket
import struct
import threading
import time

from .handoff import HANDOFF_KEY, SEND_SECONDS, HandOff, Streams, handing_off, head

SERVERS = ("waitress", "werkzeug")
SOCKET_KEY, DROP_KEY = "kustomer_mock.socket", "kustomer_mock.drop"
DROP_KINDS = ("reset", "empty")
_LINGER_ZERO = struct.pack("ii", 1, 0)  # close() then sends RST instead of FIN


def client_gone(sock) -> bool:
    """Whether the peer of `sock` has closed or reset its end (peeks; never consumes data).

    poll(), not select(): select() refuses a descriptor past 1023, which a process holding a thousand
    streams reaches, and would take every such client for gone.
    """
    try:
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        readable = poller.poll(0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except (OSError, ValueError):
        return True


def _arm(sock, kind: str) -> None:
    if kind not in DROP_KINDS:
        raise ValueError(f"unknown drop {kind!r}; known: {', '.join(DROP_KINDS)}")
    if kind == "reset":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_ZERO)


class Server:
    """A bound server (the port is known before it serves) for one WSGI app.

    `sock`: a listening socket to serve instead of binding (serve --workers: every worker accepts on the
    socket its parent bound).
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, kind: str = "waitress",
                 threads: int | None = None, sock: socket.socket | None = None):
        self.kind = kind
        self.app = app
        self.streams = Streams()   # event streams handed off by waitress
        threads = threads or int(app.config.get("THREADS", 32))
        if kind == "waitress":
            from waitress import create_server
            # channel_timeout bounds idle keep-alive sockets; a started event stream leaves waitress's
            # connections (handoff.py), so connection_limit counts plain calls and streams still starting
            # the app answers headers over MAX_HEADER_BYTES with a JSON 431; waitress refuses twice that itself
            header_cap = 2 * int(app.config.get("MAX_HEADER_BYTES") or 64 * 1024)
            # poll(), not select(): select() cannot watch a descriptor past 1024, and every open event
            # stream holds a descriptor of the process
            where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
            self._server = create_server(handing_off(app), **where, threads=threads,
                                         connection_limit=max(1000, 2 * threads), asyncore_use_poll=True,
                                         channel_timeout=120, ident="kustomer-mock", clear_untrusted_proxy_headers=True,
                                         max_request_header_size=header_cap)
            self.port = self._server.effective_port
            _use_drop_channels(self._server, self.streams)
        elif kind == "werkzeug":
            from werkzeug.serving import make_server
            if sock is not None:
                sock.setblocking(False)   # a worker that loses the race for a connection must not block in accept()
            self._server = make_server(host, port, app, threaded=True, request_handler=_DropHandler,
                                       fd=None if sock is None else sock.fileno())
            self.port = self._server.server_address[1]   # server_port: only when werkzeug binds itself
        else:
            raise ValueError(f"unknown server {kind!r}; known: {', '.join(SERVERS)}")
        self.host = host
        self.url = f"http://{host}:{self.port}"
        self._serving = threading.Event()

    def serve_forever(self) -> None:
        """Serve until shutdown() is called."""
        self._serving.set()
        try:
            if self.kind == "waitress":
                self._server.run()
            else:
                self._server.serve_forever()
        finally:
            # the loop ended (shutdown, or a signal raised in its thread, as under `serve`): nothing runs
            # its trigger any more, so shutdown() closes the sockets itself instead of waiting for it
            self._serving.clear()

    def shutdown(self) -> None:
        """End open event streams, stop serving and close the listening socket."""
        from .state import get_state   # the state's parts import this module for its environ keys
        get_state(self.app).close()
        self._wait_for_streams(seconds=1.0)
        self.streams.close(seconds=0.5)
        if self.kind == "waitress":
            self._close_waitress()
        else:
            self._server.shutdown()
            self._server.server_close()

    def _close_waitress(self) -> None:
        # closing waitress's sockets from this thread while its loop selects on them makes the loop
        # fail with EBADF: the loop's own thread closes them instead (its trigger runs the thunk there)
        server = self._server
        server.task_dispatcher.shutdown()
        from waitress import trigger as triggers
        from waitress import wasyncore
        maps = getattr(server, "map", None) or getattr(server, "_map", None) or {}
        trigger = next((d for d in list(maps.values()) if isinstance(d, triggers.trigger)), None)
        if not self._serving.is_set() or trigger is None:
            if maps:
                wasyncore.close_all(maps)   # the loop is not running: its sockets are ours to close
            else:
                server.close()
            return
        closed = threading.Event()

        def close_all():
            try:
                wasyncore.close_all(maps)   # the map empties, so the loop (serve_forever) returns
            finally:
                closed.set()
        try:
            trigger.pull_trigger(close_all)
        except OSError:   # the trigger is already closed: the loop is ending on its own; close the rest here
            wasyncore.close_all(maps)
            return
        closed.wait(timeout=5)

    def _wait_for_streams(self, seconds: float) -> None:
        # ended streams still write their last bytes; closing the server under them logs EBADF noise
        slots = self.app.extensions.get("kustomer_mock_streams")
        if slots is None or not slots.open:
            return
        deadline = time.monotonic() + seconds
        while slots.open and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)  # the slot is released before waitress flushes the stream's last chunk


try:
    from werkzeug.serving import WSGIRequestHandler as _Handler
except ImportError:  # pragma: no cover - werkzeug comes with Flask
    _Handler = object


class _QuietHandler(_Handler):
    """werkzeug's handler without a log line per request (the journal records requests)."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the production server

    def log_request(self, *args, **kwargs):
        pass


class _Sink:
    """A write end that swallows what werkzeug writes after a drop."""

    closed = False

    def write(self, data):
        return len(data)

    def flush(self):
        pass

    def close(self):
        self.closed = True


class _DropHandler(_QuietHandler):
    """werkzeug's handler that exposes its socket and can close it without answering."""

    dropped = None

    def make_environ(self):
        environ = super().make_environ()
        environ[SOCKET_KEY], environ[DROP_KEY] = self.connection, self._drop
        return environ

    def _drop(self, kind: str) -> None:
        _arm(self.connection, kind)
        self.dropped, self.wfile, self.close_connection = kind, _Sink(), True

    def finish(self):
        super().finish()
        if self.dropped == "reset":
            # close now (the files are closed, so this closes the fd): socketserver would send FIN first
            self.connection.close()


def _use_drop_channels(server, streams: Streams) -> None:
    """Make every listener of a waitress server use the channel whose tasks can drop and hand off."""
    from waitress.server import BaseWSGIServer
    listeners = [server] if isinstance(server, BaseWSGIServer) else list(server.map.values())
    for listener in listeners:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = _waitress_classes()[0]
            listener.kustomer_mock_streams = streams


@functools.lru_cache(maxsize=None)
def _waitress_classes():
    """The waitress channel and task that expose the socket and drop (made once, on first use)."""
    from waitress.channel import HTTPChannel
    from waitress.task import WSGITask

    class DropTask(WSGITask):
        """A waitress task whose app may ask to close the connection instead of answering."""

        dropped = None

        def get_environment(self):
            environ = super().get_environment()
            if HANDOFF_KEY not in environ:   # waitress caches the environ: one hand-off per task
                environ[SOCKET_KEY], environ[DROP_KEY] = self.channel.socket, self._drop
                environ[HANDOFF_KEY] = HandOff(self)
            return environ

        def hand_off(self, body):
            """Give the connection and `body` to a thread of our own; answers what waitress still writes."""
            if self.dropped or not (self.complete and self.status.startswith("200")
                                    and self.request.command == "GET"):
                return body
            if self.channel.total_outbufs_len:   # a pipelined answer still queued would land inside the stream
                return body
            try:
                sock = self.channel.socket.dup()
            except (OSError, AttributeError):   # the connection is already gone (or closed by shutdown)
                return body
            sock.settimeout(SEND_SECONDS)
            # the stream watches OUR descriptor (it starts on our thread): waitress closes its own after this task
            self.environ[SOCKET_KEY] = sock
            first = head(self.version, self.status, self.response_headers, self.channel.server.adj.ident)
            if not self.channel.server.kustomer_mock_streams.start(sock, first, body, chunked=self.version != "1.0"):
                self.environ[SOCKET_KEY] = self.channel.socket
                sock.close()
                return body
            # waitress writes nothing and closes its descriptor (close(), never shutdown()): ours keeps
            # the connection open, out of waitress's socket map
            self.dropped, self.close_on_finish = "handoff", True
            return ()

        def _drop(self, kind: str) -> None:
            _arm(self.channel.socket, kind)
            # the channel closes the socket on its own (I/O) thread once this task ends
            self.dropped, self.close_on_finish = kind, True

        def write(self, data):
            if self.dropped:
                self.content_bytes_written += len(data)  # swallowed, counted: no short-body warning
                return
            super().write(data)

        def finish(self):
            if not self.dropped:
                super().finish()

    class DropChannel(HTTPChannel):
        """waitress's channel with DropTask."""

        task_class = DropTask

    return DropChannel, DropTask


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

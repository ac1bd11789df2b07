"""Event streams handed off by waitress: written by threads of the mock's own, not by waitress.

waitress's I/O loop asks every connection it holds whether it is readable or writable on every pass, in
Python, and passes at least once per request: a thousand open streams made every plain call slower
(docs/benchmarks.md, Streams). Once a stream's response has started, its connection therefore leaves
waitress (its socket map and its worker thread): the task duplicates the client socket, waitress writes
nothing and closes its own descriptor, and a daemon thread here writes the head and the stream on the
duplicate, then closes it. The connection ends with the body (`Connection: close`); the body stays
chunked for HTTP/1.1 (as waitress sends it: clients read each event as it comes, not a buffer's worth).
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from email.utils import formatdate

HANDOFF_KEY = "kustomer_mock.handoff"   # in waitress's environ: a HandOff
SEND_SECONDS = 60.0   # a client that takes nothing for this long is dropped (a send would block for ever)
_NOT_PASSED = ("connection", "keep-alive", "transfer-encoding", "content-length")  # the connection's own
logger = logging.getLogger(__name__)


class HandOff:
    """A request's way to ask for the hand-off (the stream view calls it); the task reads `asked`."""

    __slots__ = ("task", "asked")

    def __init__(self, task):
        self.task, self.asked = task, False

    def __call__(self) -> None:
        """Ask that the response, once started with a 200, leave waitress for a thread of the mock's own."""
        self.asked = True


def handing_off(app):
    """The WSGI app waitress serves: `app`, whose answer goes to a thread of our own when it asked for it."""
    def application(environ, start_response):
        body = app(environ, start_response)
        ask = environ.get(HANDOFF_KEY)
        # the app has returned: start_response has been called, so the task holds status and headers
        return ask.task.hand_off(body) if ask is not None and ask.asked else body
    return application


def head(version: str, status: str, headers: list[tuple[str, str]], ident: str) -> bytes:
    """The head of a handed-off stream: the app's status and headers, Date, Server, Connection: close, chunking."""
    names = {name.lower() for name, _ in headers}
    lines = [f"HTTP/{version} {status}"]
    lines += [f"{name}: {value}" for name, value in headers if name.lower() not in _NOT_PASSED]
    if "date" not in names:
        lines.append(f"Date: {formatdate(usegmt=True)}")
    if "server" not in names:
        lines.append(f"Server: {ident}")
    lines.append("Connection: close")
    if version != "1.0":
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Streams:
    """The handed-off streams of one server, each written by a daemon thread of its own."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}

    @property
    def open(self) -> int:
        """Handed-off streams whose thread has not ended yet."""
        return len(self._open)

    def start(self, sock: socket.socket, first: bytes, body, chunked: bool) -> bool:
        """Write `first` (the head) and `body` on `sock` from a new thread, then close both; False: no thread."""
        thread = threading.Thread(target=self._write, args=(sock, first, body, chunked), daemon=True,
                                  name="kustomer-mock-stream")
        with self._lock:
            self._open[sock] = thread
        try:
            thread.start()
        except RuntimeError:   # no thread to be had: the server writes this stream itself
            with self._lock:
                self._open.pop(sock, None)
            return False
        return True

    def _write(self, sock: socket.socket, first: bytes, body, chunked: bool) -> None:
        try:
            # the head goes with the first chunk, as waitress sends it: by then the stream holds its slot
            for chunk in body:
                if chunk:
                    sock.sendall(first + (b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk))
                    first = b""
            sock.sendall(first + (b"0\r\n\r\n" if chunked else b""))   # the end: the body ended on its own
        except OSError:
            pass   # the client left, did not read for SEND_SECONDS, or the server is stopping
        except Exception:   # a stream that fails must still give its slot and its socket back
            logger.exception("event stream failed")
        finally:
            self._end(sock, body)

    def _end(self, sock: socket.socket, body) -> None:
        try:
            close = getattr(body, "close", None)
            if close is not None:
                close()   # the stream's own `finally`: its slot, its hangup watch
        except Exception:
            logger.exception("closing an event stream failed")
        finally:
            with self._lock:
                self._open.pop(sock, None)
            sock.close()   # FIN: the body ends with the connection

    def close(self, seconds: float) -> None:
        """Wait up to `seconds` for the streams to end on their own, then cut the sockets of those left."""
        deadline = time.monotonic() + seconds
        while self._open and time.monotonic() < deadline:
            time.sleep(0.01)
        with self._lock:
            left = list(self._open.items())
        for sock, _ in left:
            try:
                sock.shutdown(socket.SHUT_RDWR)   # a blocked send fails, the hangup watch wakes the stream
            except OSError:
                pass   # it closed meanwhile
        for _, thread in left:
            thread.join(timeout=0.5)

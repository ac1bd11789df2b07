"""`serve --workers N`: N worker processes accepting on one listening socket, supervised by the parent.

The parent binds the socket (so `--port 0` has one real port), then starts each worker as
`python -m mock_server serve --as-worker LISTEN_FD,CONTROL_FD,ROLE` (the options in its environment): a
fresh interpreter that inherits the socket (no fork of a process holding threads or Redis connections).
Over its end of a socket pair a worker says `ready` (or `error CODE LINE`) once its app is built and its
server bound, then waits for `go`; the parent sends `go` to all once all are ready, so no worker serves before the first one imported the
--state-file. A worker that dies is started again; SIGTERM or SIGINT stops them all. A worker whose
parent went away (its end of the pair closes) stops itself.

What must happen once is the first worker's (its ROLE): importing the --state-file at the first boot only
("first"; a restarted first worker is "lead" and does not import, or it would undo what was written since),
saving every --save-every seconds and on stop ("first" and "lead"). Every worker answers
`POST /__admin/state/save` (the orgs are shared, any worker writes the same file). The --faults scenario is
loaded by every worker: fault rules are kept per process (docs/redis.md).
"""
from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import click

FIRST, LEAD, PLAIN = "first", "lead", "plain"
BOOT_SECONDS = 120       # a worker not ready by then fails the boot
STOP_SECONDS = 60        # a stopping worker saving a big state may take this long; then it is killed
QUICK_DEATH_SECONDS = 10  # a worker that dies sooner than this after its start is restarted after a pause


def refuse_memory(store: str, workers: int) -> None:
    """One line (exit 2) when several workers would each keep orgs of their own."""
    if workers > 1 and store == "memory":
        error = click.ClickException(
            f"--workers {workers} needs a shared store: with --store memory each worker would keep orgs of its "
            "own and a call would see another call's writes or not by chance; pass --store redis://HOST:PORT/DB "
            "(docs/redis.md) or --workers 1")
        error.exit_code = 2
        raise error


def listen(host: str, port: int) -> socket.socket:
    """The listening socket every worker accepts on (raises OSError as bind would)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def worker_command(listen_fd: int, control_fd: int, role: str) -> list[str]:
    """The command line of one worker (its options come in its environment: worker_environment)."""
    return [sys.executable, "-m", "mock_server", "serve", "--as-worker", f"{listen_fd},{control_fd},{role}"]


def worker_environment(serve, params: dict) -> dict:
    """This environment with every serve option set to what the parent was given, as KUSTOMER_MOCK_<NAME>.

    The environment rather than the command line: an --admin-token stays out of `ps`.
    """
    environment = dict(os.environ)
    for option in serve.params:
        name, value = getattr(option, "envvar", None), params.get(option.name)
        if not isinstance(name, str):
            continue
        if value is None or option.name == "workers":
            environment.pop(name, None)
        else:
            environment[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return environment


@dataclass
class Worker:
    """One worker process and the parent's end of its control pair."""

    slot: int
    process: subprocess.Popen
    control: socket.socket
    started: float = field(default_factory=time.monotonic)
    ready: bool = False
    said: bytes = b""

    def read(self) -> list[str]:
        """The whole lines the worker sent since the last read."""
        try:
            chunk = self.control.recv(4096)
        except OSError:
            chunk = b""
        self.said += chunk
        *lines, self.said = self.said.split(b"\n")
        return [line.decode("utf-8", "replace") for line in lines]


class Supervisor:
    """Start, watch, restart and stop the workers of one `serve --workers N`."""

    def __init__(self, serve, params: dict, sock: socket.socket):
        self.serve, self.params, self.sock = serve, params, sock
        self.workers: dict[int, Worker] = {}
        self.quick_deaths: dict[int, int] = {}
        self.pending: dict[int, float] = {}   # slot -> when to start it again
        self.stopping = False
        self.selector = selectors.DefaultSelector()

    def spawn(self, slot: int, role: str) -> Worker:
        """Start the worker of `slot`."""
        parent_end, child_end = socket.socketpair()
        command = worker_command(self.sock.fileno(), child_end.fileno(), role)
        process = subprocess.Popen(command, pass_fds=(self.sock.fileno(), child_end.fileno()),
                                   env=worker_environment(self.serve, self.params), process_group=0)
        child_end.close()
        worker = self.workers[slot] = Worker(slot, process, parent_end)
        self.selector.register(parent_end, selectors.EVENT_READ, worker)
        return worker

    def boot(self, count: int) -> bool:
        """Start `count` workers and let them serve once all are ready (False: stopped by a signal meanwhile);
        a failing worker's line and exit code otherwise."""
        for slot in range(count):
            self.spawn(slot, FIRST if slot == 0 else PLAIN)
        deadline = time.monotonic() + BOOT_SECONDS
        while not all(w.ready for w in self.workers.values()):
            failure = self._boot_failure(deadline)
            for worker, lines in [] if failure or self.stopping else self._messages(0.1):
                failure = failure or next(filter(None, (self._note(worker, line) for line in lines)), None)
            if failure or self.stopping:
                self.stop()
                if failure:
                    raise failure
                return False
        for worker in self.workers.values():
            worker.control.sendall(b"go\n")
        return True

    def _boot_failure(self, deadline: float) -> click.ClickException | None:
        for worker in self.workers.values():
            code = worker.process.poll()
            if code is not None and not worker.ready:
                return _failed(f"worker {worker.slot} exited with {_how(code)} before it was ready", code or 1)
        if time.monotonic() > deadline:
            return _failed(f"the workers were not ready within {BOOT_SECONDS} s", 1)
        return None

    def _note(self, worker: Worker, line: str) -> click.ClickException | None:
        """Act on one line of a worker: `ready`, or `error CODE LINE` (a boot failure)."""
        if line == "ready":
            worker.ready = True
            return None
        if line.startswith("error "):
            code, _, message = line[6:].partition(" ")
            return _failed(message, int(code))
        return None

    def _messages(self, timeout: float) -> list[tuple[Worker, list[str]]]:
        try:
            events = self.selector.select(timeout)
        except InterruptedError:
            return []
        return [(key.data, key.data.read()) for key, _ in events]

    def watch(self) -> None:
        """Until SIGTERM or SIGINT: start again every worker that dies, and let it serve once it is ready."""
        while not self.stopping:
            for worker, lines in self._messages(0.2):
                for line in lines:
                    self._restarted(worker, line)
            now = time.monotonic()
            for worker in list(self.workers.values()):
                code = worker.process.poll()
                if code is not None and worker.slot not in self.pending:
                    self._lost(worker, code, now)
            for slot, when in list(self.pending.items()):
                if now >= when and not self.stopping:
                    del self.pending[slot]
                    worker = self.spawn(slot, LEAD if slot == 0 else PLAIN)

    def _restarted(self, worker: Worker, line: str) -> None:
        failure = self._note(worker, line)
        if failure is not None:
            _say(f"kustomer-mock worker {worker.slot} could not start: {failure.message}")
        elif worker.ready:
            worker.control.sendall(b"go\n")
            _say(f"kustomer-mock worker {worker.slot} started again (pid {worker.process.pid})")

    def _lost(self, worker: Worker, code: int, now: float) -> None:
        self.selector.unregister(worker.control)
        worker.control.close()
        quick = now - worker.started < QUICK_DEATH_SECONDS
        self.quick_deaths[worker.slot] = self.quick_deaths.get(worker.slot, 0) + 1 if quick else 0
        pause = min(10.0, 0.5 * 2 ** (self.quick_deaths[worker.slot] - 1)) if quick else 0.0
        self.pending[worker.slot] = now + pause
        _say(f"kustomer-mock worker {worker.slot} (pid {worker.process.pid}) exited with {_how(code)}; "
             f"starting it again" + (f" in {pause:g} s" if pause else ""))

    def stop(self) -> None:
        """SIGTERM to every worker, then wait for each (SIGKILL after STOP_SECONDS)."""
        self.stopping = True
        for worker in self.workers.values():
            if worker.process.poll() is None:
                worker.process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for worker in self.workers.values():
            try:
                worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            worker.control.close()
        self.selector.close()

    def pids(self) -> list[int]:
        """The workers' process ids, by slot."""
        return [self.workers[slot].process.pid for slot in sorted(self.workers)]


def supervise(serve, params: dict, sock: socket.socket, url: str) -> None:
    """Run `serve --workers N` until SIGTERM or SIGINT: boot, print the listening line, watch, stop."""
    supervisor = Supervisor(serve, params, sock)

    def stop(signum, frame):
        supervisor.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        if supervisor.boot(params["workers"]):
            click.echo(f"kustomer-mock listening on {url}")
            click.echo(f"kustomer-mock workers: {params['workers']} (pids {', '.join(map(str, supervisor.pids()))})")
            sys.stdout.flush()
            supervisor.watch()
            supervisor.stop()
    finally:
        sock.close()
    click.echo("kustomer-mock stopped")


class WorkerLink:
    """A worker's end of its control pair: say ready (or why not), wait for go, stop when the parent goes."""

    def __init__(self, as_worker: str):
        listen_fd, control_fd, self.role = as_worker.split(",")
        self.sock = socket.socket(fileno=int(listen_fd))
        self.control = socket.socket(fileno=int(control_fd))

    @property
    def loads_state(self) -> bool:
        """Whether this worker imports the --state-file at boot (the first worker's first boot)."""
        return self.role == FIRST

    @property
    def saves_state(self) -> bool:
        """Whether this worker saves the --state-file periodically and on stop."""
        return self.role in (FIRST, LEAD)

    def fail(self, error: click.ClickException) -> None:
        """Tell the parent why this worker cannot start (it prints the line once), then exit with its code."""
        line = " ".join(error.format_message().split())
        self.control.sendall(f"error {error.exit_code} {line}\n".encode())
        raise click.exceptions.Exit(error.exit_code)

    def ready(self) -> None:
        """Say ready and wait for go; once going, a closed pair (the parent died) stops this worker."""
        self.control.sendall(b"ready\n")
        if not self.control.recv(16).startswith(b"go"):
            raise click.exceptions.Exit(0)   # the parent went away or stops: nothing was served yet
        threading.Thread(target=self._watch_parent, daemon=True, name="kustomer-mock-parent").start()

    def _watch_parent(self) -> None:
        try:
            while self.control.recv(16):
                pass
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGTERM)


def _failed(message: str, code: int) -> click.ClickException:
    error = click.ClickException(message)
    error.exit_code = code
    return error


def _how(code: int) -> str:
    return f"signal {-code}" if code < 0 else f"code {code}"


def _say(line: str) -> None:
    click.echo(line, err=True)

"""The kustomer-mock command: serve the mock, and (over the control API) drive it."""
from __future__ import annotations

import errno
import logging
import signal
import socket
import sys
from typing import Sequence

import click

from .. import requestlog
from ..config import DefaultSettings
from ..events import slot_limit
from ..serving import SERVERS, Server
from . import admin, control, identity, stubs, webhooks
from .workers import WorkerLink, listen, refuse_memory, supervise


def env(name: str) -> str:
    """The environment variable that sets a flag: KUSTOMER_MOCK_<NAME>."""
    return f"KUSTOMER_MOCK_{name.upper()}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kustomer-mock", message="kustomer-mock %(version)s")
def cli():
    """kustomer-mock: a local, stateful mock of the Kustomer chat backend."""


@cli.command()
@click.option("--host", envvar=env("host"), default=DefaultSettings.HOST, show_default=True, help="Address to bind.")
@click.option("--port", envvar=env("port"), default=DefaultSettings.PORT, type=int, show_default=True,
              help="Port; 0 picks a free one.")
@click.option("--seed", envvar=env("seed"), default=DefaultSettings.SEED, type=int, show_default=True,
              help="Seed of generated data.")
@click.option("--fixtures", envvar=env("fixtures"), type=click.Path(exists=True, file_okay=False),
              help="Folder of fixture YAML files.")
@click.option("--threads", envvar=env("threads"), default=DefaultSettings.THREADS, type=int, show_default=True,
              help="Worker threads.")
@click.option("--server", "server_kind", envvar=env("server"), type=click.Choice(SERVERS), default="waitress",
              show_default=True, help="WSGI server.")
@click.option("--admin-token", envvar=env("admin_token"),
              help="Require 'Authorization: Bearer TOKEN' on every /__admin call but GET /__admin/health.")
@click.option("--insecure-admin", is_flag=True, envvar=env("insecure_admin"),
              help="Serve on a non-loopback address without an admin token anyway.")
@click.option("--cors-origins", envvar=env("cors_origins"),
              help="Comma-separated origins browsers may call from (default: any, on /c/ and /chat-web/ only).")
@click.option("--faults", envvar=env("faults"), help="Fault scenario to load at boot: a bundled name or a YAML file.")
@click.option("--state-file", envvar=env("state_file"), type=click.Path(dir_okay=False),
              help="JSON state loaded at boot (if it exists) and saved on shutdown.")
@click.option("--quiet", "-q", is_flag=True, envvar=env("quiet"), help="No log line per request.")
@click.option("--log-format", envvar=env("log_format"), type=click.Choice(requestlog.FORMATS), default="text",
              show_default=True, help="Log lines as text, or as JSON objects (one per line).")
@click.option("--save-every", envvar=env("save_every"), type=click.FloatRange(min=0), default=0,
              help="Also save the --state-file every N seconds while serving (a crash loses at most N seconds).")
@click.option("--org-idle-seconds", envvar=env("org_idle_seconds"), type=click.FloatRange(min=0), default=0,
              help="Drop an org after N seconds without a call; its next call rebuilds it (0: never).")
@click.option("--store", envvar=env("store"), default=DefaultSettings.STORE, show_default=True,
              callback=lambda ctx, param, value: _check_store(value),
              help="Where orgs live: memory (this process), or redis://HOST:PORT/DB to share them between "
                   "processes (docs/redis.md).")
@click.option("--workers", envvar=env("workers"), type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes serving one port; more than 1 needs --store redis://... (docs/redis.md).")
@click.option("--as-worker", hidden=True, help="Internal: serve as one worker of `serve --workers N`.")
def serve(host, port, seed, fixtures, threads, server_kind, admin_token, insecure_admin, cors_origins, faults,
          state_file, quiet, log_format, save_every, org_idle_seconds, store, workers, as_worker):
    """Serve the mock until SIGINT or SIGTERM."""
    from ..security import bind_refusal
    refusal = bind_refusal(host, admin_token, insecure_admin)
    if refusal:
        error = click.ClickException(refusal)
        error.exit_code = 2
        raise error
    if workers > 1 and not as_worker:
        refuse_memory(store, workers)
        sock = _bind(lambda: listen(host, port), host, port)
        url = f"http://{host}:{sock.getsockname()[1]}"
        return supervise(serve, click.get_current_context().params, sock, url)
    worker = WorkerLink(as_worker) if as_worker else None
    try:
        app = _make_app(host, port, seed, fixtures, threads, admin_token, cors_origins, faults,
                        state_file if worker is None or worker.loads_state else None, save_every,
                        org_idle_seconds, store)
    except click.ClickException as error:
        if worker is None:
            raise
        worker.fail(error)
    app.config["STATE_FILE"] = state_file   # every worker answers POST /__admin/state/save
    if not quiet:
        requestlog.init_app(app, log_format)
    if worker is None:
        server = _bind(lambda: Server(app, host, port, server_kind, threads), host, port)
    else:
        server = Server(app, host, port, server_kind, threads, sock=worker.sock)
    _run(app, server, worker, save_every)


def _run(app, server: Server, worker, save_every: float) -> None:
    """Serve until SIGTERM or SIGINT, then stop: streams end, the state file is saved (by one worker of N)."""
    _settle_heap()
    _raise_open_files(slot_limit(app.config) + 4 * int(app.config["THREADS"]) + 256)
    _stop_on_signals(once=worker is not None)
    # waitress warns "Task queue depth is N" whenever a call waits for a thread for a moment (a loaded
    # machine, the first calls before every thread runs): noise between the request lines of the log
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    saves = worker is None or worker.saves_state
    saving = _save_periodically(app, app.config["STATE_FILE"] if saves else None, save_every)
    if worker is None:
        click.echo(f"kustomer-mock listening on {server.url}")
        sys.stdout.flush()
    else:
        worker.ready()
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        saving.set()
        server.shutdown()
        requestlog.flush(app)
        if saves:
            _save_state(app)
        if worker is None:
            click.echo("kustomer-mock stopped")


def _raise_open_files(wanted: int) -> None:
    """Let the process hold `wanted` descriptors where the hard limit allows: every open stream holds one.

    Many systems start a process with a soft limit of 1,024, below STREAM_SLOTS' 1,000 streams and the
    calls beside them; the hard limit is the system's real bound, and raising the soft one needs no right.
    """
    try:
        import resource
    except ImportError:   # not a Unix
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if sys.platform == "darwin":
        target = min(target, 10240)   # macOS refuses a soft limit past OPEN_MAX, whatever the hard limit says
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):   # a sandbox may refuse it: serve with the limit it has
            pass


def _make_app(host, port, seed, fixtures, threads, admin_token, cors_origins, faults, state_file, save_every,
              org_idle_seconds, store):
    """The app `serve` serves, or one line for what stops it (a bad scenario, state file or fixture)."""
    from .. import create_app
    from ..domain.errors import ApiError
    from ..domain.fixtures import FixtureError
    try:
        return create_app({"HOST": host, "PORT": port, "SEED": seed, "FIXTURES": fixtures, "THREADS": threads,
                           "ADMIN_TOKEN": admin_token, "CORS_ORIGINS": cors_origins, "FAULTS": faults,
                           "STATE_FILE": state_file, "SAVE_EVERY": save_every,
                           "ORG_IDLE_SECONDS": org_idle_seconds, "STORE": store})
    except ApiError as error:  # a bad --faults scenario or --state-file, a Redis that does not answer
        raise click.ClickException(error.detail) from None
    except FixtureError as error:  # one line naming the file and the fault, not a traceback
        failed = click.ClickException("fixtures: " + " ".join(str(error).split()))
        failed.exit_code = 2
        raise failed from None


def _check_store(value: str) -> str:
    from ..store import REDIS_SCHEMES
    if value != "memory" and not value.startswith(REDIS_SCHEMES):
        raise click.BadParameter(f"{value!r} is neither memory nor a Redis URL (redis://HOST:PORT/DB)")
    return value


def _bind(make, host: str, port: int):
    """What make() binds (a server, or the workers' socket), or one line (exit 2) when the port is taken or refused."""
    try:
        if port:
            _probe(host, port)  # werkzeug would print two lines of its own and exit 1
        return make()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            reason = f"port {port} on {host} is already in use: pass --port 0 to pick a free port " \
                     "(or stop what listens there)"
        else:
            reason = f"cannot listen on {host}:{port}: {error.strerror or error}"
        failed = click.ClickException(reason)
        failed.exit_code = 2
        raise failed from None


def _probe(host: str, port: int) -> None:
    """Bind and release the address as the servers will (SO_REUSEADDR), to fail before they print."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _settle_heap() -> None:
    # what boot loaded (fixtures, a --state-file of a million messages) lives as long as the process:
    # kept out of the collector's full passes, which would otherwise pause every call for seconds
    import gc
    gc.collect()
    gc.freeze()


def _save_periodically(app, state_file, seconds: float):
    from threading import Event

    from ..control.snapshot import save_every
    if not (state_file and seconds):
        return Event()
    return save_every(app, seconds, on_error=lambda line: click.echo(line, err=True))


def _save_state(app) -> None:
    from ..control.snapshot import save_app
    saved = save_app(app)
    if saved:
        click.echo(f"kustomer-mock state saved to {saved}")


def _stop_on_signals(once: bool = False) -> None:
    def stop(signum, frame):
        if once:   # a worker: its parent's SIGTERM and its lifeline may both arrive; one stop, saved whole
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


# the commands over the control API (client.py), each module adding its own
for _commands in (admin,      # fault, journal
                  control,    # reset, settings, clock, state, wait
                  webhooks,   # webhooks
                  identity,   # token: a login JWT for an org
                  stubs):     # stub: any answer for an operation or path
    _commands.register(cli)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `kustomer-mock`; returns the exit code instead of exiting."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="kustomer-mock",
                          standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        return 1
    return result if isinstance(result, int) else 0

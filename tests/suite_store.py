"""The store the suite runs on (--store): memory, or a real redis-server with a database of its own per app.

On redis, every app the suite makes in this process (the shared app, private apps, ServerThread apps, the
pytest plugin's mock) and every `serve` child naming no store of its own gets the next free database of the
process's redis-server, so two apps never share orgs, exactly as two apps on the memory store. The databases
an app or child of one test took are flushed and handed out again once the test ends (the app closed first,
so its delivery worker and event reader stop); those of session and module fixtures live as long as the process.
"""
from __future__ import annotations

import redis

from mock_server import state
from mock_server.testing import serve

_init_app = state.init_app

STORES = ("memory", "redis")
STORE_ENV = "KUSTOMER_MOCK_TEST_STORE"
DATABASES = 256   # the redis-server's databases: db 0 for tests naming redis_url, then one per live app


class Databases:
    """The databases of one redis-server, handed out one per app or child; a test's go back when it ends."""

    def __init__(self, url: str):
        self.base = url.rsplit("/", 1)[0]
        self.free = list(range(1, DATABASES))
        self.window: list | None = None   # what the running test took: (database, its store or None)

    def url(self, database: int) -> str:
        """The URL of one database."""
        return f"{self.base}/{database}"

    def take(self, state_of=None):
        """The next free database: its URL, or `state_of(url)` (an app's MockState) kept to be closed after the test."""
        if not self.free:
            raise RuntimeError(f"all {DATABASES - 1} databases of the suite's redis-server are in use")
        database = self.free.pop(0)
        try:
            made = state_of(self.url(database)) if state_of else self.url(database)
        except BaseException:   # an app that fails at boot (a test of bad fixtures) keeps nothing there
            self.free.insert(0, database)
            raise
        if self.window is not None:
            self.window.append((database, made if state_of else None))
        return made

    def open_window(self) -> None:
        """A test starts: what it takes from now on goes back when it ends."""
        self.window = []

    def close_window(self) -> None:
        """The test ended: close its apps, flush its databases and hand them out again."""
        taken, self.window = self.window or [], None
        for database, made in taken:
            if made is not None:
                _close(made)
            with redis.Redis.from_url(self.url(database)) as client:
                client.flushdb()
            self.free.append(database)


def _close(made) -> None:
    """Stop an app's threads before its store goes: deliveries first (they read the store), then the store."""
    dispatcher = made.webhooks.dispatcher if made.webhooks is not None else None
    if dispatcher is not None:
        dispatcher.stop()
        worker = getattr(dispatcher, "_thread", None)   # stop() does not wait; a flushed database must stay empty
        if worker is not None:
            worker.join(timeout=10)
    made.close()


def install(url: str) -> Databases:
    """Make every later app and child of this process keep its orgs in a database of its own on `url`'s server."""
    databases = Databases(url)

    def init_app(app):
        if app.config["STORE"] != "memory":   # a test's own store
            return _init_app(app)

        def state_of(database_url):
            app.config["STORE"] = database_url
            return _init_app(app)
        return databases.take(state_of)

    state.init_app = init_app
    serve.set_child_store(databases.take)
    return databases


def uninstall() -> None:
    """Back to the memory store for later apps and children."""
    state.init_app = _init_app
    serve.set_child_store(None)

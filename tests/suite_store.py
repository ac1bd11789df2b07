"""The store the suite runs on (--store): memory, or a real redis-server with a database of its own per app.

On redis, every app the suite makes in this process (the shared app, private apps, ServerThread apps, the
pytest plugin's mock) and every `serve` child naming no store of its own gets the next free database of the
process's redis-server, so two apps never share orgs, exactly as two apps on the memory store. The databases
an app or child of one test took are flushed and handed out again once the test ends (its store closed
first, so its event reader stops); those of session and module fixtures live as long as the process.
"""
from __future__ import annotations

import redis

from mock_server import state
from mock_server.store import make_store
from mock_server.testing import serve

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

    def take(self, store_of=None):
        """The next free database: its URL, or `store_of(url)` (a store) kept to be closed after the test."""
        if not self.free:
            raise RuntimeError(f"all {DATABASES - 1} databases of the suite's redis-server are in use")
        database = self.free.pop(0)
        made = store_of(self.url(database)) if store_of else self.url(database)
        if self.window is not None:
            self.window.append((database, made if store_of else None))
        return made

    def open_window(self) -> None:
        """A test starts: what it takes from now on goes back when it ends."""
        self.window = []

    def close_window(self) -> None:
        """The test ended: close its apps' stores, flush its databases and hand them out again."""
        taken, self.window = self.window or [], None
        for database, store in taken:
            if store is not None:
                store.close()
            with redis.Redis.from_url(self.url(database)) as client:
                client.flushdb()
            self.free.append(database)


def install(url: str) -> Databases:
    """Make every later app and child of this process keep its orgs in a database of its own on `url`'s server."""
    databases = Databases(url)

    def store_for(kind, fixtures, seed, clock):
        if kind != "memory":   # a test's own store
            return make_store(kind, fixtures, seed, clock)
        return databases.take(lambda url: make_store(url, fixtures, seed, clock))

    state.make_store = store_for
    serve.set_child_store(databases.take)
    return databases


def uninstall() -> None:
    """Back to the memory store for later apps and children."""
    state.make_store = make_store
    serve.set_child_store(None)

"""Every org's state in Redis, shared by every mock process that names the same Redis (docs/redis.md).

Each process keeps a replica of the orgs it serves. An org's writes hold a per-org Redis lock; taking it
catches the replica up, and letting it go writes the whole org back with its version bumped, in one Lua
script that also checks the lock is still ours and the org was not reset meanwhile. A request reads its
org's version (one round trip) and reloads the replica when another process wrote since.
"""
from __future__ import annotations

import base64
import json
import threading
import time
import uuid

from ..control.snapshot import _import_org, _org_chunks   # one org as snapshot's JSON: one format for both
from ..domain.clock import Clock
from ..domain.errors import ApiError
from ..domain.events import Event, EventLog
from ..domain.fixtures import Fixtures
from ..domain.org import Org
from ..domain.store import check_key

PREFIX = "km"
LOCK_MS = 30_000            # a write holds its org for at most this long (a killed process frees it then)
LOCK_WAIT_SECONDS = 10      # a write waits this long for another process's write of the same org
# parts of an org that stay in the process (webhooks deliver once, from the process whose write emitted)
LOCAL_PARTS = ("webhooks", "webhook_outbox")

# KEYS: lock, doc, version, born; ARGV: lock token, document, incarnation, "1" to create
PERSIST = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local born = redis.call('GET', KEYS[4])
if ARGV[4] == '1' then
  if born then redis.call('DEL', KEYS[1]) return -2 end
  redis.call('SET', KEYS[4], ARGV[3])
elseif born ~= ARGV[3] then redis.call('DEL', KEYS[1]) return -2 end
redis.call('SET', KEYS[2], ARGV[2])
local version = redis.call('INCR', KEYS[3])
redis.call('DEL', KEYS[1])
return version
"""
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
# KEYS: event counter, event stream; ARGV: the stream's length, then name, customer, payload of each event
PUBLISH = """
for i = 2, #ARGV, 3 do
  local id = redis.call('INCR', KEYS[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'id', id, 'name', ARGV[i], 'customer', ARGV[i + 1],
             'payload', ARGV[i + 2])
end
return 1
"""
EVENTS_KEPT = 5000          # the live events an org's stream keeps for reconnects (EventLog's own bound)


class StoreUnavailable(ApiError):
    """Redis cannot be reached (or answered an error): the call changed nothing that another process sees."""
    status, code, title = 503, "store_unavailable", "The state store is unavailable"


class StoreBusy(ApiError):
    """Another process held the org's write lock for longer than a write may wait."""
    status, code, title = 503, "store_busy", "The org is busy"


def _key(name: str, part: str) -> str:
    return f"{PREFIX}:{{{name}}}:{part}"   # the hash tag {name}: one org lives in one cluster slot


def _forgotten(name: str) -> list[str]:
    """The keys a reset deletes: the org, its incarnation, its live events and their counter."""
    return [_key(name, part) for part in ("doc", "born", "events", "eventseq")]


def _stream_id(text: str) -> tuple[int, int]:
    milliseconds, _, sequence = text.partition("-")
    return int(milliseconds), int(sequence or 0)


class SharedLock:
    """An org's write lock across processes: the org's own lock, then its Redis lock (reentrant per thread)."""

    def __init__(self, store: "RedisStore", org: Org, own):
        self.store, self.org, self.own = store, org, own
        self.depth, self.token, self.holder = 0, None, None
        self.pending: list[tuple] = []   # live events of the write in progress: published once it is saved
        self.version: int | None = None   # the version the replica holds (None: reload before use)
        self.incarnation: str | None = None   # changes when the org is reset or imported
        self.dead = False   # reset by another process: this replica's writes are dropped, as on a reset here

    def __enter__(self):
        self.own.acquire()
        self.depth += 1
        if self.depth == 1:
            self.holder = threading.get_ident()
            try:
                self.token = self.store.take(self.org.name)
                self.catch_up()
            except BaseException:
                self._leave()
                raise
        return self.org

    def __exit__(self, kind, error, trace):
        try:
            if self.depth == 1:
                self._finish(failed=kind is not None)
        finally:
            self._leave()
        return False

    def _leave(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.holder = None
        self.own.release()

    def _finish(self, failed: bool) -> None:
        token, self.token = self.token, None
        events, self.pending = self.pending, []
        if failed or self.dead:   # nothing half-made is shared; this replica reloads what Redis holds
            self.version = None
            self.store.call(self.store.release, self.org.name, token)
            return
        version = self.store.persist(self.org, token, self.incarnation)
        if version == -1:
            self.version = None
            raise StoreBusy(f"the write lock of org {self.org.name} expired before the write ended; "
                            "it was not saved")
        if version == -2:
            self.dead = True   # reset meanwhile: like a write to a dropped org, it is not kept
            return
        self.version = version
        if events:
            self.store.publish(self.org.name, events)

    def catch_up(self, version: int | None = -1) -> None:
        """Reload the replica when Redis holds a newer version (`version`: already read, -1: read it now)."""
        with self.own:
            if version == -1:
                version = self.store.call(self.store.redis.get, _key(self.org.name, "version"))
                version = None if version is None else int(version)
            if self.dead or (version is not None and version == self.version):
                return
            raw = self.store.load(self.org.name)
            if raw is None or raw["incarnation"] != self.incarnation:
                self.dead = True   # reset (and maybe rebuilt) elsewhere: the store swaps in a new replica
                return
            self.org.adopt(self.store.decode(raw))
            self.version = raw["version"]


class SharedEvents(EventLog):
    """An org's live events for every process: published to a Redis stream, received by the store's reader.

    Ids come from one counter per org in Redis, so Last-Event-ID means the same on every process.
    """

    def __init__(self, store: "RedisStore", shared: SharedLock):
        super().__init__(limit=EVENTS_KEPT)
        self.store, self.shared = store, shared
        self.cursor = "0-0"   # the Redis stream id of the newest event received
        self._receiving = threading.Lock()

    def receive(self, entries: list) -> None:
        """Stream entries (id, fields) into this log, in order, each once (the reader and `last_id` both read)."""
        with self._receiving:
            for entry_id, fields in entries:
                entry_id = entry_id.decode()
                if _stream_id(entry_id) <= _stream_id(self.cursor):
                    continue
                customer = fields[b"customer"].decode()
                self.add(Event(int(fields[b"id"]), fields[b"name"].decode(), customer or None,
                               json.loads(fields[b"payload"])))
                self.cursor = entry_id

    @property
    def last_id(self) -> int:
        """The newest event's id, after reading what the stream holds beyond this log (so Last-Event-ID holds)."""
        key = _key(self.shared.org.name, "events")
        entries = self.store.call(self.store.redis.xrange, key, min=f"({self.cursor}", count=EVENTS_KEPT)
        if entries:
            self.shared.catch_up()   # the records these events name, for the stream's hydration
            self.receive(entries)
        return super().last_id

    def emit(self, name: str, payload: dict, customer_id: str | None = None) -> Event:
        """Publish an event; it reaches this log (and every other process's) through the store's reader.

        Emitted inside a write, it waits for the write to be saved (and goes nowhere if the write fails).
        The answer's id is 0: the id is drawn when the event is published.
        """
        if self.shared.holder == threading.get_ident():
            self.shared.pending.append((name, payload, customer_id))
        else:
            self.store.publish(self.shared.org.name, [(name, payload, customer_id)])
        return Event(0, name, customer_id, payload)


class RedisStore:
    """The OrgStore of processes sharing one Redis: replicas of orgs, kept current per request and per write."""

    def __init__(self, url: str, fixtures: Fixtures, seed: int, clock: Clock):
        try:
            import redis   # the optional extra kustomer-mock[redis]: only this store needs it
        except ImportError:
            raise StoreUnavailable("the redis store needs redis-py: pip install 'kustomer-mock[redis]'") from None
        self.url, self.fixtures, self.seed, self.clock = url, fixtures, seed, clock
        self._errors = redis.RedisError
        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self._persist = self.redis.register_script(PERSIST)
        self._release = self.redis.register_script(RELEASE)
        self._publish = self.redis.register_script(PUBLISH)
        self._stopping = threading.Event()
        self._reader: threading.Thread | None = None
        self._orgs: dict[str, SharedLock] = {}   # the replicas, by org name
        self._org_keys: dict[str, str] = {}   # org name -> the key whose fixtures made it
        self._seen: set[str] = set()   # keys this process already registered in Redis
        self._lock = threading.RLock()
        self._generation: bytes | None = None   # km:generation: bumped by every full reset and import
        self.listeners: list = []
        self.idle_seconds = 0.0
        self.evicted = 0
        self._used: dict[str, float] = {}
        self.call(self.redis.ping)   # a wrong URL stops the mock at boot with one line

    # -- Redis calls ---------------------------------------------------------------------------------------

    def call(self, function, *args, **kwargs):
        """One Redis call; a Redis that is down or failing answers StoreUnavailable (a 503)."""
        try:
            return function(*args, **kwargs)
        except self._errors as error:
            raise StoreUnavailable(f"Redis at {self.url} did not answer: {error}") from None

    def take(self, name: str) -> str:
        """Take the org's Redis lock (waiting for another process's write); answers the token that frees it."""
        token, deadline = uuid.uuid4().hex, time.monotonic() + LOCK_WAIT_SECONDS
        while not self.call(self.redis.set, _key(name, "lock"), token, nx=True, px=LOCK_MS):
            if time.monotonic() > deadline:
                raise StoreBusy(f"org {name} stayed locked by another process for {LOCK_WAIT_SECONDS}s")
            time.sleep(0.002)
        return token

    def release(self, name: str, token: str) -> None:
        """Free the org's lock if it is still ours."""
        self._release(keys=[_key(name, "lock")], args=[token])

    def persist(self, org: Org, token: str, incarnation: str, create: bool = False) -> int:
        """Write the whole org and free its lock in one script: its new version, -1 lock lost, -2 reset."""
        keys = [_key(org.name, part) for part in ("lock", "doc", "version", "born")]
        return int(self.call(self._persist, keys=keys, args=[token, self.encode(org), incarnation,
                                                             "1" if create else "0"]))

    def publish(self, name: str, events: list[tuple]) -> None:
        """Number and append live events (name, payload, customer id) to the org's stream, in one script."""
        args: list = [EVENTS_KEPT]
        for event_name, payload, customer_id in events:
            args += [event_name, customer_id or "", json.dumps(payload, separators=(",", ":"))]
        self.call(self._publish, keys=[_key(name, "eventseq"), _key(name, "events")], args=args)

    def _receive(self) -> None:
        """The reader: every replica's new live events, from the org streams, into its local log."""
        while not self._stopping.is_set():
            replicas = {_key(s.org.name, "events"): s for s in list(self._orgs.values())}
            if not replicas:
                self._stopping.wait(0.2)
                continue
            try:
                answer = self.redis.xread({k: s.org.events.cursor for k, s in replicas.items()}, count=1000,
                                          block=200)
            except (self._errors, ValueError):   # ValueError: the client closed under a read at shutdown
                self._stopping.wait(0.5)   # Redis is away: calls answer 503 meanwhile, streams wait
                continue
            for stream, entries in answer:
                shared = replicas[stream.decode()]
                try:
                    shared.catch_up()   # a stream shows the records its events name (hydration reads them)
                except ApiError:
                    pass
                shared.org.events.receive(entries)

    def _start_reading(self, events: SharedEvents, name: str) -> None:
        """Fill a new replica's log with the org's recent events; start the reader on first use."""
        entries = self.call(self.redis.xrevrange, _key(name, "events"), count=EVENTS_KEPT)
        events.receive(list(reversed(entries)))
        if self._reader is None:
            self._reader = threading.Thread(target=self._receive, daemon=True, name="kustomer-mock-redis-events")
            self._reader.start()

    def load(self, name: str) -> dict | None:
        """The org's document with its version and incarnation, or None when Redis holds none."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.get(_key(name, "doc")).get(_key(name, "version")).get(_key(name, "born"))
        doc, version, born = self.call(pipe.execute)
        if doc is None or born is None:
            return None
        return {**json.loads(doc), "version": int(version), "incarnation": born.decode()}

    # -- the org as a document (control/snapshot.py's format, with what it leaves out) ----------------------

    def encode(self, org: Org) -> str:
        """The org as JSON: snapshot's export of one org, plus files and proactive messages, minus webhooks."""
        raw = json.loads("".join(_org_chunks(org, [self.key_of(org.name)])))
        for part in LOCAL_PARTS:
            raw.pop(part, None)
        with org.reading():
            raw["files"] = {i: {**f, "data": base64.b64encode(f["data"]).decode()} for i, f in org.files.items()}
            raw["proactive"] = org.proactive
            return json.dumps(raw, separators=(",", ":"))

    def decode(self, raw: dict) -> Org:
        """An Org from its document (not attached to this store)."""
        org = _import_org(self, self.clock, raw, "/")
        org.files = {i: {**f, "data": base64.b64decode(f["data"])} for i, f in raw.get("files", {}).items()}
        org.proactive = raw.get("proactive", {})
        return org

    def key_of(self, name: str) -> str:
        """The key whose fixtures made the org `name` (registered when the org was first made)."""
        if name not in self._org_keys:
            key = self.call(self.redis.hget, f"{PREFIX}:orgkeys", name)
            self._org_keys[name] = key.decode() if key is not None else name
        return self._org_keys[name]

    # -- OrgStore ------------------------------------------------------------------------------------------

    def add_listener(self, listener) -> None:
        """Call `listener(org, kind, record, before)` after every write of every org this process serves."""
        with self._lock:
            self.listeners.append(listener)
            for shared in self._orgs.values():
                shared.org.listeners.append(listener)

    def org(self, key: str, name: str | None = None) -> Org:
        """The org of `key`, current with every process's writes (one Redis round trip when nothing changed)."""
        name = name or self.fixtures.org_name(check_key(key))
        now = time.monotonic()
        if self.idle_seconds:
            self.evict_idle(now)
        self._used[name] = now
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(f"{PREFIX}:generation").get(_key(name, "version"))
        generation, version = self.call(pipe.execute)
        self._check_generation(generation)
        if key not in self._seen:
            self._register(key, name)
        return self._replica(name, None if version is None else int(version))

    def _check_generation(self, generation: bytes | None) -> None:
        with self._lock:
            if generation == self._generation:
                return
            dropped, self._orgs, self._generation = list(self._orgs.values()), {}, generation
            self._seen.clear()
        for shared in dropped:
            shared.org.events.close()

    def _register(self, key: str, name: str) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.zadd(f"{PREFIX}:keys", {key: time.time()}, nx=True)
        pipe.hsetnx(f"{PREFIX}:orgkeys", name, key)
        pipe.zadd(f"{PREFIX}:orgs", {name: time.time()}, nx=True)
        self.call(pipe.execute)
        self._seen.add(key)

    def _replica(self, name: str, version: int | None) -> Org:
        """The replica of org `name`, caught up to `version`; a fresh one when it was reset or is new here."""
        shared = self._orgs.get(name)
        if shared is not None and version is not None and version == shared.version and not shared.dead:
            return shared.org   # the common case: nothing changed since this process last looked
        with self._lock:
            shared = self._orgs.get(name)
            if shared is not None:
                shared.catch_up(version)
                if not shared.dead:
                    return shared.org
            fresh = self._orgs[name] = self._fresh(name)
        if shared is not None:
            shared.org.events.close()   # its open streams end, as when a reset drops an org in one process
        return fresh.org

    def _fresh(self, name: str) -> SharedLock:
        """Org `name` from Redis, or made from the fixtures and written there when Redis holds none."""
        raw = self.load(name)
        if raw is None:
            built = Org(self.fixtures.spec(self.key_of(name)), self.seed, self.clock)
            incarnation = uuid.uuid4().hex
            version = self.persist(built, self.take(name), incarnation, create=True)
            if version > 0:
                return self._attach(built, version, incarnation)
            raw = self.load(name)   # another process made it first: use theirs
            if raw is None:
                raise StoreBusy(f"org {name} was reset while it was being made; call again")
        return self._attach(self.decode(raw), raw["version"], raw["incarnation"])

    def _attach(self, org: Org, version: int, incarnation: str) -> SharedLock:
        org.listeners[:] = self.listeners
        shared = org.share(lambda owner, own: SharedLock(self, owner, own))
        shared.version, shared.incarnation = version, incarnation
        org.events = SharedEvents(self, shared)
        self._start_reading(org.events, org.name)
        return shared

    def keys(self) -> list[str]:
        """The API keys any process saw since the last full reset, in order."""
        return [k.decode() for k in self.call(self.redis.zrange, f"{PREFIX}:keys", 0, -1)]

    def orgs(self) -> dict[str, Org]:
        """Every org any process made, by name, each current (state export, watch, webhooks)."""
        names = [n.decode() for n in self.call(self.redis.zrange, f"{PREFIX}:orgs", 0, -1)]
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.get(_key(name, "version"))
        versions = self.call(pipe.execute)
        return {name: self._replica(name, None if version is None else int(version))
                for name, version in zip(names, versions)}

    def reset(self, key: str | None = None) -> None:
        """Every org (or one key's org) back to its fixtures, in every process: Redis forgets it."""
        if key is not None:
            name = self.fixtures.org_name(check_key(key))
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(*_forgotten(name)).incr(_key(name, "version"))
            self.call(pipe.execute)
            with self._lock:
                dropped = self._orgs.pop(name, None)
            if dropped is not None:
                dropped.org.events.close()
            return
        names = [n.decode() for n in self.call(self.redis.zrange, f"{PREFIX}:orgs", 0, -1)]
        pipe = self.redis.pipeline(transaction=True)
        for name in names:
            pipe.delete(*_forgotten(name)).incr(_key(name, "version"))
        pipe.delete(f"{PREFIX}:keys", f"{PREFIX}:orgs", f"{PREFIX}:orgkeys").incr(f"{PREFIX}:generation")
        self.call(pipe.execute)
        self._check_generation(self.call(self.redis.get, f"{PREFIX}:generation"))

    def replace(self, orgs: dict[str, Org], keys: list[str]) -> None:
        """Swap in a whole set of orgs (state import) for every process."""
        self.reset()
        for name, org in orgs.items():
            key = next((k for k in keys if self.fixtures.org_name(k) == name), name)
            self._register(key, name)
            version = self.persist(org, self.take(name), incarnation := uuid.uuid4().hex, create=True)
            with self._lock:
                self._orgs[name] = self._attach(org, version, incarnation)
        for key in keys:
            self._register(key, self.fixtures.org_name(key))

    def evict_idle(self, now: float | None = None) -> int:
        """Drop this process's replicas idle for idle_seconds (Redis keeps the orgs); answers how many went."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [name for name, at in self._used.items() if now - at >= self.idle_seconds]
            dropped = [org for org in (self._orgs.pop(name, None) for name in idle) if org is not None]
            for name in idle:
                del self._used[name]
            self.evicted += len(dropped)
        for shared in dropped:
            shared.org.events.close()
        return len(dropped)

    def close(self) -> None:
        """End the event streams of every replica and the Redis connections (the server is stopping)."""
        self._stopping.set()
        if self._reader is not None:
            self._reader.join(timeout=2)   # its read blocks 200 ms at most
        for shared in list(self._orgs.values()):
            shared.org.events.close()
        self.redis.close()

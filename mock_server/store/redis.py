"""Every org's state in Redis, shared by every mock process that names the same Redis (docs/redis.md).

Each process keeps a replica of the orgs it serves. An org lives in one Redis hash (a field per record,
per conversation's messages and per part: store/redis_format.py) with a version and a change log. A write
holds the org's Redis lock (store/redis_replica.py): taking it catches the replica up, letting it go saves
the fields the write changed, bumps the version and appends the field names to the log, in one Lua script
that also checks the lock is still ours and the org was not reset meanwhile. A request reads its org's
version (one round trip) and, when another process wrote since, applies the fields the log names. Live
events go through Redis streams (store/redis_events.py).
"""
from __future__ import annotations

import json
import threading
import time
import uuid

from ..domain.clock import Clock
from ..domain.errors import ApiError
from ..domain.fixtures import Fixtures
from ..domain.org import Org
from ..domain.store import check_key
from . import redis_format as fmt
from .redis_clock import CLOCK_VERSION, SharedClocks
from .redis_events import LiveEvents, SharedEvents
from .redis_limits import SharedLimits, register as register_limits
from .idle import IdleOrgs
from .redis_replica import SharedLock, StoreBusy
from .redis_webhooks import FORGOTTEN, Deliveries

PREFIX = fmt.PREFIX
LOCK_MS = 30_000            # a write holds its org for at most this long (a killed process frees it then)
LOCK_WAIT_SECONDS = 10      # a write waits this long for another process's write of the same org
LOG_KEPT = 1000             # change log entries kept; a replica further behind reloads the whole org

# KEYS: lock, org hash, version, born, log
# ARGV: lock token, incarnation, mode (some, whole, create), log length, field names as JSON, n, then n
#       field/value pairs, then the fields that go
PERSIST = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
local born = redis.call('GET', KEYS[4])
if ARGV[3] == 'create' then
  if born then redis.call('DEL', KEYS[1]) return {-2} end
  redis.call('SET', KEYS[4], ARGV[2])
elseif born ~= ARGV[2] then redis.call('DEL', KEYS[1]) return {-2} end
if ARGV[3] ~= 'some' then redis.call('DEL', KEYS[2]) end
local n = tonumber(ARGV[6])
for i = 7, 6 + 2 * n, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
for i = 7 + 2 * n, #ARGV do redis.call('HDEL', KEYS[2], ARGV[i]) end
local version = redis.call('INCR', KEYS[3])
local id = redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*', 'version', version,
                      'whole', ARGV[3] == 'some' and '0' or '1', 'fields', ARGV[5])
redis.call('DEL', KEYS[1])
return {version, id}
"""
# KEYS: lock, version; ARGV: token, milliseconds: the lock and, taken, the version it guards
TAKE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, redis.call('GET', KEYS[2])} end
return {0}
"""
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class StoreUnavailable(ApiError):
    """Redis cannot be reached (or answered an error): the call changed nothing that another process sees."""
    status, code, title = 503, "store_unavailable", "The state store is unavailable"


_key = fmt.key


def _forgotten(name: str) -> list[str]:
    """The keys a reset deletes: the org, its incarnation, change log, live events and their counter, its own
    clock, its rate-limit windows and its webhook deliveries."""
    return [_key(name, part) for part in ("org", "born", "log", "events", "eventseq", "clock", "limits",
                                          *FORGOTTEN)]


class RedisStore(IdleOrgs):
    """The OrgStore of processes sharing one Redis: replicas of orgs, kept current per request and per write."""

    def __init__(self, url: str, fixtures: Fixtures, seed: int, clock: Clock):
        try:
            import redis   # the optional extra kustomer-mock[redis]: only this store needs it
        except ImportError:
            raise StoreUnavailable("the redis store needs redis-py: pip install 'kustomer-mock[redis]'") from None
        self.url, self.fixtures, self.seed, self.clock = url, fixtures, seed, clock
        self.errors = redis.RedisError   # what a Redis call raises when Redis is away or refuses
        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self._persist = self.redis.register_script(PERSIST)
        self._release = self.redis.register_script(RELEASE)
        self._take = self.redis.register_script(TAKE)
        self.scripts = register_limits(self)
        self._orgs: dict[str, SharedLock] = {}   # the replicas, by org name
        self._org_keys: dict[str, str] = {}   # org name -> the key whose fixtures made it
        self._seen: set[str] = set()   # keys this process already registered in Redis
        self._lock = threading.RLock()
        self._generation: bytes | None = None   # km:generation: bumped by every full reset and import
        self.listeners: list = []
        self.read_along: list[tuple] = []   # (key, callback): read in the org's round trip (redis_rules.py, redis_clock.py)
        self.start_idle()
        self.call(self.redis.ping)   # a wrong URL stops the mock at boot with one line
        self.clocks = SharedClocks(self, clock)
        self.clocks.poll()   # a process started later keeps the time the others keep
        self.read_along.append((CLOCK_VERSION, self.clocks.check))
        self.live = LiveEvents(self)
        self.deliveries = Deliveries(self)   # outbound webhook deliveries of every process (redis_webhooks.py)

    # -- Redis calls ---------------------------------------------------------------------------------------

    def call(self, function, *args, **kwargs):
        """One Redis call; a Redis that is down or failing answers StoreUnavailable (a 503)."""
        try:
            return function(*args, **kwargs)
        except self.errors as error:
            raise StoreUnavailable(f"Redis at {self.url} did not answer: {error}") from None

    def take(self, name: str) -> tuple[str, int | None]:
        """Take the org's Redis lock, waiting for another process's write; answers (token, the org's version)."""
        token, deadline = uuid.uuid4().hex, time.monotonic() + LOCK_WAIT_SECONDS
        keys = [_key(name, "lock"), _key(name, "version")]
        while True:
            answer = self.call(self._take, keys=keys, args=[token, LOCK_MS])
            if answer[0] == 1:
                return token, None if answer[1] is None else int(answer[1])
            if time.monotonic() > deadline:
                raise StoreBusy(f"org {name} stayed locked by another process for {LOCK_WAIT_SECONDS}s")
            time.sleep(0.002)

    def release(self, name: str, token: str) -> None:
        """Free the org's lock if it is still ours."""
        self._release(keys=[_key(name, "lock")], args=[token])

    def persist(self, org: Org, token: str, incarnation: str, changed: set | None, create: bool = False):
        """Save the `changed` fields (None: every field), bump the version, log it and free the lock, in one script.

        Answers (version, log entry id); None when the org was reset meanwhile; "lost" when the lock expired.
        """
        fields = fmt.every_field(org) if changed is None else sorted(changed)
        values = fmt.encode(org, fields)
        present = [(f, v) for f, v in values.items() if v is not None]
        mode = "create" if create else "whole" if changed is None else "some"
        args = [token, incarnation, mode, LOG_KEPT, json.dumps(fields), len(present)]
        args += [item for pair in present for item in pair] + [f for f, v in values.items() if v is None]
        keys = [_key(org.name, part) for part in ("lock", "org", "version", "born", "log")]
        answer = self.call(self._persist, keys=keys, args=args)
        if answer[0] == -1:
            return "lost"
        if answer[0] == -2:
            return None
        return int(answer[0]), answer[1].decode()

    def version(self, name: str) -> int | None:
        """The org's version in Redis (None: never made)."""
        version = self.call(self.redis.get, _key(name, "version"))
        return None if version is None else int(version)

    def apply_log(self, shared: SharedLock) -> bool:
        """Bring a replica up to date from the change log; False when only a whole reload can."""
        name = shared.org.name
        entries = self.call(self.redis.xrange, _key(name, "log"), min=f"({shared.cursor}")
        expected, fields = shared.version + 1, set()
        for _, entry in entries:
            if int(entry[b"version"]) != expected or entry[b"whole"] == b"1":
                return False
            fields.update(json.loads(entry[b"fields"]))
            expected += 1
        if not entries:   # a read older than this replica's own last write: current, unless reset since
            born = self.call(self.redis.get, _key(name, "born"))
            return born is not None and born.decode() == shared.incarnation
        pipe = self.redis.pipeline(transaction=True)
        pipe.get(_key(name, "born")).hmget(_key(name, "org"), sorted(fields))
        born, values = self.call(pipe.execute)
        if born is None or born.decode() != shared.incarnation:
            return False
        fmt.apply(shared.org, dict(zip(sorted(fields), values)))
        shared.version, shared.cursor = expected - 1, entries[-1][0].decode()
        return True

    def load(self, name: str) -> dict | None:
        """The org's fields with its version, incarnation and newest log entry, or None when Redis holds none."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.hgetall(_key(name, "org")).get(_key(name, "version")).get(_key(name, "born"))
        pipe.xrevrange(_key(name, "log"), count=1)
        fields, version, born, newest = self.call(pipe.execute)
        if not fields or born is None:
            return None
        return {"name": name, "fields": fields, "version": int(version), "incarnation": born.decode(),
                "cursor": newest[0][0].decode() if newest else "0-0"}

    def build(self, raw: dict) -> Org:
        """An Org from its fields (not attached to this store): the fixtures' org with every record replaced."""
        org = Org(self.fixtures.spec(self.key_of(raw["name"])), self.seed, self.clock)
        fmt.clear_records(org)
        fmt.apply(org, raw["fields"], in_write_order=True)
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
        self.called(name)
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(f"{PREFIX}:generation").get(_key(name, "version"))
        for along, _ in self.read_along:
            pipe.get(along)
        generation, version, *along_values = self.call(pipe.execute)
        for (_, heard), value in zip(self.read_along, along_values):
            heard(value)
        self._check_generation(generation)
        if key not in self._seen:
            self._register(key, name)
        return self._replica(name, None if version is None else int(version))

    def built(self, name: str) -> Org | None:
        """This process's replica of org `name`, if it has one (no Redis call: the caller step asks per request)."""
        shared = self._orgs.get(name)
        return shared.org if shared is not None else None

    def _check_generation(self, generation: bytes | None) -> None:
        if generation == self._generation:   # the common case, without queueing behind a catch-up
            return
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
        if shared is not None and not shared.dead:
            if version is not None and version == shared.version:
                return shared.org   # the common case: nothing changed since this process last looked
            shared.catch_up(version)   # under the org's own lock only: other orgs' calls go on meanwhile
            if not shared.dead:
                return shared.org
        with self._lock:
            current = self._orgs.get(name)
            if current is not None and current is not shared:   # another thread swapped in a replica
                current.catch_up(version)
                if not current.dead:
                    return current.org
                shared = current
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
            saved = self.persist(built, self.take(name)[0], incarnation, None, create=True)
            if isinstance(saved, tuple):
                self.call(self.redis.zadd, f"{PREFIX}:orgs", {name: time.time()}, nx=True)   # made again after a reset
                return self._attach(built, incarnation, *saved)
            raw = self.load(name)   # another process made it first: use theirs
            if raw is None:
                raise StoreBusy(f"org {name} was reset while it was being made; call again")
        return self._attach(self.build(raw), raw["incarnation"], raw["version"], raw["cursor"])

    def _attach(self, org: Org, incarnation: str, version: int, cursor: str) -> SharedLock:
        org.listeners[:] = self.listeners
        self.clocks.attach(org)
        org.limits = SharedLimits(self, org.name)
        shared = org.share(lambda owner, own: SharedLock(self, owner, own))
        shared.version, shared.incarnation, shared.cursor = version, incarnation, cursor
        org.events = SharedEvents(self, shared)
        self.live.start(org.events)
        self.deliveries.attach(org, shared)
        return shared

    def replicas(self) -> list[SharedLock]:
        """The replicas this process holds now (the live events' reader reads their streams)."""
        return list(self._orgs.values())

    def keys(self) -> list[str]:
        """The API keys any process saw since the last full reset, in order."""
        return [k.decode() for k in self.call(self.redis.zrange, f"{PREFIX}:keys", 0, -1)]

    def names(self) -> list[str]:
        """The names of every org any process made, in order (one Redis call; no org is read)."""
        return [n.decode() for n in self.call(self.redis.zrange, f"{PREFIX}:orgs", 0, -1)]

    def orgs(self) -> dict[str, Org]:
        """Every org any process made, by name, each current (state export, watch, webhooks)."""
        return self.current(self.names())

    def current(self, names: list[str]) -> dict[str, Org]:
        """The orgs `names`, each current (the webhook dispatcher's orgs with deliveries)."""
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.get(_key(name, "version")).exists(_key(name, "born"))
        answers = self.call(pipe.execute)
        # an org reset since it was listed is not made again by being listed (its next call makes it)
        return {name: self._replica(name, int(version))
                for name, version, made in zip(names, answers[::2], answers[1::2]) if made}

    def refresh(self) -> None:
        """Catch up this process's replicas, dropping those another process reset (the live reader's once a second).

        So a stream on a process that serves no call ends within a second of a reset made elsewhere, as a
        stream ends at once on the process that reset, without each stream asking Redis on its own.
        """
        names = [shared.org.name for shared in self.replicas()]
        if not names:
            return
        self._check_generation(self.call(self.redis.get, f"{PREFIX}:generation"))
        made = self.current(names)   # caught up; an org reset since and not made again is left out
        for name in names:
            if name not in made:
                self._drop(name)

    def _drop(self, name: str) -> None:
        """Forget this process's replica of org `name`; its open streams end."""
        with self._lock:
            dropped = self._orgs.pop(name, None)
        if dropped is not None:
            dropped.org.events.close()

    def reset(self, key: str | None = None) -> None:
        """Every org (or one key's org) back to its fixtures, in every process: Redis forgets it."""
        if key is not None:
            name = self.fixtures.org_name(check_key(key))
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(*_forgotten(name)).incr(_key(name, "version"))
            pipe.zrem(f"{PREFIX}:orgs", name)   # its key stays seen; the org is made (and listed) again on use
            self.call(pipe.execute)
            self._drop(name)
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
            incarnation = uuid.uuid4().hex
            saved = self.persist(org, self.take(name)[0], incarnation, None, create=True)
            if not isinstance(saved, tuple):
                raise StoreBusy(f"org {name} was made by another process during the import; import again")
            with self._lock:
                self._orgs[name] = self._attach(org, incarnation, *saved)
        for key in keys:
            self._register(key, self.fixtures.org_name(key))

    def evict_idle(self, now: float | None = None) -> int:
        """Drop this process's replicas idle for idle_seconds (Redis keeps the orgs); answers how many went."""
        with self._lock:
            dropped = self.take_idle(self._orgs, time.monotonic() if now is None else now)
        for shared in dropped:
            shared.org.events.close()
        return len(dropped)

    def close(self) -> None:
        """End the event streams of every replica and the Redis connections (the server is stopping)."""
        self.live.stop()
        for shared in list(self._orgs.values()):
            shared.org.events.close()
        self.redis.close()

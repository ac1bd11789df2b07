"""One process's replica of an org kept in Redis: its shared write lock."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..domain.errors import ApiError
from ..domain.org import Org
from . import redis_format as fmt

if TYPE_CHECKING:   # the store makes replicas and hands them itself
    from .redis import RedisStore


class StoreBusy(ApiError):
    """Another process held the org's write lock for longer than a write may wait."""
    status, code, title = 503, "store_busy", "The org is busy"


class SharedLock:
    """An org's write lock across processes: the org's own lock, then its Redis lock (reentrant per thread).

    Taking it catches the replica up; letting it go saves the fields the write changed (the org tells it
    which: `note`), or nothing when the write failed, in which case the replica reloads what Redis holds.
    """

    def __init__(self, store: RedisStore, org: Org, own):
        self.store, self.org, self.own = store, org, own
        self.depth, self.token, self.holder = 0, None, None
        self.pending: list[tuple] = []   # live events of the write in progress: published once it is saved
        self.changed: set[str] = set()   # fields this write changed
        self.everything = False          # a write of many records at once: every field is saved
        self.keyed: dict[str, dict] = {}  # tokens, files: a shallow copy from before the write
        self.version: int | None = None  # the version the replica holds (None: reload whole before use)
        self.cursor = "0-0"              # the org's change log entry the replica holds
        self.incarnation: str | None = None   # changes when the org is reset or imported
        self.dead = False   # reset by another process: this replica's writes are dropped, as on a reset here
        self.rng_before = None

    # -- what a write changed (called by the Org under its lock) --------------------------------------------

    def note(self, kind: str, record) -> None:
        """A record of `kind` was stored or changed."""
        field = fmt.record_field(kind, record)
        if field is None:
            self.everything = True
        else:
            self.changed.add(field)

    def note_removal(self, kind: str, record_id: str) -> None:
        """A record of `kind` is being removed."""
        field = fmt.removal_field(kind, record_id)
        if field is None:
            self.everything = True
        else:
            self.changed.add(field)

    def note_part(self, part: str) -> None:
        """The org's bookkeeping `part` is being written."""
        if part in fmt.PARTS:
            self.changed.add(f"part:{part}")
        elif part in fmt.KEYED_PARTS:
            self.keyed.setdefault(part, dict(getattr(self.org, part)))
        elif part not in fmt.RECORD_PARTS:
            self.everything = True

    def note_everything(self) -> None:
        """A write of many records at once."""
        self.everything = True

    # -- the lock ------------------------------------------------------------------------------------------

    def __enter__(self):
        self.own.acquire()
        self.depth += 1
        if self.depth == 1:
            self.holder = threading.get_ident()
            try:
                self.token, version = self.store.take(self.org.name)
                self.catch_up(version)
                self.rng_before = self.org.rng.getstate()   # tokens draw from it without naming it
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
        changed, everything, self.changed, self.everything = self.changed, self.everything, set(), False
        keyed, self.keyed = self.keyed, {}
        if failed or self.dead:   # nothing half-made is shared; this replica reloads what Redis holds
            self.version = None
            self.store.call(self.store.release, self.org.name, token)
            return
        changed.add("part:ids")   # ids are drawn by most writes and cost a few bytes
        for part, before in keyed.items():
            changed |= fmt.keyed_fields(self.org, part, before)
        if self.org.rng.getstate() != self.rng_before:
            changed.add("part:rng")
        try:
            answer = self.store.persist(self.org, token, self.incarnation, None if everything else changed)
        except ApiError:
            self.version = None   # Redis went away mid-write: the replica reloads what Redis kept
            raise
        if answer is None:
            self.dead = True   # reset meanwhile: like a write to a dropped org, it is not kept
            return
        if answer == "lost":
            self.version = None
            raise StoreBusy(f"the write lock of org {self.org.name} expired before the write ended; "
                            "it was not saved")
        self.version, self.cursor = answer
        if events:
            self.store.live.publish(self.org.events, events)

    def catch_up(self, version: int | None = -1) -> None:
        """Apply what other processes wrote since (`version`: Redis's, already read; -1: read it now)."""
        with self.own:
            if version == -1:
                version = self.store.version(self.org.name)
            if self.dead or (version is not None and version == self.version):
                return
            if self.version is not None and self.store.apply_log(self):
                return
            raw = self.store.load(self.org.name)
            if raw is None or raw["incarnation"] != self.incarnation:
                self.dead = True   # reset (and maybe rebuilt) elsewhere: the store swaps in a new replica
                return
            self.org.adopt(self.store.build(raw))
            self.version, self.cursor = raw["version"], raw["cursor"]

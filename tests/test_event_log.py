"""The org's event log: ordered, indexed by customer, waking only the streams an event concerns."""
from __future__ import annotations

import threading

from mock_server.domain.events import EventLog


def _log() -> EventLog:
    log = EventLog(limit=50, per_customer=20)
    log.emit("a1", {}, "alice")
    log.emit("b1", {}, "bob")
    log.emit("all", {}, None)
    log.emit("a2", {}, "alice")
    return log


def test_since_gives_a_customers_events_and_broadcasts_in_order():
    log = _log()
    assert [e.name for e in log.since(0, "alice")] == ["a1", "all", "a2"]
    assert [e.name for e in log.since(1, "alice")] == ["all", "a2"]
    assert [e.name for e in log.since(0, "bob")] == ["b1", "all"]
    assert [e.name for e in log.since(0, "carol")] == ["all"]
    assert [e.name for e in log.since(2)] == ["all", "a2"]


def test_a_wait_ends_only_for_an_event_of_its_customer():
    log = _log()
    woke = {}

    def wait(customer):
        woke[customer] = log.wait(log.last_id, 2.0, customer)

    waiters = [threading.Thread(target=wait, args=(c,)) for c in ("alice", "bob")]
    for thread in waiters:
        thread.start()
    while len(log._waiting) < 2:   # both are waiting before the event is written
        threading.Event().wait(0.001)
    log.emit("a3", {}, "alice")
    waiters[0].join(1.0)
    assert woke == {"alice": True}
    log.close()
    waiters[1].join(1.0)
    assert woke == {"alice": True, "bob": True}


def test_a_wait_for_every_customer_sees_any_event():
    log = _log()
    assert log.wait(log.last_id - 1, 0.0) is True
    assert log.wait(log.last_id, 0.0) is False


def test_a_broadcast_wakes_every_customer():
    log = _log()
    head = log.last_id
    log.emit("everyone", {}, None)
    assert log.wait(head, 0.0, "bob") and log.wait(head, 0.0, "carol")


def test_the_log_keeps_its_bounds():
    log = EventLog(limit=5, per_customer=3)
    for n in range(10):
        log.emit(f"e{n}", {}, "alice")
    assert [e.name for e in log.since(0, "alice")] == ["e7", "e8", "e9"]
    assert [e.name for e in log.since(0)] == ["e5", "e6", "e7", "e8", "e9"]
    assert log.last_id == 10

"""The event stream's generator: resume by id, no event lost or doubled, windows, cuts, stream slots."""
from __future__ import annotations

import json

import pytest

from mock_server import events as sse
from mock_server.domain.events import EventLog


def _frames(chunks):
    """The (id, name, payload) of every data frame in the chunks."""
    found = []
    for chunk in chunks:
        for block in chunk.split("\n\n"):
            lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
            if "data" in lines:
                data = json.loads(lines["data"])
                found.append((int(lines["id"]), data["name"], data["payload"]))
    return found


class FakeClock:
    """Monotonic seconds that move only when the stream waits."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def _run(log, customer, cursor, window=1.0, cut_after=None):  # ends before it would wait
    return list(sse.stream(log, customer, cursor, window=window, hydrate=lambda e: e.payload, alive=lambda: True,
                           cut_after=cut_after, clock=FakeClock()))


def _log_with(events):
    log = EventLog()
    for name, customer in events:
        log.emit(name, {"n": log.last_id + 1}, customer)
    return log


def test_a_stream_sends_only_its_customers_events_after_the_cursor():
    log = _log_with([("a", "c1"), ("b", "c2"), ("c", "c1"), ("d", None)])
    frames = _frames(_run(log, "c1", 1))
    assert [(i, n) for i, n, _ in frames if n != "__stream"] == [(3, "c"), (4, "d")]


def test_the_stream_opens_and_ends_with_a_marker_that_moves_the_last_event_id():
    log = _log_with([("a", "c1"), ("b", "c2")])
    frames = _frames(_run(log, "c1", 0))
    assert frames[0] == (0, "__stream", {"state": "open", "cursor": 0})
    assert frames[-1] == (2, "__stream", {"state": "window-end", "cursor": 2})


def test_resuming_from_any_id_loses_nothing_and_doubles_nothing():
    log = _log_with([(f"e{n}", "c1" if n % 3 else "c2") for n in range(1, 13)])
    everything = [i for i, n, _ in _frames(_run(log, "c1", 0)) if n != "__stream"]
    for cut in range(0, 6):
        first = [f for f in _frames(_run(log, "c1", 0, cut_after=cut)) if f[1] != "__stream"]
        resume_from = first[-1][0] if first else 0
        rest = [i for i, n, _ in _frames(_run(log, "c1", resume_from)) if n != "__stream"]
        assert [i for i, _, _ in first] + rest == everything


def test_a_cut_ends_the_stream_without_the_closing_marker():
    log = _log_with([("a", "c1"), ("b", "c1"), ("c", "c1")])
    frames = _frames(_run(log, "c1", 0, cut_after=2))
    assert [n for _, n, _ in frames] == ["__stream", "a", "b"]


@pytest.mark.parametrize(("header", "last_id", "cursor"), [
    (None, 7, 7),          # a new stream starts at the newest event
    ("", 7, 7),
    ("3", 7, 3),           # Last-Event-ID resumes after that id
    ("99", 7, 7),          # an id from before a reset cannot be ahead of the log
    ("-4", 7, 7),
    ("abc", 7, 7),
])
def test_start_cursor(header, last_id, cursor):
    log = _log_with([("x", "c")] * last_id)
    assert sse.start_cursor(log, header) == cursor


def test_stream_slots_refuse_past_the_limit_and_come_back():
    slots = sse.StreamSlots(2)
    assert [slots.acquire(), slots.acquire(), slots.acquire()] == [True, True, False]
    slots.release()
    assert slots.open == 1 and slots.acquire() is True


def test_busy_answer_asks_the_browser_to_retry_later():
    assert sse.busy().startswith(f"retry: {sse.BUSY_RETRY_MS}\n")


def test_a_slotted_body_holds_its_slot_only_while_it_is_sent():
    slots = sse.StreamSlots(1)
    never_sent = sse.slotted(slots, lambda: iter(["a", "b"]))   # a HEAD: the body is made, never read
    never_sent.close()
    assert slots.open == 0
    started = sse.slotted(slots, lambda: iter(["a", "b"]))
    assert next(started) == "a" and slots.open == 1
    assert list(sse.slotted(slots, lambda: iter(["x"]))) == [sse.busy()]    # the only slot is taken
    started.close()                                                         # client gone, server stopping
    assert slots.open == 0

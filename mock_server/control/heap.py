"""The garbage collector around big states: its full passes wait while a state streams out or in.

A full pass walks every container the process holds (a million messages are about seven million)
and stops every thread while it runs, over a second for 100k conversations x 10 messages. Young
passes go on, so garbage of the moment is still collected; only the full pass waits for the end.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

NEVER = 2 ** 31 - 1   # the C int the collector compares its count of young passes with
_LOCK = threading.Lock()
_holders, _thresholds = 0, (700, 10, 10)


@contextmanager
def full_passes_deferred() -> Iterator[None]:
    """No automatic full collection while this (or another at the same time) runs."""
    global _holders, _thresholds
    with _LOCK:
        if _holders == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], NEVER)
        _holders += 1
    try:
        yield
    finally:
        with _LOCK:
            _holders -= 1
            if _holders == 0:
                gc.set_threshold(*_thresholds)

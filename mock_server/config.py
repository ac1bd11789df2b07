"""Settings with defaults; KUSTOMER_MOCK_* environment variables and flags override them."""
from __future__ import annotations

import os

TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class DefaultSettings:
    """The embedded defaults: in-memory state, bundled fixtures, loopback."""

    HOST = "127.0.0.1"
    PORT = 7700
    SEED = 1
    FIXTURES = None          # folder of *.yaml; None = the bundled fixtures
    STORE = "memory"
    THREADS = 64             # waitress's worker threads; a started event stream takes none (handoff.py)
    STREAM_SLOTS = 1000      # event streams open at once (one more is told to retry later)
    STREAM_SECONDS = 25      # an event stream ends after this and EventSource resumes it by Last-Event-ID
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    ADMIN_TOKEN = None       # set: every /__admin call but GET health needs 'Authorization: Bearer <it>'
    CORS_ORIGINS = None      # None: /c/ and /chat-web/ open to any origin; else a list (or comma string)
    MAX_HEADER_BYTES = 64 * 1024  # larger request headers answer 431 headers_too_large
    JOURNAL_SIZE = 1000      # requests the journal keeps (a ring: the oldest go first)
    FAULTS = None            # a fault scenario (name or YAML file) loaded at boot
    FAULT_HANG_MAX_SECONDS = 120  # a `hang` fault answers nothing for at most this long
    STATE_FILE = None        # JSON state loaded at boot, saved on shutdown and POST /__admin/state/save
    SAVE_EVERY = 0           # seconds between saves of STATE_FILE while serving (0: on shutdown only)
    MAX_IMPORT_BYTES = 1024 ** 3   # PUT /__admin/state takes an export up to this size (others: MAX_CONTENT_LENGTH)
    ORG_IDLE_SECONDS = 0     # an org without a call for this long is dropped (0: never)
    JSON_SORT_KEYS = False
    WEBHOOK_TIMEOUT = 10     # seconds an endpoint has to answer a delivery 2xx (Kustomer: "a few seconds")


def parse_bool(text) -> bool:
    """A boolean from the environment, parsed rather than cast (bool("0") is True)."""
    if isinstance(text, bool):
        return text
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"not a boolean: {text!r}")


def env_default(name: str, default=None):
    """The value of KUSTOMER_MOCK_<NAME>, or `default`."""
    return os.environ.get(f"KUSTOMER_MOCK_{name}", default)

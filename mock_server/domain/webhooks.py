"""Outbound webhooks of one org: the registrations, Kustomer's rules for them, and the event catalog."""
from __future__ import annotations

import copy
import ipaddress
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from .errors import ApiError, InvalidField, NotFound
from .ids import new_token
from .webhook_outbox import Outbox

KINDS = ("customer", "conversation", "message", "user", "team", "tag")
EVENTS = tuple(f"kustomer.{kind}.{action}" for kind in KINDS for action in ("create", "update"))
MAX_WEBHOOKS = 5        # "up to 5 outbound user-created webhooks at any time" (Help Center)
MAX_EVENTS = 12         # events per webhook ("<= 12 names from /events")
MAX_HEADERS = 10        # custom headers: undocumented; the mock allows 10
RESERVED_HEADERS = ("content-type", "content-length", "host", "x-kustomer-webhook-event",
                    "x-kustomer-webhook-signature")
# Hosts that are private by name rather than by address: docker-compose services, mDNS, cloud internals.
PRIVATE_SUFFIXES = (".local", ".internal", ".localhost", ".lan", ".home.arpa")
PART = "outbound_webhooks"   # the org's attribute holding its webhooks by id: a part of its state


class TooManyWebhooks(ApiError):
    """The org already has MAX_WEBHOOKS webhooks."""
    status, code, title = 409, "webhook_limit_reached", "Webhook limit reached"


class WebhookDisabled(ApiError):
    """A redelivery to a webhook that is turned off."""
    status, code, title = 409, "webhook_disabled", "Webhook disabled"


def event_name(kind: str, created: bool) -> str:
    """kustomer.<kind>.create or .update."""
    return f"kustomer.{kind}.{'create' if created else 'update'}"


def private_host(host: str) -> bool:
    """Whether `host` is loopback or private: an address in those ranges, localhost, or a local name."""
    host = host.strip("[]").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or "." not in host or host.endswith(PRIVATE_SUFFIXES)
    return address.is_loopback or address.is_private or address.is_link_local


def check_url(url: str) -> str:
    """https:// anywhere; http:// only to loopback and private hosts (so a local receiver works)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it raises ValueError for a port that is not a number in range)
    except ValueError:
        raise InvalidField(f"{url!r} is not a URL", pointer="/url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidField("the url must be an absolute https:// URL", pointer="/url")
    if parts.scheme == "http" and not private_host(parts.hostname):
        raise InvalidField("Kustomer requires https://; the mock also accepts http:// to loopback and "
                           f"private hosts only, and {parts.hostname} is neither", pointer="/url")
    return url


def check_headers(headers: list[dict]) -> list[dict]:
    """At most MAX_HEADERS custom headers, none of the headers the delivery itself sets."""
    if len(headers) > MAX_HEADERS:
        raise InvalidField(f"a webhook has at most {MAX_HEADERS} custom headers", pointer="/headers")
    for index, header in enumerate(headers):
        if header["name"].lower() in RESERVED_HEADERS:
            raise InvalidField(f"{header['name']} is set by every delivery and cannot be configured",
                               pointer=f"/headers/{index}/name")
    return [dict(h) for h in headers]


@dataclass
class Webhook:
    """One registered endpoint: what it subscribes to, how it is signed, whether it is on."""

    id: str
    name: str
    url: str
    events: list
    token: str
    created_at: str
    updated_at: str
    headers: list = field(default_factory=list)
    enabled: bool = True
    description: str | None = None
    source: str = "api"                 # api, fixtures or admin: where it was declared
    disabled_reason: str | None = None  # "failures" once the mock disabled it, as Kustomer does

    def wants(self, name: str) -> bool:
        """Whether this webhook is on and subscribes to the event `name`."""
        return self.enabled and name in self.events


class WebhookRegistry:
    """The webhooks of one org, in the order created.

    The registrations are a part of the org's state (`org.outbound_webhooks`), changed under its write
    lock like any other, so a store shared by processes shares them; the outbox is this process's handle
    on the pending deliveries (a shared store swaps in its own: store/redis_webhooks.py).
    """

    def __init__(self, org, declared: list[dict] | None = None):
        self._org = org
        self.outbox = Outbox()
        for fields in declared or []:
            self.create(dict(fields), source="fixtures")

    @property
    def webhooks(self) -> dict[str, Webhook]:
        """Every webhook by id (the org's own part, read as it stands)."""
        return self._org.outbound_webhooks

    def create(self, fields: dict, source: str = "api") -> Webhook:
        """A new webhook with a fresh signing token; 409 past MAX_WEBHOOKS (counted under the write lock)."""
        values = _checked(fields)
        token = values.pop("token", None)
        with self._org.writing(PART) as webhooks:
            webhook_id, token = self._org.new_id(), token or new_token(self._org.rng, prefix="")
            now = self._org.now()
            if len(webhooks) >= MAX_WEBHOOKS:
                raise TooManyWebhooks(f"an org has at most {MAX_WEBHOOKS} outbound webhooks; delete one first")
            webhook = Webhook(id=webhook_id, token=token, created_at=now, updated_at=now, source=source,
                              **values)
            webhooks[webhook.id] = webhook
        return webhook

    def get(self, webhook_id: str) -> Webhook:
        """A webhook by id, or NotFound."""
        webhook = self.webhooks.get(webhook_id)
        if webhook is None:
            raise NotFound(f"no outbound webhook {webhook_id}")
        return webhook

    def list(self) -> list[Webhook]:
        """Every webhook, oldest first."""
        with self._org.reading():
            return list(self.webhooks.values())

    def update(self, webhook_id: str, fields: dict) -> Webhook:
        """Change the fields sent; turned off, its pending deliveries are cancelled."""
        values = _checked(fields)
        with self._org.writing(PART):
            webhook = self.get(webhook_id)
            was_enabled = webhook.enabled
            for name, value in values.items():
                setattr(webhook, name, value)
            if "enabled" in values and values["enabled"]:
                webhook.disabled_reason = None
            webhook.updated_at = self._org.now()
        if was_enabled and not webhook.enabled:
            self.outbox.cancel(webhook.id)
        return webhook

    def delete(self, webhook_id: str) -> Webhook:
        """Remove a webhook; its deliveries stop."""
        with self._org.writing(PART) as webhooks:
            webhook = self.get(webhook_id)
            del webhooks[webhook_id]
        self.outbox.cancel(webhook_id)
        return webhook

    def disable(self, webhook_id: str, reason: str) -> Webhook | None:
        """Turn a webhook off (the mock does it when an endpoint keeps failing)."""
        with self._org.writing(PART) as webhooks:
            webhook = webhooks.get(webhook_id)
            if webhook is not None:
                webhook.enabled, webhook.disabled_reason = False, reason
                webhook.updated_at = self._org.now()
            return webhook

    def enabled(self, webhook_id: str) -> Webhook:
        """A webhook that is on, or NotFound / WebhookDisabled."""
        webhook = self.get(webhook_id)
        if not webhook.enabled:
            raise WebhookDisabled(f"outbound webhook {webhook_id} is disabled"
                                  f"{' after failing deliveries' if webhook.disabled_reason else ''}; enable it first")
        return webhook

    def receiving(self, webhook_id: str) -> bool:
        """Whether the webhook is still registered and on (a retry is queued only then)."""
        webhook = self.webhooks.get(webhook_id)
        return webhook is not None and webhook.enabled

    def subscribers(self, name: str) -> list[Webhook]:
        """The webhooks that get the event `name` now."""
        with self._org.reading():
            return [w for w in self.webhooks.values() if w.wants(name)]

    def export(self) -> list[dict]:
        """Every webhook as plain data (state export)."""
        with self._org.reading():
            return export_webhooks(self.webhooks)

    def restore(self, raw: list[dict]) -> None:
        """Replace every webhook with exported ones (state import)."""
        with self._org.writing(PART) as webhooks:
            webhooks.clear()
            webhooks.update(restore_webhooks(raw))


def export_webhooks(webhooks: dict[str, Webhook]) -> list[dict]:
    """Webhooks as plain data, oldest first (the state export's and a shared store's shape)."""
    return [asdict(w) for w in webhooks.values()]


def restore_webhooks(raw: list[dict]) -> dict[str, Webhook]:
    """Webhooks by id from their plain data."""
    return {w["id"]: Webhook(**copy.deepcopy(w)) for w in raw}


def check_declared(fields: dict) -> dict:
    """A webhook of the fixtures, checked as a create would be (before any org is built)."""
    return _checked(fields)


def _checked(fields: dict) -> dict:
    """The fields of a create or update, with Kustomer's rules applied (the schema checked the types)."""
    values = dict(fields)
    if "url" in values:
        check_url(values["url"])
    if "headers" in values:
        values["headers"] = check_headers(values["headers"] or [])
    if "events" in values:
        unknown = [e for e in values["events"] if e not in EVENTS]
        if unknown:
            raise InvalidField(f"{unknown[0]} is not a subscribable event; see GET /v1/outbound-webhooks/events",
                               pointer=f"/events/{values['events'].index(unknown[0])}")
        if len(values["events"]) > MAX_EVENTS:
            raise InvalidField(f"a webhook subscribes to at most {MAX_EVENTS} events", pointer="/events")
        values["events"] = list(dict.fromkeys(values["events"]))
    return values

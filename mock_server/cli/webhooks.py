"""kustomer-mock webhooks: list the registered webhooks, read (and follow) the delivery log, redeliver an event."""
from __future__ import annotations

import json
import sys
import time

import click

from ..client import AdminError, MockClient
from .common import admin_command
from .tables import table

_WEBHOOK_COLUMNS = ["org", "id", "name", "url", "enabled", "events", "pending"]
_LOG_COLUMNS = ["time", "org", "event", "eventId", "url", "attempt", "status", "error", "durationMs", "outcome",
                "nextRetryAt", "fault"]


@click.group()
def webhooks():
    """Outbound webhooks: list, log (--follow), redeliver."""


@admin_command(webhooks, "list")
@click.option("--org", help="Only this API key's org.")
def webhooks_list(client, org):
    """The webhooks of every org (or one), with their pending deliveries."""
    found = client.webhooks(org)
    # event names without their common "kustomer." prefix keep the table within the terminal
    shown = [{**w, "events": ", ".join(e.removeprefix("kustomer.") for e in w.get("events") or [])} for w in found]
    return {"webhooks": found}, table(shown, _WEBHOOK_COLUMNS)


@webhooks.command("log")
@click.option("--url", envvar="KUSTOMER_MOCK_URL", default="http://127.0.0.1:7700", show_default=True,
              help="Base URL of the mock (env KUSTOMER_MOCK_URL).")
@click.option("--admin-token", envvar="KUSTOMER_MOCK_ADMIN_TOKEN", help="Admin token, if the mock wants one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per line with --follow).")
@click.option("--org", help="Only this API key's org.")
@click.option("--event", help="Only this event name (kustomer.conversation.create).")
@click.option("--event-id", help="Only the attempts of this event.")
@click.option("--outcome", type=click.Choice(["delivered", "failed", "dropped", "held"]))
@click.option("--follow", is_flag=True, help="Keep printing new attempts.")
@click.option("--interval", type=float, default=0.5, show_default=True, help="Seconds between polls with --follow.")
@click.option("--timeout", type=float, help="Stop following after this many seconds.")
def webhooks_log(url, admin_token, as_json, follow, interval, timeout, **filters):
    """Every delivery attempt: event, endpoint, time, status or error, duration, next retry (and follow it)."""
    client = MockClient(url, admin_token)
    try:
        page = client.deliveries(**filters)
        if not follow:
            click.echo(json.dumps(page, indent=2) if as_json else table(page["deliveries"], _LOG_COLUMNS))
            return
        _follow(client, filters, page["deliveries"], as_json, interval, timeout)
    except AdminError as error:
        raise click.ClickException(str(error)) from None


def _follow(client, filters, attempts, as_json, interval, timeout) -> None:
    deadline = time.monotonic() + timeout if timeout else None
    seen: set = set()
    if not as_json:
        click.echo(table([], _LOG_COLUMNS).splitlines()[0])
    while True:
        for attempt in attempts:
            if (attempt["org"], attempt["id"]) in seen:
                continue
            seen.add((attempt["org"], attempt["id"]))
            click.echo(json.dumps(attempt) if as_json else table([attempt], _LOG_COLUMNS).splitlines()[1])
        sys.stdout.flush()
        if deadline is not None and time.monotonic() >= deadline:
            return
        time.sleep(interval)
        attempts = client.deliveries(**filters)["deliveries"]


@admin_command(webhooks, "redeliver")
@click.argument("key")
@click.argument("event_id")
@click.option("--webhook", "webhook_id", help="Only to this webhook (default: every webhook that got it).")
def webhooks_redeliver(client, key, event_id, webhook_id):
    """Send one event of KEY's org again, with the same id and body."""
    result = client.redeliver(key, event_id, webhook_id)
    return result, f"queued {result['queued']} delivery(ies) of {event_id}"


def register(cli: click.Group) -> None:
    """Add `webhooks` to the kustomer-mock group."""
    cli.add_command(webhooks)

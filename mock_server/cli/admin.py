"""The kustomer-mock commands that drive a running mock over its control API (thin, over client.py)."""
from __future__ import annotations

import json
import math
import os
import sys
import time

import click

from ..client import AdminError, MockClient
from ..control.rules import DROPS
from .common import URL_HELP, admin_command, failure, parse_rule, rule_set_commands
from .tables import follow_columns, follow_header, follow_row, table

@click.group()
def fault():
    """Fault rules: add, list, rm, clear, load a scenario."""


def _delay(text: str | None):
    if text is None:
        return None
    low, _, high = text.partition("-")
    try:
        numbers = [float(low), float(high)] if high else [float(low)]
    except ValueError:
        numbers = []
    if not numbers or not all(math.isfinite(n) for n in numbers):   # float() reads "nan" and "inf" too
        raise click.BadParameter("a number of ms, or MIN-MAX", param_hint="--delay-ms")
    return {"min": numbers[0], "max": numbers[1]} if high else numbers[0]


def _probability(ctx, param, value):
    if value is not None and not 0.0 <= value <= 1.0:   # false for nan as well
        raise click.BadParameter("a number from 0 to 1", param_hint="--probability")
    return value


@admin_command(fault, "add")
@click.option("--operation", help="SDK method or REST operation name (createConversation, ...).")
@click.option("--method", help="HTTP method.")
@click.option("--path", help="Path glob, e.g. '/c/*'.")
@click.option("--org", help="API key (or org name).")
@click.option("--status", type=int, help="Answer this error status.")
@click.option("--code", help="Error code of the answer.")
@click.option("--detail", help="Error detail of the answer.")
@click.option("--delay-ms", help="Delay in ms, or MIN-MAX.")
@click.option("--drop", type=click.Choice(DROPS), help="Drop the connection (cut: end an event stream).")
@click.option("--times", type=int, help="Expire after N hits.")
@click.option("--after", type=int, help="Let the first N matching calls through.")
@click.option("--probability", type=float, callback=_probability,
              help="Chance of acting on a matching call, 0 to 1 (seeded).")
@click.option("--rule", "raw", help="The whole rule as JSON (flags are merged into it).")
def fault_add(client, operation, method, path, org, status, code, detail, delay_ms, drop, times, after,
              probability, raw):
    """Add a fault rule."""
    rule = parse_rule(raw)
    match = {k: v for k, v in (("operation", operation), ("method", method), ("path", path), ("org", org)) if v}
    if match:
        rule["match"] = {**rule.get("match", {}), **match}
    if status:
        rule["respond"] = {k: v for k, v in (("status", status), ("code", code), ("detail", detail)) if v}
    options = {"delayMs": _delay(delay_ms), "drop": drop, "times": times, "after": after,
               "probability": probability}
    rule.update({k: v for k, v in options.items() if v is not None})
    added = client.add_fault(rule)
    return added, f"added {added['id']}"


_FAULT_COLUMNS = ["id", "match", "respond", "delayMs", "drop", "times", "after", "probability", "hits", "expired"]
_FAULT_OPTIONAL = ("delayMs", "drop", "times", "after", "probability")


rule_set_commands(fault, "fault", _FAULT_COLUMNS, optional=_FAULT_OPTIONAL)


@admin_command(fault, "load")
@click.argument("name_or_file")
def fault_load(client, name_or_file):
    """Add a scenario's rules: a bundled name (chat-outage, ...) or a YAML file."""
    if name_or_file.endswith((".yaml", ".yml")) or "/" in name_or_file:
        if not os.path.isfile(name_or_file):
            raise click.ClickException(f"no such file: {name_or_file} (give a YAML file, or a scenario name such "
                                       "as chat-outage: see kustomer-mock fault scenarios)")
    added = client.load_scenario(name_or_file)
    return {"faults": added}, table(added, _FAULT_COLUMNS, optional=_FAULT_OPTIONAL)


@admin_command(fault, "scenarios")
def fault_scenarios(client):
    """List the scenarios the mock can load by name."""
    found = client.scenarios()
    return {"scenarios": found}, table(found, ["name", "faults", "description"])


_JOURNAL_COLUMNS = ["id", "time", "org", "operation", "status", "durationMs", "fault", "method", "path"]
_JOURNAL_DROPPABLE = ("path", "method")   # a narrow terminal keeps the rest; --json has everything


@click.command()
@click.option("--url", envvar="KUSTOMER_MOCK_URL", default="http://127.0.0.1:7700", show_default=True, help=URL_HELP)
@click.option("--admin-token", envvar="KUSTOMER_MOCK_ADMIN_TOKEN", help="Admin token, if the mock wants one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per line with --follow).")
@click.option("--operation", help="Only this operation.")
@click.option("--org", help="Only this API key (or org name).")
@click.option("--status", help="Only this status (429), class (5xx) or 'dropped'.")
@click.option("--since", help="Only entries at or after this mock-clock time.")
@click.option("--after", type=int, help="Only entries after this id (a script's own window).")
@click.option("--limit", type=int, help="Only the newest N.")
@click.option("--follow", is_flag=True, help="Keep printing new entries.")
@click.option("--interval", type=float, default=0.5, show_default=True, help="Seconds between polls with --follow.")
@click.option("--timeout", type=float, help="Stop following after this many seconds.")
def journal(url, admin_token, as_json, operation, org, status, since, after, limit, follow, interval, timeout):
    """Show the request journal (and follow it)."""
    client, filters = MockClient(url, admin_token), {"operation": operation, "org": org, "status": status}
    try:
        page = client.requests(since=since, after=after, limit=limit, **filters)
        if not follow:
            click.echo(json.dumps(page, indent=2) if as_json
                       else table(page["requests"], _JOURNAL_COLUMNS, droppable=_JOURNAL_DROPPABLE))
            return
        _follow(client, filters, page["requests"], as_json, interval, timeout)
    except AdminError as error:
        raise failure(error) from None


def _follow(client, filters, entries, as_json, interval, timeout) -> None:
    deadline = time.monotonic() + timeout if timeout else None
    last = max((e["id"] for e in entries), default=0)
    columns = follow_columns(_JOURNAL_COLUMNS, _JOURNAL_DROPPABLE)
    if not as_json:
        click.echo(follow_header(columns))
    while True:
        for entry in entries:
            click.echo(json.dumps(entry) if as_json else follow_row(entry, columns))
        sys.stdout.flush()
        if deadline is not None and time.monotonic() >= deadline:
            return
        time.sleep(interval)
        entries = client.requests(after=last, **filters)["requests"]
        last = max([last] + [e["id"] for e in entries])


def register(cli: click.Group) -> None:
    """Add fault and journal to the kustomer-mock group."""
    cli.add_command(fault)
    cli.add_command(journal)

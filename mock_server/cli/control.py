"""The kustomer-mock commands for reset, org settings, the clock and the whole state."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from ..client import AdminError, MockClient
from .common import admin_command
from .tables import table


@click.group()
def root():
    """Holder of the commands below until register() moves them onto the main group."""


@admin_command(root, "reset")
@click.option("--org", help="Reset only this API key's org.")
def reset(client, org):
    """Every org (or one) back to its fixtures and seed."""
    result = client.reset(org)
    return result, f"reset {'org ' + org if org else 'every org'}"


@admin_command(root, "settings")
@click.argument("key")
@click.option("--availability", type=click.Choice(["online", "offline", "hidden", "disabled", "scheduled"]))
@click.option("--start-delay-ms", type=float, help="How long start takes, in ms.")
@click.option("--allow-end/--no-allow-end", default=None, help="Whether customers may end chats.")
@click.option("--default-assistant", help="Assistant id used when start names none ('none' to unset).")
def settings(client, key, availability, start_delay_ms, allow_end, default_assistant):
    """Show or change an org's chat settings at run time."""
    changes = {"availability": availability, "start_delay_ms": start_delay_ms, "allow_end_conversation": allow_end}
    changes = {k: v for k, v in changes.items() if v is not None}
    if default_assistant is not None:
        changes["default_assistant_id"] = None if default_assistant == "none" else default_assistant
    result = client.settings(key, **changes) if changes else client.org(key)["settings"]
    shown = {k: result.get(k) for k in ("availability", "startDelayMs", "allowEndConversation", "activeAssistant")}
    return result, table([shown], list(shown))


@click.group()
def clock():
    """The mock clock: show, freeze, advance, resume."""


def _clock_table(state: dict) -> str:
    return table([state], ["now", "frozen", "offsetSeconds"])


@admin_command(clock, "show")
def clock_show(client):
    """Show the mock time."""
    state = client.clock()
    return state, _clock_table(state)


@admin_command(clock, "freeze")
@click.argument("at")
def clock_freeze(client, at):
    """Stop the clock at an ISO time (2030-01-02T03:04:05.000Z)."""
    state = client.freeze(at)
    return state, _clock_table(state)


def _forward(ctx, param, value):
    if value < 0:
        raise click.BadParameter(f"{value:g}: the mock clock only moves forward; to go back, freeze it at an "
                                 "earlier time (kustomer-mock clock freeze 2030-01-02T03:04:05Z)")
    return value


@admin_command(clock, "advance", context_settings={"ignore_unknown_options": True})  # so -5 is a value
@click.argument("seconds", type=float, callback=_forward)
def clock_advance(client, seconds):
    """Move the clock forward by SECONDS."""
    state = client.advance(seconds)
    return state, _clock_table(state)


@admin_command(clock, "resume")
def clock_resume(client):
    """Run with real time again."""
    state = client.resume()
    return state, _clock_table(state)


@click.group()
def state():
    """The whole state: export, import, save."""


@admin_command(state, "export")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def state_export(client, output):
    """Print (or write) every org as versioned JSON."""
    document = client.export_state()
    if output:
        with open(output, "w", encoding="utf-8") as out:
            json.dump(document, out)
        return {"path": output, "orgs": len(document["orgs"])}, f"wrote {len(document['orgs'])} org(s) to {output}"
    return document, json.dumps(document)


@admin_command(state, "import")
@click.argument("source", type=click.Path(allow_dash=True, dir_okay=False))
def state_import(client, source):
    """Replace every org with a state file's (or stdin's with '-')."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        document = json.loads(text)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot read {source}: {error}") from None
    result = client.import_state(document)
    return result, f"imported {result['imported']} org(s)"


@admin_command(state, "save")
def state_save(client):
    """Make the mock write its --state-file now."""
    result = client.save_state()
    return result, f"saved {result['orgs']} org(s) to {result['path']}"


@click.command()
@click.option("--url", envvar="KUSTOMER_MOCK_URL", default="http://127.0.0.1:7700", show_default=True,
              help="Base URL of the mock (env KUSTOMER_MOCK_URL).")
@click.option("--timeout", type=float, default=60, show_default=True, help="Give up after this many seconds.")
def wait(url, timeout):
    """Wait until the mock answers its health check (for scripts that start it in the background)."""
    client, deadline = MockClient(url), time.monotonic() + timeout
    while True:
        try:
            health = client.health()
        except AdminError as error:
            if time.monotonic() >= deadline:
                raise click.ClickException(f"no answer after {timeout:g}s: {error}") from None
            time.sleep(0.1)
            continue
        click.echo(f"kustomer-mock {health.get('version', '')} is up at {client.url}")
        return


def register(cli: click.Group) -> None:
    """Add reset, settings, clock, state and wait to the kustomer-mock group."""
    cli.add_command(wait)
    for command in (reset, settings):
        cli.add_command(command)
    cli.add_command(clock)
    cli.add_command(state)

"""The kustomer-mock stub commands: answer calls with any status, body and headers (over /__admin/stubs)."""
from __future__ import annotations

import click

from ..strict_json import loads
from .common import admin_command, parse_rule, rule_set_commands

_STUB_COLUMNS = ["id", "match", "respond", "times", "hits"]


@click.group()
def stub():
    """Stubs: answer an operation or path with any status and body (add, list, rm, clear)."""


def _body(text: str | None):
    if text is None:
        return None
    if text.startswith("@"):
        try:
            with open(text[1:], encoding="utf-8") as source:
                text = source.read()
        except OSError as error:
            raise click.BadParameter(f"cannot read {text[1:]}: {error.strerror}", param_hint="--body") from None
    try:
        return loads(text)
    except ValueError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--body") from None


def _headers(pairs) -> dict:
    headers = {}
    for pair in pairs:
        name, colon, value = pair.partition(":")
        if not colon or not name.strip():
            raise click.BadParameter(f"{pair!r} is not 'Name: value'", param_hint="--header")
        headers[name.strip()] = value.strip()
    return headers


@admin_command(stub, "add")
@click.option("--operation", help="SDK method or REST operation name (getConversations, ...).")
@click.option("--method", help="HTTP method.")
@click.option("--path", help="Path glob, e.g. '/v1/customers*'.")
@click.option("--org", help="API key (or org name).")
@click.option("--status", type=int, default=200, show_default=True, help="Status of the answer (200-599).")
@click.option("--body", help="JSON body of the answer, or @FILE.")
@click.option("--text", help="A raw (non-JSON) body instead.")
@click.option("--header", "headers", multiple=True, help="'Name: value' header of the answer (repeatable).")
@click.option("--delay-ms", type=float, help="Delay the answer by this many ms.")
@click.option("--times", type=int, help="Expire after N hits.")
@click.option("--rule", "raw", help="The whole stub as JSON (flags are merged into it).")
def stub_add(client, operation, method, path, org, status, body, text, headers, delay_ms, times, raw):
    """Add a stub: matching calls get this answer instead of the mock's own."""
    rule = parse_rule(raw)
    match = {k: v for k, v in (("operation", operation), ("method", method), ("path", path), ("org", org)) if v}
    if match:
        rule["match"] = {**rule.get("match", {}), **match}
    respond = {**rule.get("respond", {}), "status": status}
    respond.update({k: v for k, v in (("body", _body(body)), ("text", text), ("headers", _headers(headers)))
                    if v not in (None, {})})
    rule["respond"] = respond
    rule.update({k: v for k, v in (("delayMs", delay_ms), ("times", times)) if v is not None})
    added = client.add_stub(rule)
    return added, f"added {added['id']}"


rule_set_commands(stub, "stub", _STUB_COLUMNS)


def register(cli: click.Group) -> None:
    """Add the stub group to the kustomer-mock group."""
    cli.add_command(stub)

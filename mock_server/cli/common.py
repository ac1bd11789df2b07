"""What the control commands share: --url, --admin-token and --json, the error line, --rule."""
from __future__ import annotations

import functools
import json

import click

from ..client import AdminError, MockClient
from ..strict_json import loads
from .tables import table

URL_HELP = "Base URL of the mock (env KUSTOMER_MOCK_URL)."


def failure(error: AdminError) -> click.ClickException:
    """The CLI's line for a control API error, with the way out when there is a usual one."""
    message = str(error)
    if error.status == 401:
        message += "; this mock wants its admin token: pass --admin-token TOKEN or set KUSTOMER_MOCK_ADMIN_TOKEN"
    elif error.status == 403 and error.code == "admin_token_invalid":
        message += "; --admin-token (or KUSTOMER_MOCK_ADMIN_TOKEN) is not the token the mock was started with"
    elif error.status is None:
        message += " (is it running? start it with scripts/run or kustomer-mock serve; --url or KUSTOMER_MOCK_URL " \
                   "names another)"
    return click.ClickException(message)


def admin_command(group, name: str | None = None, **settings):
    """A command with --url, --admin-token and --json that receives a MockClient and prints its result."""
    def wrap(function):
        @group.command(name=name, **settings)
        @click.option("--url", envvar="KUSTOMER_MOCK_URL", default="http://127.0.0.1:7700", show_default=True,
                      help=URL_HELP)
        @click.option("--admin-token", envvar="KUSTOMER_MOCK_ADMIN_TOKEN", help="Admin token, if the mock wants one.")
        @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
        @functools.wraps(function)
        def command(url, admin_token, as_json, **kwargs):
            client = MockClient(url, admin_token)
            try:
                result = function(client, **kwargs)
            except AdminError as error:
                raise failure(error) from None
            if result is not None:
                show, table = result if isinstance(result, tuple) else (result, None)
                click.echo(json.dumps(show, indent=2) if as_json or table is None else table)
        return command
    return wrap


def parse_rule(text: str | None) -> dict:
    """--rule as a JSON object (standard JSON, as the mock reads it), or a usage error."""
    if not text:
        return {}
    try:
        rule = loads(text)
    except ValueError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--rule") from None
    if not isinstance(rule, dict):
        raise click.BadParameter("a JSON object such as '{\"drop\": \"reset\"}'", param_hint="--rule")
    return rule


def rule_set_commands(group, noun: str, columns: list[str], optional: tuple = ()) -> None:
    """The list, rm and clear commands of a rule set on `group` (fault rules, stubs): one shape for both.

    `noun` names the set in the client's methods (faults(), remove_fault(), clear_faults()) and in the output.
    """
    plural, label = f"{noun}s", "fault rule" if noun == "fault" else noun

    def list_rules(client):
        rules = getattr(client, plural)()
        return {plural: rules}, table(rules, columns, optional=optional)
    list_rules.__doc__ = f"List the {label}s in the order they are tried."

    def remove_rules(client, rule_ids):
        removed = [getattr(client, f"remove_{noun}")(rule_id) for rule_id in rule_ids]
        return {"removed": removed}, f"removed {' '.join(r['id'] for r in removed)}"
    remove_rules.__doc__ = f"Remove {label}s by id."

    def clear_rules(client):
        count = getattr(client, f"clear_{plural}")()
        return {"removed": count}, f"removed {count} {label}(s)"
    clear_rules.__doc__ = f"Remove every {label}."

    admin_command(group, "list")(list_rules)
    admin_command(group, "rm")(click.argument("rule_ids", metavar=f"{noun.upper()}_IDS...", nargs=-1,
                                              required=True)(remove_rules))
    admin_command(group, "clear")(clear_rules)

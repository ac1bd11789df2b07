"""`kustomer-mock token`: a login JWT for an org, as the page's server would sign it."""
from __future__ import annotations

import click

from .common import admin_command

DEFAULT_KEY = "default"   # any key the fixtures do not name has the default org's chat secret


@click.group()
def root():
    """Holder of the command below until register() moves it onto the main group."""


@admin_command(root, "token")
@click.option("--email", help="The customer's email (wins over --external-id, as at Kustomer).")
@click.option("--external-id", help="The customer's external id.")
@click.option("--key", envvar="KUSTOMER_MOCK_KEY", default=DEFAULT_KEY, show_default=True,
              help="API key of the org whose chatSecret signs the token (read from the running mock).")
@click.option("--secret", help="Sign with this secret instead of asking the mock (iat: the real time).")
@click.option("--iat", type=float, help="Issued-at, in seconds since the epoch (default: now, on the mock clock).")
def token(client, email, external_id, key, secret, iat):
    """Print a login JWT (HS256) for Kustomer.login({jwtToken})."""
    if not email and not external_id:
        raise click.UsageError("give --email or --external-id")
    if secret:
        from ..domain.identity import make_login_token
        jwt = make_login_token(secret, email=email, external_id=external_id, iat=iat)
    else:
        jwt = client.login_token(key, email=email, external_id=external_id, iat=iat)
    return {"jwtToken": jwt}, jwt


def register(cli: click.Group) -> None:
    """Put the token command on the main group."""
    cli.add_command(token)

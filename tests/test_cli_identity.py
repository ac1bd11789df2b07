"""`kustomer-mock token` and MockClient.login_token against a real, admin-guarded server."""
from __future__ import annotations

import json

import jwt
import pytest
import requests

from mock_server import create_app
from mock_server.cli import main
from mock_server.client import MockClient
from mock_server.domain.identity import make_login_token, verify_login_token
from mock_server.serving import ServerThread

ADMIN = "cli-identity-admin"
SECRET = "a-chat-secret-of-at-least-32-bytes!"


@pytest.fixture(scope="module")
def server():
    """A mock of this module's own, with an admin token."""
    with ServerThread(create_app({"ADMIN_TOKEN": ADMIN}), kind="waitress") as served:
        yield served


@pytest.fixture
def admin(server):
    """A client with the admin token, on a running clock."""
    client = MockClient(server.url, ADMIN)
    client.resume()
    return client


@pytest.fixture
def run(server, capsys):
    """Run `kustomer-mock ARGS`; answers (exit code, stdout, stderr)."""
    def invoke(*args):
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out.strip(), err
    return invoke


def _login(server, key: str, token: str) -> requests.Response:
    auth = {"Authorization": f"Bearer {key}"}
    tracking = requests.post(f"{server.url}/c/v1/tracking/tokens", headers=auth, timeout=5).json()["trackingToken"]
    return requests.post(f"{server.url}/c/v1/identity", json={"jwtToken": token}, timeout=5,
                         headers={**auth, "x-kustomer-tracking-token": tracking})


def test_token_with_a_secret_needs_no_server(run):
    code, out, _ = run("token", "--secret", SECRET, "--email", "a@b.c", "--iat", "1900000000")
    assert code == 0
    assert jwt.get_unverified_header(out) == {"alg": "HS256", "typ": "JWT"}
    assert jwt.decode(out, SECRET, algorithms=["HS256"], options={"verify_iat": False}) == {"email": "a@b.c",
                                                                                          "iat": 1900000000}
    assert verify_login_token(out, SECRET, 1900000000) == {"email": "a@b.c", "externalId": None}


def test_token_reads_the_orgs_secret_from_the_running_mock(run, server):
    code, out, _ = run("token", "--email", "cli@example.com", "--key", "cli-id-key", "--url", server.url,
                       "--admin-token", ADMIN)
    assert code == 0
    rv = _login(server, "cli-id-key", out)
    assert rv.status_code == 200 and rv.json()["email"] == "cli@example.com"


def test_token_for_an_external_id_as_json(run, server):
    code, out, _ = run("token", "--external-id", "123", "--key", "cli-id-key-2", "--url", server.url,
                       "--admin-token", ADMIN, "--json")
    assert code == 0
    rv = _login(server, "cli-id-key-2", json.loads(out)["jwtToken"])
    assert rv.json()["externalId"] == "123"


def test_token_needs_an_identity_and_the_admin_token(run, server):
    assert run("token", "--secret", SECRET)[0] == 2
    code, _, err = run("token", "--email", "a@b.c", "--url", server.url)
    assert code == 1 and "401" in err


def test_the_client_signs_on_the_mock_clock(admin, server):
    admin.freeze("2031-05-06T07:08:09.000Z")
    token = admin.login_token("cli-id-key-3", email="future@example.com")
    assert jwt.decode(token, options={"verify_signature": False})["iat"] == 1935817689
    assert _login(server, "cli-id-key-3", token).status_code == 200
    # a token signed on the wall clock is years old for this mock
    secret = admin.org("cli-id-key-3")["chatSecret"]
    stale = _login(server, "cli-id-key-3", make_login_token(secret, email="future@example.com", iat=1_700_000_000))
    assert stale.json()["errors"][0]["code"] == "jwt_stale_iat"

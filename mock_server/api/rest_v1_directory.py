"""REST v1 (/v1), read-only: Klasses, the fixtures' users, teams, tags and queues, and the key check.

Real clients (workflow-automation connectors among them) list these before they create anything.
"""
from __future__ import annotations

from flask import Blueprint, request

from ..domain import rest
from ..schemas import rest_v1_resources as r
from ..schemas.common import shared
from ..schemas.jsonapi import DirectoryListQuery, ListQuery
from .context import api_key
from .docs import operation
from .server_context import document, guard, listing, server_org

bp = Blueprint("rest_v1_directory", __name__, url_prefix="/v1")
guard(bp, rate_limited=True)
KEY = "key"


@bp.get("/auth/tokens/current", endpoint="getCurrentToken")
@operation(response=r.TokenDocument, auth=KEY)
def get_current_token():
    """Check the API key: its org and roles (the key itself is never echoed)."""
    org, key = server_org(), api_key()
    token_id = rest.stable_id(org.name, "token", key)
    attributes = {"name": f"key-{token_id[:8]}", "org": rest.stable_id(org.name),
                  "roles": list(org.roles.get(key, ()))}
    return document(r.TokenDocument, {"type": "auth_token", "id": token_id, "attributes": attributes,
                                      "links": {"self": "/v1/auth/tokens/current"}})


def _directory(kind: str, path: str, records_of, query=ListQuery):
    paging = shared(query).load(request.args)
    records = records_of(server_org())
    return listing(r.DirectoryList, records, paging, lambda record: r.directory(kind, path, record))


@bp.get("/users", endpoint="getUsers")
@operation(query=DirectoryListQuery, response=r.DirectoryList, auth=KEY)
def get_users():
    """The org's users (agents), up to 500 a page."""
    return _directory("user", "/v1/users", lambda org: org.users, DirectoryListQuery)


@bp.get("/teams", endpoint="getTeams")
@operation(query=DirectoryListQuery, response=r.DirectoryList, auth=KEY)
def get_teams():
    """The org's teams with their members, up to 500 a page."""
    return _directory("team", "/v1/teams", lambda org: org.teams, DirectoryListQuery)


@bp.get("/tags", endpoint="getTags")
@operation(query=ListQuery, response=r.DirectoryList, auth=KEY)
def get_tags():
    """The org's tags."""
    return _directory("tag", "/v1/tags", lambda org: org.tags)


@bp.get("/routing/queues", endpoint="getQueues")
@operation(query=ListQuery, response=r.DirectoryList, auth=KEY)
def get_queues():
    """The org's routing queues."""
    return _directory("queue", "/v1/routing/queues", lambda org: org.queues)

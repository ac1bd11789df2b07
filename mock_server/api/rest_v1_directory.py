"""REST v1 (/v1) users, teams, tags and queues (from the fixtures or created here), and the key check.

Real clients (workflow-automation connectors among them) list these before they create anything.
"""
from __future__ import annotations

from flask import Blueprint, request

from ..caller import current_caller
from ..domain import directory, rest
from ..schemas import rest_v1_directory as s
from ..schemas import rest_v1_resources as r
from ..schemas.common import shared
from ..schemas.jsonapi import DirectoryListQuery, ListQuery
from .context import JSON_PATCH, json_body
from .docs import operation
from .server_context import document, guard, listing, server_org

bp = Blueprint("rest_v1_directory", __name__, url_prefix="/v1")
guard(bp, rate_limited=True)
KEY = "key"


@bp.get("/auth/tokens/current", endpoint="getCurrentToken")
@operation(response=r.TokenDocument, auth=KEY)
def get_current_token():
    """Check the API key: its org and roles (the key itself is never echoed)."""
    org, key = server_org(), current_caller().key
    token_id = rest.stable_id(org.name, "token", key)
    attributes = {"name": f"key-{token_id[:8]}", "org": rest.stable_id(org.name),
                  "roles": list(current_caller().roles)}
    return document(r.TokenDocument, {"type": "auth_token", "id": token_id, "attributes": attributes,
                                      "links": {"self": "/v1/auth/tokens/current"}})


def _directory(kind: str, path: str, records_of, query=ListQuery):
    paging = shared(query).load(request.args)
    records = records_of(server_org())
    return listing(r.DirectoryList, records, paging, lambda record: r.directory(kind, path, record))


@bp.get("/users", endpoint="getUsers")
@operation(query=DirectoryListQuery, response=r.DirectoryList, auth=KEY)
def get_users():
    """The org's users (agents), up to 500 a page; ?email= or ?userType= filter them."""
    email, user_type = request.args.get("email"), request.args.get("userType")

    def users(org):
        return [u for u in org.users if (not email or (u.get("email") or "").lower() == email.lower())
                and (not user_type or u.get("userType", "user") == user_type)]
    return _directory("user", "/v1/users", users, DirectoryListQuery)


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


# -- one record, and the writes ---------------------------------------------------------------------

def _one(kind: str, path: str, record: dict):
    return document(r.DirectoryDocument, r.directory(kind, path, record))


def _user(record: dict):
    return _one("user", "/v1/users", record)


def _team(record: dict):
    return _one("team", "/v1/teams", record)


@bp.get("/users/current", endpoint="getCurrentUser")
@operation(response=r.DirectoryDocument, auth=KEY)
def get_current_user():
    """The user behind the API key: a machine user named after the key, with the key's roles."""
    org, key = server_org(), current_caller().key
    user_id = rest.stable_id(org.name, "token", key)
    return _user({"id": user_id, "name": f"API key {user_id[:8]}", "userType": "machine",
                  "roles": list(current_caller().roles)})


@bp.get("/users/<user_id>", endpoint="getUser")
@operation(response={"oneOf": [r.DirectoryDocument, r.DirectoryList]}, auth=KEY)
def get_user(user_id):
    """A user by id; comma-separated ids answer the list of those users."""
    user_ids = user_id
    org = server_org()
    if "," not in user_ids:
        return _user(directory.find(org.users, user_ids, "user"))
    found = [directory.find(org.users, user_id, "user") for user_id in user_ids.split(",")]
    paging = shared(DirectoryListQuery).load(request.args)
    return listing(r.DirectoryList, found, paging, lambda u: r.directory("user", "/v1/users", u))


@bp.post("/users", endpoint="createUser")
@operation(body=s.UserBody, response=r.DirectoryDocument, status=201, auth=KEY)
def create_user():
    """Invite a user (an agent); 409 when the email is taken."""
    fields = shared(s.UserBody).load(json_body())
    return _user(directory.create_user(server_org(), fields)), 201


@bp.put("/users/<user_id>", endpoint="updateUser")
@operation(body=s.UserPatch, response=r.DirectoryDocument, auth=KEY)
def update_user(user_id):
    """Change a user's name, display name, avatar, roles, ..."""
    fields = shared(s.UserPatch).load(json_body())
    return _user(directory.update_user(server_org(), user_id, fields))


@bp.get("/users/<user_id>/teams", endpoint="getUserTeams")
@operation(query=DirectoryListQuery, response=r.DirectoryList, auth=KEY)
def get_user_teams(user_id):
    """The teams a user belongs to."""
    return _directory("team", "/v1/teams", lambda org: directory.teams_of(org, user_id), DirectoryListQuery)


@bp.get("/teams/<team_id>", endpoint="getTeam")
@operation(response=r.DirectoryDocument, auth=KEY)
def get_team(team_id):
    """A team by id, with its members."""
    return _team(directory.find(server_org().teams, team_id, "team"))


@bp.post("/teams", endpoint="createTeam")
@operation(body=s.TeamBody, response=r.DirectoryDocument, status=201, auth=KEY)
def create_team():
    """A new team; members must be users of the org."""
    fields = shared(s.TeamBody).load(json_body())
    return _team(directory.create_team(server_org(), fields)), 201


@bp.put("/teams/<team_id>", endpoint="putTeam")
@bp.patch("/teams/<team_id>", endpoint="updateTeam")
@operation(body=s.TeamPatch, response=r.DirectoryDocument, auth=KEY)
def update_team(team_id):
    """Change a team's name, display name, icon or members."""
    fields = shared(s.TeamPatch).load(json_body(JSON_PATCH))
    return _team(directory.update_team(server_org(), team_id, fields))


@bp.delete("/teams/<team_id>", endpoint="deleteTeam")
@operation(status=204, auth=KEY)
def delete_team(team_id):
    """Delete a team."""
    directory.delete_team(server_org(), team_id)
    return "", 204


def _members() -> list[str]:
    return shared(s.Members).load(json_body())["members"]


@bp.post("/teams/<team_id>/members", endpoint="addTeamMembers")
@operation(body=s.Members, response=r.DirectoryDocument, auth=KEY)
def add_team_members(team_id):
    """Add users to a team: {members: [user ids]}."""
    return _team(directory.change_members(server_org(), team_id, _members(), add=True))


@bp.delete("/teams/<team_id>/members", endpoint="removeTeamMembers")
@operation(body=s.Members, response=r.DirectoryDocument, auth=KEY)
def remove_team_members(team_id):
    """Remove users from a team."""
    return _team(directory.change_members(server_org(), team_id, _members(), add=False))


@bp.get("/tags/<tag_id>", endpoint="getTag")
@operation(response=r.DirectoryDocument, auth=KEY)
def get_tag(tag_id):
    """A tag by id."""
    return _one("tag", "/v1/tags", directory.find(server_org().tags, tag_id, "tag"))


@bp.get("/routing/queues/<queue_id>", endpoint="getQueue")
@operation(response=r.DirectoryDocument, auth=KEY)
def get_queue(queue_id):
    """A routing queue by id (DEFAULT_QUEUE is the org's system queue)."""
    return _one("queue", "/v1/routing/queues", directory.find(server_org().queues, queue_id, "queue"))


@bp.get("/shortcuts", endpoint="getShortcuts")
@operation(query=ListQuery, response=r.DirectoryList, auth=KEY)
def get_shortcuts():
    """The org's shortcuts (saved replies agents insert)."""
    return _directory("shortcut", "/v1/shortcuts", lambda org: org.shortcuts)


@bp.get("/shortcuts/<shortcut_id>", endpoint="getShortcut")
@operation(response=r.DirectoryDocument, auth=KEY)
def get_shortcut(shortcut_id):
    """A shortcut by id."""
    return _one("shortcut", "/v1/shortcuts", directory.find(server_org().shortcuts, shortcut_id, "shortcut"))


@bp.get("/slas", endpoint="getSlas")
@operation(query=ListQuery, response=r.SlaList, auth=KEY)
def get_slas():
    """The org's SLA policies: the mock's orgs have none (versions, when asked for, come under included)."""
    answer = _directory("sla", "/v1/slas", lambda org: [])
    return {**answer, "included": []}


@bp.get("/orgs/current", endpoint="getCurrentOrg")
@operation(response=r.DirectoryDocument, auth=KEY)
def get_current_org():
    """The key's org: its id and name (the id every resource's relationships.org names)."""
    org = server_org()
    org_id = rest.stable_id(org.name)
    return _one("org", "/v1/orgs", {"id": org_id, "name": org.name,
                                    "displayName": org.settings.get("teamName") or org.name})


@bp.get("/brands", endpoint="getBrands")
@operation(query=ListQuery, response=r.DirectoryList, auth=KEY)
def get_brands():
    """The org's brands."""
    return _directory("brand", "/v1/brands", lambda org: org.brands)


@bp.get("/brands/<brand_id>", endpoint="getBrand")
@operation(response=r.DirectoryDocument, auth=KEY)
def get_brand(brand_id):
    """A brand by id."""
    return _one("brand", "/v1/brands", directory.find(server_org().brands, brand_id, "brand"))

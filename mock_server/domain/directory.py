"""REST v1 users and teams: the org's agents and their teams, from the fixtures or created over REST."""
from __future__ import annotations

from typing import TYPE_CHECKING

import copy

from .errors import Conflict, NotFound
from .models import Customer

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

_USER_FIELDS = ("name", "email", "displayName", "avatarUrl", "mobile", "emailSignature", "userType", "roleGroups",
                "roles")
_TEAM_FIELDS = ("name", "displayName", "icon", "members", "externalId", "importedAt")


def find(records: list[dict], record_id: str, kind: str) -> dict:
    """A user, team, tag or queue by id, or NotFound naming the kind."""
    found = next((r for r in records if r["id"] == record_id), None)
    if found is None:
        raise NotFound(f"no {kind} {record_id} in this org")
    return found


def _check_members(org: Org, members: list | None, pointer: str = "/members") -> None:
    users = {u["id"] for u in org.users}
    for index, member in enumerate(members or []):
        if member not in users:
            raise NotFound(f"no user {member} in this org", pointer=f"{pointer}/{index}")


def create_user(org: Org, fields: dict) -> dict:
    """POST /v1/users: a new user (an invited agent); 409 when the email is taken."""
    if any((u.get("email") or "").lower() == fields["email"].lower() for u in org.users):
        raise Conflict(f"a user with the email {fields['email']} already exists", pointer="/email")
    now = org.now()
    user = {"id": org.new_id(), **{k: copy.deepcopy(fields[k]) for k in _USER_FIELDS if k in fields},
            "createdAt": now, "updatedAt": now}
    user.setdefault("userType", "user")
    return org.add("user", user)


def _update(org: Org, kind: str, records: list[dict], record_id: str, fields: dict, allowed: tuple) -> dict:
    """The fields sent (of `allowed`) change on a user or team; the change is announced."""
    record = find(records, record_id, kind)
    with org.change(kind, record, deep=True):
        record.update({k: copy.deepcopy(fields[k]) for k in allowed if k in fields})
        record["updatedAt"] = org.now()
    return record


def update_user(org: Org, user_id: str, fields: dict) -> dict:
    """PUT /v1/users/{id}: the fields sent change."""
    return _update(org, "user", org.users, user_id, fields, _USER_FIELDS)


def teams_of(org: Org, user_id: str) -> list[dict]:
    """GET /v1/users/{id}/teams: the teams the user is a member of."""
    find(org.users, user_id, "user")
    return [t for t in org.teams if user_id in t.get("members", [])]


def create_team(org: Org, fields: dict) -> dict:
    """POST /v1/teams: a new team; its members must be users of the org."""
    _check_members(org, fields.get("members"))
    now = fields.get("createdAt") or org.now()
    team = {"id": org.new_id(), "members": [], **{k: copy.deepcopy(fields[k]) for k in _TEAM_FIELDS if k in fields},
            "createdAt": now, "updatedAt": now}
    return org.add("team", team)


def update_team(org: Org, team_id: str, fields: dict) -> dict:
    """PUT/PATCH /v1/teams/{id}: the fields sent change."""
    _check_members(org, fields.get("members"))
    return _update(org, "team", org.teams, team_id, fields, _TEAM_FIELDS)


def change_members(org: Org, team_id: str, members: list[str], add: bool) -> dict:
    """POST (add) or DELETE (remove) /v1/teams/{id}/members."""
    team = find(org.teams, team_id, "team")
    if add:
        _check_members(org, members)
    with org.change("team", team, deep=True):
        current = team.setdefault("members", [])
        team["members"] = current + [m for m in members if m not in current] if add else \
            [m for m in current if m not in members]
        team["updatedAt"] = org.now()
    return team


def delete_team(org: Org, team_id: str) -> None:
    """DELETE /v1/teams/{id}: the team goes; conversations keep no dangling assignment to it."""
    team = find(org.teams, team_id, "team")
    with org.writing("teams"):   # the team and every assignment to it go in one step
        org.remove("team", team["id"])
        for conversation in [c for c in org.conversations.values() if team_id in c.assigned_teams]:
            with org.change("conversation", conversation):
                conversation.assigned_teams = [t for t in conversation.assigned_teams if t != team_id]


# -- who wrote a message ------------------------------------------------------------------------

def user(org: Org, user_id: str, pointer: str) -> dict:
    """An org user by id, or NotFound pointing at the field that named it."""
    found = next((u for u in org.users if u["id"] == user_id), None)
    if found is None:
        raise NotFound(f"no user {user_id} in this org", pointer=pointer)
    return found


def user_sender(found: dict) -> dict:
    """The sentBy of a message written by an org user."""
    return {"type": "user", "id": found["id"], "displayName": found.get("displayName") or found.get("name"),
            "avatarUrl": found.get("avatarUrl")}


def customer_sender(customer: Customer) -> dict:
    """The sentBy of a message written by the customer."""
    return {"type": "customer", "id": customer.id, "displayName": customer.name or "Customer"}

"""REST v1 users and teams: the org's agents and their teams, from the fixtures or created over REST."""
from __future__ import annotations

import copy

from .errors import Conflict, NotFound

_USER_FIELDS = ("name", "email", "displayName", "avatarUrl", "mobile", "emailSignature", "userType", "roleGroups",
                "roles")
_TEAM_FIELDS = ("name", "displayName", "icon", "members", "externalId", "importedAt")


def find(records: list[dict], record_id: str, kind: str) -> dict:
    """A user, team, tag or queue by id, or NotFound naming the kind."""
    found = next((r for r in records if r["id"] == record_id), None)
    if found is None:
        raise NotFound(f"no {kind} {record_id} in this org")
    return found


def _check_members(org, members: list | None, pointer: str = "/members") -> None:
    users = {u["id"] for u in org.users}
    for index, member in enumerate(members or []):
        if member not in users:
            raise NotFound(f"no user {member} in this org", pointer=f"{pointer}/{index}")


def create_user(org, fields: dict) -> dict:
    """POST /v1/users: a new user (an invited agent); 409 when the email is taken."""
    if any((u.get("email") or "").lower() == fields["email"].lower() for u in org.users):
        raise Conflict(f"a user with the email {fields['email']} already exists", pointer="/email")
    now = org.now()
    user = {"id": org.new_id(), **{k: copy.deepcopy(fields[k]) for k in _USER_FIELDS if k in fields},
            "createdAt": now, "updatedAt": now}
    user.setdefault("userType", "user")
    with org.lock:
        org.users.append(user)
    org.record_changed("user", user)
    return user


def _update(org, kind: str, records: list[dict], record_id: str, fields: dict, allowed: tuple) -> dict:
    """The fields sent (of `allowed`) change on a user or team; the change is announced."""
    record = find(records, record_id, kind)
    before = copy.deepcopy(record)
    with org.lock:
        record.update({k: copy.deepcopy(fields[k]) for k in allowed if k in fields})
        record["updatedAt"] = org.now()
    org.record_changed(kind, record, before)
    return record


def update_user(org, user_id: str, fields: dict) -> dict:
    """PUT /v1/users/{id}: the fields sent change."""
    return _update(org, "user", org.users, user_id, fields, _USER_FIELDS)


def teams_of(org, user_id: str) -> list[dict]:
    """GET /v1/users/{id}/teams: the teams the user is a member of."""
    find(org.users, user_id, "user")
    return [t for t in org.teams if user_id in t.get("members", [])]


def create_team(org, fields: dict) -> dict:
    """POST /v1/teams: a new team; its members must be users of the org."""
    _check_members(org, fields.get("members"))
    now = fields.get("createdAt") or org.now()
    team = {"id": org.new_id(), "members": [], **{k: copy.deepcopy(fields[k]) for k in _TEAM_FIELDS if k in fields},
            "createdAt": now, "updatedAt": now}
    with org.lock:
        org.teams.append(team)
    org.record_changed("team", team)
    return team


def update_team(org, team_id: str, fields: dict) -> dict:
    """PUT/PATCH /v1/teams/{id}: the fields sent change."""
    _check_members(org, fields.get("members"))
    return _update(org, "team", org.teams, team_id, fields, _TEAM_FIELDS)


def change_members(org, team_id: str, members: list[str], add: bool) -> dict:
    """POST (add) or DELETE (remove) /v1/teams/{id}/members."""
    team = find(org.teams, team_id, "team")
    if add:
        _check_members(org, members)
    before = copy.deepcopy(team)
    with org.lock:
        current = team.setdefault("members", [])
        team["members"] = current + [m for m in members if m not in current] if add else \
            [m for m in current if m not in members]
        team["updatedAt"] = org.now()
    org.record_changed("team", team, before)
    return team


def delete_team(org, team_id: str) -> None:
    """DELETE /v1/teams/{id}: the team goes; conversations keep no dangling assignment to it."""
    team = find(org.teams, team_id, "team")
    with org.lock:
        org.teams.remove(team)
        for conversation in org.conversations.values():
            if team_id in conversation.assigned_teams:
                conversation.assigned_teams = [t for t in conversation.assigned_teams if t != team_id]

"""REST v1 notes: internal notes on a conversation, written by org users."""
from __future__ import annotations

from typing import TYPE_CHECKING

import copy

from . import ratelimit
from .errors import Conflict, NotFound
from .models import Note
from .directory import user

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

_FIELDS = ("external_id", "user_mentions", "attachments", "lang", "imported_at")


def _check_mentions(org: Org, mentions: list) -> None:
    teams = {t["id"] for t in org.teams}
    for index, mention in enumerate(mentions or []):
        if mention.get("user"):
            user(org, mention["user"], f"/userMentions/{index}/user")
        if mention.get("team") and mention["team"] not in teams:
            raise NotFound(f"no team {mention['team']} in this org", pointer=f"/userMentions/{index}/team")


def create_note(org: Org, conversation_id: str, fields: dict) -> Note:
    """POST /v1/conversations/{id}/notes (or /v1/notes with conversation in the body)."""
    conversation = org.conversation(conversation_id)
    _check_mentions(org, fields.get("user_mentions"))
    if fields.get("created_by"):
        user(org, fields["created_by"], "/createdBy")
    if fields.get("id") and fields["id"] in org.notes:
        raise Conflict(f"a note {fields['id']} already exists", pointer="/id", meta={"existingId": fields["id"]})
    ratelimit.count_creation(org, conversation.customer_id, "note")
    now = fields.get("created_at") or org.now()
    values = {k: copy.deepcopy(fields[k]) for k in _FIELDS if fields.get(k) is not None}
    note = Note(id=fields.get("id") or org.new_id(), conversation_id=conversation.id,
                customer_id=conversation.customer_id, body=fields["body"], created_at=now, updated_at=now,
                created_by=fields.get("created_by"), **values)
    return org.add("note", note)


def note(org: Org, note_id: str) -> Note:
    """A note by id, or NotFound."""
    found = org.notes.get(note_id)
    if found is None:
        raise NotFound(f"no note {note_id}")
    return found


def update_note(org: Org, note_id: str, changes: dict) -> Note:
    """PUT/PATCH /v1/notes/{id}: the fields sent change; deleted: true removes it."""
    found = note(org, note_id)
    if changes.get("conversation") and changes["conversation"] != found.conversation_id:
        raise NotFound(f"note {note_id} is not on conversation {changes['conversation']}", pointer="/conversation")
    _check_mentions(org, changes.get("user_mentions"))
    if changes.get("deleted"):
        org.remove("note", found.id)
        return found
    with org.change("note", found, deep=True):
        for name in (*_FIELDS, "body"):
            if name in changes:
                setattr(found, name, copy.deepcopy(changes[name]))
        found.updated_at = org.now()
        found.rev += 1
    return found


def delete_note(org: Org, note_id: str) -> None:
    """DELETE /v1/notes/{id}."""
    org.remove("note", note(org, note_id).id)


def notes(org: Org, conversation_id: str | None = None, sort: str = "desc") -> list[Note]:
    """The org's notes (or one conversation's), newest first by default."""
    if conversation_id is not None:
        org.conversation(conversation_id)
    with org.reading():
        found = [n for n in org.notes.values() if conversation_id is None or n.conversation_id == conversation_id]
    return sorted(found, key=lambda n: n.created_at, reverse=sort == "desc")

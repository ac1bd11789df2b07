"""An event's payload: the resource exactly as GET /v1/... returns it, the envelope, the changes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import json

from ..domain.rest import conversation_counts, stable_id
from ..schemas import rest_v1_resources as r
from ..schemas.common import shared

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from ..domain.org import Org

DIRECTORY_PATHS = {"user": "/v1/users", "team": "/v1/teams", "tag": "/v1/tags"}


def webhook_resource(org: Org, kind: str, record) -> dict:
    """The JSON:API resource of a record, built and dumped by REST v1's own builders and schemas."""
    if kind == "customer":
        item, schema = r.customer(record, conversation_counts(org, record.id)), r.CustomerDocument
    elif kind == "conversation":
        item, schema = r.conversation(record), r.ConversationDocument
    elif kind == "message":
        item, schema = r.message_of(org, record), r.MessageDocument
    else:
        item, schema = r.directory(kind, DIRECTORY_PATHS[kind], record), r.DirectoryDocument
    return shared(schema).dump({"data": r.with_org(item, org.name)})["data"]


def changes(before: dict, after: dict) -> dict:
    """{attributes: {name: {op, before, after}}, relationships: {...}} of what differs between two dumps."""
    found: dict = {"attributes": {}, "relationships": {}}
    for part, changed in found.items():
        old, new = before.get(part) or {}, after.get(part) or {}
        for name in [*new, *(n for n in old if n not in new)]:
            if old.get(name) != new.get(name):
                changed[name] = {"op": "replace", "before": old.get(name), "after": new.get(name)}
    return found


def envelope(org: Org, event_id: str, name: str, data: dict, change: dict | None, created_at: str) -> dict:
    """The event as Kustomer posts it: id, name, org, partition, data, changes, createdAt (and the extras seen)."""
    org_id = stable_id(org.name)
    return {"id": event_id, "name": name, "org": org_id, "orgName": org.name, "partition": org_id,
            "data": data, "dataId": data["id"], "changes": change, "createdAt": created_at, "persist": True,
            "client": "kustomer-mock", "snsFilters": [],
            "meta": {"customChanged": bool(change and "custom" in (change.get("attributes") or {}))}}


def encode(document: dict) -> str:
    """The exact body sent (and signed): compact JSON, fixed once so retries resend the same bytes."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)

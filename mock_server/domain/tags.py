"""Tags: names or ids in, ids stored; an unknown name creates the tag, as Kustomer's tag routes do."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import NotFound
from .ids import is_id

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org


def tag_by_name(org: Org, name: str) -> dict | None:
    """The org's tag with this name (case-insensitive), or None."""
    return next((t for t in org.tags if t.get("name", "").lower() == name.lower()), None)


def resolve_tags(org: Org, items: list, pointer: str) -> list[str]:
    """Tag ids for names or ids: a known id stays, a name finds or creates its tag; an unknown id is 404."""
    known = {t["id"] for t in org.tags}
    ids: list[str] = []
    for index, item in enumerate(items):
        if is_id(item):
            if item not in known and tag_by_name(org, item) is None:
                raise NotFound(f"no tag {item} in this org", pointer=f"{pointer}/{index}")
            tag_id = item if item in known else tag_by_name(org, item)["id"]
        else:
            tag_id = (tag_by_name(org, item) or _create_tag(org, item))["id"]
            known.add(tag_id)
        if tag_id not in ids:
            ids.append(tag_id)
    return ids


def _create_tag(org: Org, name: str) -> dict:
    now = org.now()
    tag = {"id": org.new_id(), "name": name, "createdAt": now, "updatedAt": now}
    return org.add("tag", tag)


def remove_tags(org: Org, current: list[str], items: list) -> list[str]:
    """`current` without the tags named (by id or name); names that match nothing are ignored."""
    drop = set()
    for item in items:
        tag = tag_by_name(org, item)
        drop.add(tag["id"] if tag else item)
    return [t for t in current if t not in drop]

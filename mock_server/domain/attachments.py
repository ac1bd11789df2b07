"""Attachments: files uploaded by customers and agents, checked against Kustomer's chat limits, served back."""
from __future__ import annotations

from typing import TYPE_CHECKING

import mimetypes

from .errors import ApiError, InvalidField, NotFound

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

MAX_FILE_BYTES = 5 * 1024 * 1024      # per attachment, as Kustomer's chat SDK documents (reference 3.7)
MAX_MESSAGE_BYTES = 9 * 1024 * 1024   # all attachments of one message
ALLOWED_PREFIXES = ("image/", "video/")
ALLOWED_TYPES = ("application/pdf",)
MAX_NAME_CHARS = 256
AGENTS = "agents"   # the owner of files uploaded through /v2.1: any agent of the org may send them


class AttachmentTooLarge(ApiError):
    """One file over the per-attachment limit."""
    status, code, title = 413, "attachment_too_large", "Attachment too large"


class AttachmentsTooLarge(ApiError):
    """The attachments of one message together over the per-message limit."""
    status, code, title = 413, "attachments_too_large", "Attachments too large"


class UnsupportedAttachmentType(ApiError):
    """A file that is not an image, a video or a PDF."""
    status, code, title = 415, "unsupported_attachment_type", "Unsupported attachment type"


def content_type_of(name: str, declared: str | None) -> str:
    """The declared type, or the one the file name suggests when the browser sent none."""
    if declared and declared != "application/octet-stream":
        return declared.lower()
    return (mimetypes.guess_type(name)[0] or declared or "application/octet-stream").lower()


def check(name: str, content_type: str, size: int | None, pointer: str = "/file") -> None:
    """Kustomer's per-file rules: an image, a video or a PDF of at most 5 MB (its name and type fit in a header)."""
    if any(c in text for text in (name, content_type) for c in "\r\n\x00"):   # both are served back as headers
        raise InvalidField(f"{name!r} ({content_type!r}): a file's name and type may not hold line breaks or NUL",
                           pointer=pointer)
    if not (content_type.startswith(ALLOWED_PREFIXES) or content_type in ALLOWED_TYPES):
        raise UnsupportedAttachmentType(f"{name} is {content_type}: chat attachments are images, videos and PDFs",
                                        pointer=pointer)
    if size is not None and size > MAX_FILE_BYTES:
        raise AttachmentTooLarge(f"{name} has {size} bytes: an attachment may have at most {MAX_FILE_BYTES} "
                                 f"bytes (5 MB)", pointer=pointer)


def upload(org: Org, owner: str, name: str, content_type: str, data: bytes, base_url: str) -> dict:
    """Store one checked file of `owner` (a customer id, or AGENTS); answers its description."""
    name = (name or "file")[-MAX_NAME_CHARS:]
    content_type = content_type_of(name, content_type)
    check(name, content_type, len(data))
    with org.writing("files") as files:
        file_id = org.new_id()
        url = f"{base_url.rstrip('/')}/c/v1/chat/attachments/{file_id}?key={_chat_key(org)}"
        described = {"_id": file_id, "name": name, "contentType": content_type, "contentLength": len(data),
                     "url": url}
        files[file_id] = {"owner": owner, "data": data, "createdAt": org.now(), **described}
    return described


def _chat_key(org: Org) -> str:
    """A key of the org that a browser may show: one with the tracking role (the chat key)."""
    keys = [key for key, roles in org.roles.items() if "org.tracking" in roles]
    return (keys or list(org.roles) or [org.name])[0]


def resolve(org: Org, owner: str, items: list | None) -> list:
    """A message's attachments: uploads named by id become their description; the total is checked."""
    resolved = []
    for index, item in enumerate(items or []):
        if item.get("id"):
            stored = org.files.get(item["id"])
            if stored is None or stored["owner"] != owner:
                raise NotFound(f"no uploaded attachment {item['id']} of this sender",
                               pointer=f"/attachments/{index}/id")
            resolved.append({k: stored[k] for k in ("_id", "name", "contentType", "contentLength", "url")})
        else:   # described only (no upload): the same rules on what it says
            check(item["name"], item["contentType"].lower(), item.get("contentLength"),
                  pointer=f"/attachments/{index}")
            resolved.append(item)
    total = sum(a.get("contentLength") or 0 for a in resolved)
    if total > MAX_MESSAGE_BYTES:
        raise AttachmentsTooLarge(f"the attachments add up to {total} bytes: a message may carry at most "
                                  f"{MAX_MESSAGE_BYTES} bytes (9 MB)", pointer="/attachments")
    return resolved


def stored(org: Org, file_id: str) -> dict:
    """An uploaded file with its bytes, or NotFound."""
    found = org.files.get(file_id)
    if found is None:
        raise NotFound(f"no attachment {file_id} (uploads live in memory: not in state exports)",
                       pointer="/attachmentId")
    return found

"""The control API's org-wide views (/__admin/orgs...): keys seen, every conversation, a thread, live events.

Reading here, rather than through /v1, keeps a watcher out of what it watches: these calls are never
journaled, never faulted, spend no /v1 budget and work for chat-only keys too.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from ... import events as sse
from .. import watch
from ..schemas import watch as s
from ...schemas.common import shared
from ...serving import SOCKET_KEY
from ...state import get_state
from ...api.docs import operation
from ...api.live import _hydrate, stream_slots

bp = Blueprint("admin_watch", __name__)   # mounted under /__admin by control/views/__init__.py


def _next(query: dict, more: bool) -> dict:
    """The `next` member of a page: the same path and query, one page on (none on the last page)."""
    if not more:
        return {}
    args = {**request.args.to_dict(), "page": query["page"] + 1, "pageSize": query["page_size"]}
    return {"next": f"{request.path}?{urlencode(args)}"}


@bp.get("/orgs", endpoint="listOrgs")
@operation(query=s.PageQuery, response=s.OrgKeyList)
def list_orgs():
    """The API keys seen since the last full reset (a page), with their org, roles and a key /v1 and /v2.1 accept."""
    query, store = shared(s.PageQuery).load(request.args), get_state().store
    every = store.keys()
    keys, more = watch.page(every, query["page"], query["page_size"])
    return shared(s.OrgKeyList).dump({"orgs": watch.describe_keys(store, keys), "total": len(every),
                                      **_next(query, more)})


@bp.get("/orgs/<key>/conversations", endpoint="listOrgConversations")
@operation(query=s.PageQuery, response=s.WatchedConversationList)
def list_org_conversations(key):
    """A page of the org's conversations, the most recently active first, with customer and unread count."""
    query = shared(s.PageQuery).load(request.args)
    rows, total, more = watch.conversations(get_state().store.org(key), query["page"], query["page_size"])
    return shared(s.WatchedConversationList).dump({"conversations": rows, "total": total, **_next(query, more)})


@bp.get("/orgs/<key>/conversations/<conversation_id>", endpoint="getOrgConversation")
@operation(response=s.WatchedThread)
def get_org_conversation(key, conversation_id):
    """One conversation of the org and every message of it, oldest first."""
    conversation, messages = watch.thread(get_state().store.org(key), conversation_id)
    return shared(s.WatchedThread).dump({"conversation": conversation, "messages": messages})


@bp.get("/orgs/<key>/events", endpoint="orgEventStream")
@operation(query=s.OrgEventQuery, media="text/event-stream")
def org_event_stream(key):
    """Every live event of the org, all customers (text/event-stream), resumable with Last-Event-ID."""
    query = shared(s.OrgEventQuery).load(request.args)
    store = get_state().store
    org = store.org(key)
    cursor = sse.start_cursor(org.events, request.headers.get("Last-Event-ID") or query.get("last_event_id"))
    slots = stream_slots()
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    window = float(current_app.config.get("STREAM_SECONDS", 25))

    # a reset drops the org: the stream ends and the watcher reconnects to the new one
    environ = request.environ
    sse.hand_off(environ)

    def body():
        sock = environ.get(SOCKET_KEY)   # read now: a handed-off stream writes on a socket of its own
        return sse.stream(org.events, None, cursor, window=window, alive=sse.watching(org, store, sock),
                          hydrate=lambda event: _hydrate(org, event), sock=sock)
    return Response(sse.slotted(slots, body), mimetype="text/event-stream", headers=headers)

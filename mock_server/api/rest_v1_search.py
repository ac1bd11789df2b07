"""REST v1 search: POST /v1/customers/search answers customers, conversations, messages, notes or KObjects."""
from __future__ import annotations

from flask import Blueprint, request

from ..domain import ratelimit, rest
from ..domain.search import Query
from ..schemas import rest_v1_resources as r
from ..schemas import rest_v1_search as s
from ..schemas.common import shared
from ..schemas.jsonapi import page_links
from .context import json_body
from .docs import operation
from .server_context import guard, server_org, with_org

bp = Blueprint("rest_v1_search", __name__, url_prefix="/v1")
guard(bp, rate_limited=True)
KEY = "key"

# how each context's records become resources, and the document schema that dumps them
_RESOURCES = {
    "customer": (r.CustomerDocument, lambda org, c: r.customer(c, rest.conversation_counts(org, c.id))),
    "conversation": (r.ConversationDocument, lambda org, c: r.conversation(c)),
    "message": (r.MessageDocument, r.message_of),
    "note": (r.NoteDocument, lambda org, n: r.note(n)),
    "kobject": (r.KObjectDocument, lambda org, k: r.kobject(k)),
}


def _search():
    paging = shared(s.SearchQuery).load(request.args)
    body = shared(s.SearchBody).load(json_body())
    org = server_org()
    query = Query(org, body)   # criteria are checked whole before the search is counted
    ratelimit.take_search(org)
    found = query.records()
    page = rest.paginate(found, paging["page"], paging["page_size"])
    schema, build = _RESOURCES.get(query.context, (None, None))   # contexts the mock keeps nothing of find nothing
    if paging["ids_only"]:
        data = [{"type": "customer" if query.context == "customer" else query.context, "id": x.id}
                for x in page["items"]]
    else:
        data = [shared(schema).dump({"data": with_org(build(org, item))})["data"] for item in page["items"]]
    params = {k: v for k, v in request.args.items() if k not in ("page", "pageSize")}
    params["pageSize"] = paging["page_size"]
    return shared(s.SearchResults).dump({
        "data": data, "meta": {**page, "aggregations": {}},
        "links": page_links(request.path, params, page["page"], page["total_pages"])})


@bp.post("/customers/search", endpoint="searchCustomers")
@operation(body=s.SearchBody, query=s.SearchQuery, response=s.SearchResults, auth=KEY)
def search():
    """Search any object type: queryContext picks it; criteria under and/or/not; 100 per minute per org."""
    return _search()


@bp.post("/customers/archive/search", endpoint="searchArchive")
@operation(body=s.SearchBody, query=s.SearchQuery, response=s.SearchResults, auth=KEY)
def search_archive():
    """The archive search: the mock keeps no archive, so it searches everything, like /customers/search."""
    return _search()

"""What the API-key surfaces (/v1, /v2.1) share: the role check, the rate limit, JSON:API documents."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, request

from ..caller import caller_if_any, current_caller
from ..domain import ratelimit
from ..domain.org import Org
from ..domain.rest import paginate, require_server_role
from ..schemas import rest_v1_resources as resources
from ..schemas.common import shared
from ..schemas.jsonapi import page_links


def server_org() -> Org:
    """The caller's org, once its key is known to hold a server role (a chat key gets 403)."""
    caller = current_caller()
    require_server_role(caller.org, caller.require_key())
    return caller.org


def guard(bp: Blueprint, rate_limited: bool) -> None:
    """Check the key's role before every view of `bp`, and (for /v1) spend and report the budget."""

    @bp.before_request
    def check_key():
        if request.method == "OPTIONS":  # CORS preflights carry no key
            return
        org = server_org()
        if rate_limited:
            current_caller().ratelimit_headers = ratelimit.take_request(org)

    if not rate_limited:
        return

    @bp.after_request
    def report_budget(response):
        caller = caller_if_any()
        for name, value in ((caller and caller.ratelimit_headers) or {}).items():
            response.headers.setdefault(name, value)
        return response


def with_org(item: dict) -> dict:
    """A REST v1 resource with its org relationship (the /v2.1 chat resources have none)."""
    if not request.path.startswith("/v1/") or "id" not in item:
        return item
    return resources.with_org(item, server_org().name)


def document(schema: type, item: dict) -> dict:
    """{data: item} dumped with a single-resource document schema."""
    return shared(schema).dump({"data": with_org(item)})


def listing(schema: type, records: list, paging: dict, build: Callable[[object], dict]) -> dict:
    """One page of `records` as a JSON:API list: data, meta {page, pageSize, total, totalPages}, links."""
    page = paginate(records, paging["page"], paging["page_size"])
    # links carry the page size served (a clamped or defaulted one, not the one asked for)
    query = {k: v for k, v in request.args.items() if k not in ("page", "pageSize")}
    query["pageSize"] = paging["page_size"]
    return shared(schema).dump({
        "data": [with_org(build(record)) for record in page["items"]],
        "meta": page, "links": page_links(request.path, query, page["page"], page["total_pages"])})

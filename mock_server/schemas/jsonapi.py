"""JSON:API pieces shared by REST v1 and the server chat API: resources, documents, paging, times."""
from __future__ import annotations

from datetime import timezone
from urllib.parse import urlencode

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from ..domain.clock import EARLIEST, LATEST, in_range, iso
from .common import Query

MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000   # far past any list the mock holds; a larger page number is a mistake (400)
MAX_DIRECTORY_PAGE_SIZE = 500  # users and teams: Kustomer allows up to 500 per page


class IsoTime(fields.Field):
    """An ISO 8601 time in, the canonical `2026-11-25T09:41:12.345Z` string out (naive = UTC)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = fields.AwareDateTime(default_timezone=timezone.utc).deserialize(value)
        except ValidationError:
            raise ValidationError("expected an ISO 8601 date-time string") from None
        if not in_range(moment):  # the mock clock's range: every time the mock writes has four-digit years
            raise ValidationError(f"a time between {iso(EARLIEST)} and {iso(LATEST)}")
        return iso(moment)

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class ListQuery(Query):
    """?page=1&pageSize=100&sort=desc: pages from 1, at most 100 per page.

    Kustomer's clients send pageSize=0 (a connector's first dropdown page) and sizes past the maximum
    (exports ask for 1000) and get answers: 0 or less means the default, more than the maximum is clamped.
    Parameters the list does not use (deleted=false, include=...) are ignored, as Kustomer ignores them.
    """

    class Meta:
        unknown = EXCLUDE

    max_page_size = MAX_PAGE_SIZE
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(data_key="pageSize", load_default=MAX_PAGE_SIZE,
                               validate=validate.Range(min=-MAX_PAGE, max=MAX_PAGE))
    sort = fields.String(load_default="desc", validate=validate.OneOf(("asc", "desc")))

    @post_load
    def clamp(self, data: dict, **kwargs) -> dict:
        """pageSize 0 or less: the default page; above the maximum: the maximum."""
        size = data["page_size"]
        data["page_size"] = MAX_PAGE_SIZE if size <= 0 else min(size, self.max_page_size)
        return data


class DirectoryListQuery(ListQuery):
    """Paging for users and teams: up to 500 per page."""

    max_page_size = MAX_DIRECTORY_PAGE_SIZE


class PageMeta(Schema):
    """meta of a list: {page, pageSize, total, totalPages}."""

    page = fields.Integer()
    page_size = fields.Integer(data_key="pageSize")
    total = fields.Integer()
    total_pages = fields.Integer(data_key="totalPages")


class PageLinks(Schema):
    """links of a list: self, first, prev, next (null on the last page), last."""

    self_ = fields.String(data_key="self", attribute="self")
    first = fields.String()
    prev = fields.String(allow_none=True)
    next = fields.String(allow_none=True)
    last = fields.String()


def documents(kind: str, attributes: type[Schema]) -> tuple[type[Schema], type[Schema]]:
    """The single-resource and list document schemas of one resource type."""
    resource = Schema.from_dict({"type": fields.String(), "id": fields.String(),
                                 "attributes": fields.Nested(attributes), "relationships": fields.Dict(),
                                 "links": fields.Dict()}, name=f"{kind}Resource")
    single = Schema.from_dict({"data": fields.Nested(resource)}, name=f"{kind}Document")
    many = Schema.from_dict({"data": fields.List(fields.Nested(resource)), "meta": fields.Nested(PageMeta),
                             "links": fields.Nested(PageLinks)}, name=f"{kind}ListDocument")
    return single, many


def resource(kind: str, record_id: str, attributes, relationships: dict | None = None,
             self_link: str | None = None) -> dict:
    """One JSON:API resource object; `attributes` is the record the attributes schema reads."""
    item = {"type": kind, "id": record_id, "attributes": attributes}
    if relationships:
        item["relationships"] = relationships
    if self_link:
        item["links"] = {"self": self_link}
    return item


def relation(kind: str, record_id: str | None, link: str | None = None) -> dict:
    """A to-one relationship: {data: {type, id}} (data null when unset), with a related link."""
    related = {"data": {"type": kind, "id": record_id} if record_id else None}
    if link:
        related["links"] = {"self": link}
    return related


def page_links(path: str, query: dict, page: int, total_pages: int) -> dict:
    """self/first/prev/next/last of one page, keeping the other query parameters."""
    # Kustomer writes page=N&pageSize=M together (a sync client matches "page=101&pageSize=100" exactly)
    others = {k: v for k, v in query.items() if k != "pageSize"}

    def link(number: int) -> str:
        params = {**others, "page": number, **({"pageSize": query["pageSize"]} if "pageSize" in query else {})}
        return f"{path}?{urlencode(params)}"
    # past the end, prev leads back to the last page (not to the empty page before this one)
    return {"self": link(page), "first": link(1), "prev": link(min(page - 1, total_pages)) if page > 1 else None,
            "next": link(page + 1) if page < total_pages else None, "last": link(total_pages)}

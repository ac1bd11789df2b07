"""Request and response schemas of Kustomer's search (POST /v1/customers/search)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from ..domain.search import MAX_PAGE
from .bounds import JsonObject, JsonSize
from .common import StrictBoolean
from .jsonapi import ListQuery, PageLinks, PageMeta

CONTEXT = r"^(company|customer|message|conversation|conversation_time|note|kobject|kobject_.*|work_session|work_item)$"
MAX_SEARCH_PAGE_SIZE = 500


class OneOrList(fields.Field):
    """A criterion object, or a list of at most `maximum` of them (Kustomer takes both)."""

    def __init__(self, maximum: int, **kwargs):
        super().__init__(**kwargs)
        self.maximum = maximum

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else [value]
        if len(items) > self.maximum:
            raise ValidationError(f"at most {self.maximum} items")
        if not all(isinstance(item, dict) for item in items):
            raise ValidationError("an object or a list of objects")
        return value


class SearchBody(Schema):
    """The search: a context, criteria under and/or/not, sort, and options the mock accepts and ignores."""

    query_context = fields.String(data_key="queryContext", validate=[validate.Length(max=300), validate.Regexp(
        CONTEXT, error="one of company, customer, message, conversation, conversation_time, note, kobject, "
                       "kobject_NAME, work_session, work_item")])
    and_ = OneOrList(20, data_key="and", attribute="and", validate=JsonSize())
    or_ = OneOrList(20, data_key="or", attribute="or", validate=JsonSize())
    not_ = OneOrList(20, data_key="not", attribute="not", validate=JsonSize())
    sort = OneOrList(5, validate=JsonSize(1024))
    fields_ = fields.List(fields.Raw(validate=JsonSize(256)), data_key="fields", attribute="fields",
                          validate=validate.Length(max=20, error="at most 20 fields"))
    aggs = JsonObject()
    time_zone = fields.String(data_key="timeZone", validate=validate.Length(max=64))
    include_deleted = StrictBoolean(data_key="includeDeleted")
    search_hash = fields.String(data_key="searchHash", validate=validate.Length(max=256))


class SearchQuery(ListQuery):
    """?page (at most 100, as Kustomer caps a query), pageSize (up to 500), idsOnly."""

    max_page_size = MAX_SEARCH_PAGE_SIZE
    page = fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=MAX_PAGE, error=f"search answers at most {MAX_PAGE} pages; move an updated_at window "
                                   "forward to read further"))
    ids_only = fields.Boolean(data_key="idsOnly", load_default=False, truthy={"true"}, falsy={"false"})


class SearchMeta(PageMeta):
    """meta of a search: paging, totals and (always empty) aggregations."""

    aggregations = fields.Dict()


SearchResults = Schema.from_dict({"data": fields.List(fields.Dict()), "meta": fields.Nested(SearchMeta),
                                  "links": fields.Nested(PageLinks)}, name="SearchResults")

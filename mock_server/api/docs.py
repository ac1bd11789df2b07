"""Marks on views that the OpenAPI document reads: request schemas, and the answer of each status."""
from __future__ import annotations


def operation(body=None, query=None, response=None, status: int = 200, auth: str = "none",
              responses: dict | None = None, errors: tuple = (), media: str | None = None, form=None):
    """Record what a view takes and answers for the OpenAPI document.

    `response` is the schema of the `status` answer; `responses` maps more success statuses to
    schemas; `errors` adds error statuses to the ones the document derives from the marks (see
    openapi.py); `media` is the type of a success answer that is not JSON (a script, a page, a stream);
    `form` is a multipart/form-data body.
    """
    def mark(view):
        view.openapi = {"body": body, "query": query, "response": response, "status": status, "auth": auth,
                        "responses": responses or {}, "errors": tuple(errors), "media": media, "form": form}
        return view
    return mark

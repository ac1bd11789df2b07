"""Marks on views that the OpenAPI document reads: request and response schemas per operation."""
from __future__ import annotations


def operation(body=None, query=None, response=None, status: int = 200, auth: str = "none", form=None):
    """Record the schemas of a view for the OpenAPI document (`form`: a multipart/form-data body)."""
    def mark(view):
        view.openapi = {"body": body, "query": query, "response": response, "status": status, "auth": auth,
                        "form": form}
        return view
    return mark

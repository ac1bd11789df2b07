"""Bulk jobs: Kustomer runs them in the background; the mock runs them at once and keeps the finished job."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ApiError, NotFound

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

MAX_ITEMS = 100   # per bulk request, as Kustomer's schema allows


def run(org: Org, context: str, items: list, apply, method: str, path: str) -> dict:
    """Apply `apply(item)` to each item; the job lists what was done and what failed (by index), complete."""
    done, errors = [], []
    for index, item in enumerate(items):
        try:
            done.append(apply(item))
        except ApiError as error:   # one bad item does not stop the others, as in Kustomer's background job
            errors.append({"index": index, **error.to_dict()})
    now = org.now()
    job = {"id": org.new_id(), "ids": done, "context": f"api.sobjects.{context}", "status": "complete",
           "completed": True, "v2": True, "errors": errors, "createdAt": now, "updatedAt": now,
           "payload": {"api": {"path": path, "method": method, "service": "sobjects"}}}
    with org.writing("bulk_jobs") as jobs:
        jobs[job["id"]] = job
    return job


def job(org: Org, job_id: str) -> dict:
    """A bulk job by id, or NotFound."""
    found = org.bulk_jobs.get(job_id)
    if found is None:
        raise NotFound(f"no bulk job {job_id}")
    return found

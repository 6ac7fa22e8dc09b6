"""The page of a bulk job (offboarding, GDAP in bulk): its progress and each customer's outcome, refreshing
itself while the job runs. Each bulk page module says what its job is called and how a done customer's
outcome reads; the rest is shared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import Response

from partnerhub.errors import all_error_classes
from partnerhub.http.web.context import WebCtx
from partnerhub.jobs.models import ItemStatus, JobItem, JobStatus
from partnerhub.locale import N_

RUNNING = (JobStatus.QUEUED, JobStatus.RUNNING)
DONE = N_("Done: {count}")
REFUSED = N_("Refused: {count}")
STOPPED = N_(
    "The job stopped because of an unexpected error. The customers already done stay done; the others were not touched."
)


def item_error(locale: str, item: JobItem) -> str:
    """A refused customer's reason in the page's language, from the error's code and the parameters the job
    kept (the job stores it in English too, shown when the code is unknown)."""
    result = item.result or {}
    data = result.get("data")
    params: dict[str, Any] = {"id": item.item_key, "customer_id": item.item_key, "count": len(data or [])}
    params.update(result.get("params") or {})
    cls = next((c for c in all_error_classes() if c.code == item.error_code and not c.__subclasses__()), None)
    if cls is not None:
        try:
            return cls(data=data, **params).render(locale)
        except (KeyError, IndexError):  # a message with parameters the job did not keep
            pass
    return item.error or ""


def render_bulk_job(
    ctx: WebCtx,
    report: Any,
    *,
    title: str,
    href: str,
    outcome: Callable[[JobItem], str],
    note: str = "",
    done_label: str = DONE,
    refused_label: str = REFUSED,
    stopped: str = STOPPED,
) -> Response:
    """Render `report` (a bulk report: its job, items, counts and the customers' names) as the job's page at
    `href`; `outcome` says in the page's language what was done for a customer."""
    job, counts = report.job, report.counts
    rows = [
        {
            "id": item.item_key,
            "name": report.company_names.get(item.item_key, item.item_key),
            "status": item.status,
            "outcome": outcome(item) if item.status == ItemStatus.SUCCEEDED else "",
            "error": item_error(ctx.locale, item) if item.status == ItemStatus.FAILED else "",
        }
        for item in report.items
    ]
    total = job.progress_total or len(report.items)
    done = min(max(job.progress_done, counts["succeeded"] + counts["failed"]), total)
    return ctx.render(
        "jobs/bulk_job.html",
        job=job,
        rows=rows,
        counts=counts,
        done=done,
        total=total,
        running=job.status in RUNNING,
        title=title,
        href=href,
        note=note,
        labels={"done": done_label, "refused": refused_label, "stopped": stopped},
        breadcrumbs=[("/customers", ctx.t("Customers")), (None, title)],
    )

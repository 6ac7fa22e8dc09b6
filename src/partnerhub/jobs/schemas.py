"""The shapes of a job: in a list, and one job with its outcome (`partnerhub jobs list|show`)."""

from __future__ import annotations

from typing import Any

from partnerhub.clock import iso_utc
from partnerhub.jobs.models import Job


def job_dict(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "done": job.progress_done,
        "total": job.progress_total,
        "createdAt": iso_utc(job.created_at),
        "finishedAt": iso_utc(job.finished_at),
    }


def job_detail_dict(job: Job) -> dict[str, Any]:
    return {**job_dict(job), "attempts": job.attempts, "result": job.result, "error": job.error}

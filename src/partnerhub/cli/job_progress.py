"""Running a bulk job in the CLI's own process with a progress bar: claimed like a worker would, so an
interrupted run (even killed) is resumed later with the items still pending."""

from __future__ import annotations

from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from partnerhub.cli.acting import runtime
from partnerhub.cli.output import console
from partnerhub.errors import InvalidInput
from partnerhub.jobs.bulk import summarize
from partnerhub.jobs.registry import REGISTRY
from partnerhub.jobs.runner import claim_job, default_worker_id, run_job


def run_with_progress(job_id: str, *, label: str, report_command: str) -> dict[str, Any]:
    """Claim the job and run it here, showing `label` and a bar; returns its counts of outcomes. A job that is
    finished, or that another worker holds, is refused with the command that shows its report."""
    rt = runtime()
    wid = default_worker_id()
    if not claim_job(rt.engine, job_id, wid, lease_seconds=rt.settings.job_lease_seconds):
        raise InvalidInput(
            detail=f"job {job_id} is finished or running in another worker; see: {report_command} {job_id}"
        )
    with Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None)
        run_job(
            rt.engine,
            job_id,
            wid,
            lease_seconds=rt.settings.job_lease_seconds,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total or None),
            registry=REGISTRY,
        )
    return summarize(rt.engine, job_id)

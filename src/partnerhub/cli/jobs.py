"""`partnerhub jobs ...`: background jobs (bulk operations, housekeeping): list, show, the kinds, and run them here."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from partnerhub.cli.acting import AsOption, acting, runtime
from partnerhub.cli.output import JsonOption, console, fmt_time, print_json, print_table
from partnerhub.jobs.models import JobStatus
from partnerhub.jobs.registry import REGISTRY
from partnerhub.jobs.runner import SLICE_ITEMS, claim_next, default_worker_id, get_job, list_jobs, run_job
from partnerhub.jobs.schemas import job_detail_dict, job_dict

jobs_app = typer.Typer(help="Background jobs (bulk operations, housekeeping).", no_args_is_help=True)

Opt = typer.Option


def _when(iso: str | None) -> str:
    return fmt_time(datetime.fromisoformat(iso)) if iso else ""


@jobs_app.command("list")
def jobs_list(as_: AsOption, json_: JsonOption = False) -> None:
    """Recent jobs of your tenant with their progress."""
    with acting(as_, write=False) as (session, actor):
        jobs = list_jobs(session, actor)
    data = [job_dict(j) for j in jobs]
    if json_:
        print_json(data)
    else:
        print_table(
            "Jobs",
            ["Id", "Kind", "Status", "Progress", "Created", "Finished"],
            [
                (
                    d["id"],
                    d["kind"],
                    d["status"],
                    f"{d['done']}/{d['total']}",
                    _when(d["createdAt"]),
                    _when(d["finishedAt"]),
                )
                for d in data
            ],
        )


@jobs_app.command("show")
def jobs_show(as_: AsOption, job_id: Annotated[str, typer.Argument()], json_: JsonOption = False) -> None:
    """One job with its result."""
    with acting(as_, write=False) as (session, actor):
        j = get_job(session, actor, job_id=job_id)
    data = job_detail_dict(j)
    print_json(data) if json_ else console.print(data)


@jobs_app.command("kinds")
def jobs_kinds(json_: JsonOption = False) -> None:
    """Every job kind partnerhub runs, and how often the housekeeping ones are scheduled."""
    data = [{"kind": k.name, "everySeconds": k.every_seconds, "summary": k.summary} for k in REGISTRY]
    if json_:
        print_json(data)
    else:
        print_table(
            "Job kinds",
            ["Kind", "Scheduled", "What it does"],
            [
                (d["kind"], f"every {d['everySeconds']} s" if d["everySeconds"] else "on request", d["summary"])
                for d in data
            ],
        )


@jobs_app.command("work")
def jobs_work(once: Annotated[bool, Opt(help="Run what is pending, then exit.")] = True) -> None:
    """Run pending jobs here, with a progress bar (resumes jobs left unfinished by a crash)."""
    rt = runtime()
    wid = default_worker_id()
    ran = 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not sys.stdout.isatty(),
    ) as progress:
        while True:
            job_id = claim_next(rt.engine, wid, lease_seconds=rt.settings.job_lease_seconds)
            if job_id is None:
                break
            task: TaskID = progress.add_task(f"job {job_id[:8]}", total=None)

            def show(done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total or None)

            status = run_job(
                rt.engine,
                job_id,
                wid,
                lease_seconds=rt.settings.job_lease_seconds,
                on_progress=show,
                registry=REGISTRY,
                slice_items=SLICE_ITEMS,
            )  # takes turns with other tenants' jobs
            progress.update(task, description=f"job {job_id[:8]} {status}")
            if status == JobStatus.QUEUED:  # it made way for another tenant's job: it comes back in its turn
                continue
            ran += 1
            if once and ran >= 1000:
                break
    console.print(f"{ran} job(s) run.")

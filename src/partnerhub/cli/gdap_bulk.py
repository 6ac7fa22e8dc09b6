"""`partnerhub gdap bulk ...`: GDAP over many customers as one job, with a progress bar, a per-customer report
and resume after an interruption (even kill -9), like bulk offboarding."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.job_progress import run_with_progress
from partnerhub.cli.output import JsonOption, console, print_json, print_table
from partnerhub.errors import InvalidInput
from partnerhub.jobs.models import ItemStatus
from partnerhub.usecases.gdap_bulk import GdapBulkAction, action_of, gdap_bulk_report, start_gdap_bulk_job

gdap_bulk_app = typer.Typer(
    help="GDAP for many customers at once, as a resumable job: request from a template, terminate, renew.",
    no_args_is_help=True,
)
Opt = typer.Option
CustomerOpt = Annotated[list[str] | None, Opt("--customer", help="A customer id (repeat for several).")]
FileOpt = Annotated[Path | None, Opt("--file", help="A file with one customer id per line ('#' starts a comment).")]
YesOpt = Annotated[bool, Opt("--yes", "-y", help="Do not ask for confirmation.")]
DetachOpt = Annotated[bool, Opt("--detach", help="Only queue the job; the service's worker runs it.")]
JobArg = Annotated[str, typer.Argument(help="The bulk job's id.")]
REPORT = "partnerhub gdap bulk report"
VERB = {
    GdapBulkAction.REQUEST_FROM_TEMPLATE: "requesting",
    GdapBulkAction.TERMINATE: "terminating",
    GdapBulkAction.RENEW: "renewing",
}


def read_customer_ids(customer: list[str] | None, file: Path | None) -> list[str]:
    """The ids given with --customer, then those of --file (one per line; blank lines and comments skipped)."""
    ids = list(customer or [])
    if file is not None:
        if not file.is_file():
            raise InvalidInput(detail=f"no such file: {file}")
        for line in file.read_text(encoding="utf-8-sig").splitlines():
            value = line.split("#", 1)[0].strip()
            if value:
                ids.append(value)
    if not ids:
        raise InvalidInput(detail="name the customers with --file (one id per line) or --customer")
    return ids


def _confirm(yes: bool, question: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise InvalidInput(detail="confirmation needed: run again with --yes")
    if not typer.confirm(question, default=False):
        raise typer.Exit(1)


def _start(
    as_: str, action: GdapBulkAction, ids: list[str], *, template_id: str | None, detach: bool, json_: bool
) -> None:
    with acting(as_) as (session, actor):
        job = start_gdap_bulk_job(session, actor, action=action, customer_ids=ids, template_id=template_id)
        job_id, total = job.id, job.progress_total
    if not json_:
        console.print(f"Job {job_id}: {total} customer(s), {action.value}.")
    if detach:
        if json_:
            print_json({"jobId": job_id, "total": total, "status": "queued"})
        return
    _report(as_, job_id, json_, run_with_progress(job_id, label=VERB[action], report_command=REPORT))


@gdap_bulk_app.command("request")
def bulk_request(
    as_: AsOption,
    template: Annotated[str, Opt("--template", help="The template: its name or id.")],
    customer: CustomerOpt = None,
    file: FileOpt = None,
    yes: YesOpt = False,
    detach: DetachOpt = False,
    json_: JsonOption = False,
) -> None:
    """Request a GDAP relationship from a template for each customer named, locked for the customer's approval
    at once; its access assignments are made when the customer approves. A customer that already has a
    request from this template waiting is reported as refused. If interrupted, run `partnerhub gdap bulk
    resume`."""
    ids = read_customer_ids(customer, file)
    _confirm(yes, f"Request GDAP from template {template} for {len(ids)} customer(s)?")
    _start(as_, GdapBulkAction.REQUEST_FROM_TEMPLATE, ids, template_id=template, detach=detach, json_=json_)


@gdap_bulk_app.command("renew")
def bulk_renew(
    as_: AsOption,
    customer: CustomerOpt = None,
    file: FileOpt = None,
    yes: YesOpt = False,
    detach: DetachOpt = False,
    json_: JsonOption = False,
) -> None:
    """Renew every active GDAP relationship of each customer named: a new one from its template (or its own
    terms), without Global Administrator and with auto-extend on, waiting for the customer's approval. If
    interrupted, run `partnerhub gdap bulk resume`."""
    ids = read_customer_ids(customer, file)
    _confirm(yes, f"Renew the active GDAP relationships of {len(ids)} customer(s)?")
    _start(as_, GdapBulkAction.RENEW, ids, template_id=None, detach=detach, json_=json_)


@gdap_bulk_app.command("terminate")
def bulk_terminate(
    as_: AsOption,
    customer: CustomerOpt = None,
    file: FileOpt = None,
    yes: YesOpt = False,
    detach: DetachOpt = False,
    json_: JsonOption = False,
) -> None:
    """End every active GDAP relationship with each customer named. A customer without one is reported as
    refused; requests not yet approved are left alone. If interrupted, run `partnerhub gdap bulk resume`."""
    ids = read_customer_ids(customer, file)
    _confirm(yes, f"End the active GDAP relationships of {len(ids)} customer(s)?")
    _start(as_, GdapBulkAction.TERMINATE, ids, template_id=None, detach=detach, json_=json_)


@gdap_bulk_app.command("resume")
def bulk_resume(as_: AsOption, job_id: JobArg, json_: JsonOption = False) -> None:
    """Continue an interrupted GDAP bulk job with the customers still pending."""
    with acting(as_, write=False) as (session, actor):
        action = action_of(gdap_bulk_report(session, actor, job_id=job_id).job)  # the partner's own job
    _report(as_, job_id, json_, run_with_progress(job_id, label=VERB[action], report_command=REPORT))


@gdap_bulk_app.command("report")
def bulk_report_command(as_: AsOption, job_id: JobArg, json_: JsonOption = False) -> None:
    """The per-customer outcome of a GDAP bulk job."""
    _report(as_, job_id, json_, None)


def _report(as_: str, job_id: str, json_: bool, summary: dict[str, Any] | None) -> None:
    with acting(as_, write=False) as (session, actor):
        rep = gdap_bulk_report(session, actor, job_id=job_id)
        action = action_of(rep.job)
        items = [
            {
                "customerId": i.item_key,
                "companyName": rep.company_names.get(i.item_key, ""),
                "status": i.status,
                "errorCode": i.error_code,
                "error": i.error,
                "result": i.result if i.status == ItemStatus.SUCCEEDED else None,
            }
            for i in rep.items
        ]
        status, done, total, counts = rep.job.status, rep.job.progress_done, rep.job.progress_total, rep.counts
    if json_:
        print_json(
            {
                "jobId": job_id,
                "action": action.value,
                "status": status,
                "done": done,
                "total": total,
                **counts,
                "items": items,
            }
        )
        return
    print_table(
        f"GDAP bulk {action.value} {job_id} — {status}",
        ["Customer", "Customer id", "Outcome", "Details"],
        [(i["companyName"], i["customerId"], i["status"], _details(i)) for i in items],
        caption=f"{counts['succeeded']} done, {counts['failed']} refused, {counts['pending']} pending",
    )
    if summary is not None and counts["pending"]:
        console.print(f"Resume with: partnerhub gdap bulk resume {job_id}")


def _details(item: dict[str, Any]) -> str:
    if item["errorCode"]:
        return f"{item['errorCode']}: {item['error']}"
    result = item["result"] or {}
    if "terminated" in result:
        return f"{len(result['terminated'])} relationship(s) ended"
    if "renewed" in result:
        return ", ".join(r["displayName"] for r in result["renewed"]) + " sent for approval"
    if "adminRelationshipId" in result:
        return f"{result['displayName']} sent for approval"
    return ""

"""Commands for offboarding: preview, one customer, and bulk with a progress bar, a report and resume."""

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
from partnerhub.usecases.bulk_offboarding import bulk_report, start_bulk_offboarding
from partnerhub.usecases.offboard_customer import offboard_customer, preview_offboarding
from partnerhub.usecases.schemas import offboarding_preview_dict, offboarding_result_dict

offboard_app = typer.Typer(
    help="Offboard customers: suspend every active subscription and remove the reseller relationship in one "
    "all-or-nothing step (beyond Partner Center).",
    no_args_is_help=True,
)
Opt = typer.Option
CustomerArg = Annotated[str, typer.Argument(help="Customer id.")]
CancelOpt = Annotated[
    bool,
    Opt(
        "--cancel-reservations",
        help="Also cancel active reservations and software purchases (otherwise they block offboarding).",
    ),
]
YesOpt = Annotated[bool, Opt("--yes", "-y", help="Do not ask for confirmation.")]


def _print_preview(p: dict[str, Any]) -> None:
    console.print(f"[bold]Offboarding {p['companyName']}[/] ({p['customerId']}) will:")
    subs = p["subscriptionsToSuspend"]
    console.print(f"  • suspend {len(subs)} active subscription(s)" + (":" if subs else ""))
    for s in subs:
        console.print(f"      {s['friendlyName']} — {s['offerName']} ({s['subscriptionId']}, {s['status']})")
    for s in p["reservationsToCancel"]:
        console.print(f"  • cancel reservation {s['offerName']} ({s['subscriptionId']})")
    console.print("  • remove the reseller relationship: the customer leaves your customer list")
    ended = (["DAP"] if p["endsDelegatedAdmin"] else []) + (
        [f"{len(p['adminRelationshipsToEnd'])} GDAP relationship(s)"] if p["adminRelationshipsToEnd"] else []
    )
    console.print(
        "  • end your delegated admin privileges: " + " and ".join(ended)
        if ended
        else "  • (you hold no delegated admin privileges for this customer)"
    )
    console.print(
        "  • remove you from the customer's support contacts"
        + (
            f" ({len(p['supportContactChanges'])} subscription(s) fall back to their default)"
            if p["supportContactChanges"]
            else ""
        )
    )
    console.print("  • refuse further purchases on behalf of the customer. No notice is sent to the customer.")
    if p["blockingReservations"]:
        console.print("[red]Blocked:[/] these reservations are active; cancel them or use --cancel-reservations:")
        for s in p["blockingReservations"]:
            console.print(f"      {s['offerName']} ({s['subscriptionId']})")


@offboard_app.command("preview")
def offboard_preview(
    as_: AsOption, customer_id: CustomerArg, cancel_reservations: CancelOpt = False, json_: JsonOption = False
) -> None:
    """Show everything offboarding a customer would change, and what blocks it. Changes nothing."""
    with acting(as_, write=False) as (session, actor):
        p = offboarding_preview_dict(
            preview_offboarding(session, actor, customer_id=customer_id, cancel_reservations=cancel_reservations)
        )
    print_json(p) if json_ else _print_preview(p)


def _confirm(yes: bool, question: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise InvalidInput(detail="confirmation needed: run again with --yes")
    if not typer.confirm(question, default=False):
        raise typer.Exit(1)


@offboard_app.command("run")
def offboard_run(
    as_: AsOption,
    customer_id: CustomerArg,
    cancel_reservations: CancelOpt = False,
    yes: YesOpt = False,
    json_: JsonOption = False,
) -> None:
    """Offboard one customer: all or nothing, after showing the preview (unless --yes)."""
    if not yes:
        with acting(as_, write=False) as (session, actor):
            _print_preview(
                offboarding_preview_dict(
                    preview_offboarding(
                        session, actor, customer_id=customer_id, cancel_reservations=cancel_reservations
                    )
                )
            )
    _confirm(yes, "Offboard this customer?")
    with acting(as_) as (session, actor):
        result = offboard_customer(session, actor, customer_id=customer_id, cancel_reservations=cancel_reservations)
    if json_:
        print_json(offboarding_result_dict(result))
    else:
        console.print(
            f"Offboarded {result.customer_id}: {len(result.suspended)} subscription(s) suspended, "
            f"{len(result.cancelled)} cancelled, relationship removed. No notice was sent to the customer."
        )


def _run_with_progress(job_id: str) -> dict[str, Any]:
    return run_with_progress(job_id, label="offboarding", report_command="partnerhub offboard report")


@offboard_app.command("bulk")
def offboard_bulk(
    as_: AsOption,
    customer: Annotated[list[str] | None, Opt("--customer", help="A customer id (repeat for several).")] = None,
    file: Annotated[Path | None, Opt("--file", help="A file with one customer id per line.")] = None,
    search: Annotated[
        str | None,
        Opt("--search", help="Every customer whose company name starts with this ('' = all your customers)."),
    ] = None,
    cancel_reservations: CancelOpt = False,
    yes: YesOpt = False,
    detach: Annotated[bool, Opt("--detach", help="Only queue the job; the service's worker runs it.")] = False,
    json_: JsonOption = False,
) -> None:
    """Offboard many customers as a job with a progress bar and a per-customer report. If interrupted
    (even killed), run `partnerhub offboard resume JOB_ID`: no customer is ever left half-done."""
    ids: list[str] | None = list(customer or [])
    if file is not None:
        if not file.exists():
            raise InvalidInput(detail=f"no such file: {file}")
        ids = (ids or []) + [line.strip() for line in file.read_text().splitlines() if line.strip()]
    if not ids:
        ids = None
    if ids is None and search is None:
        raise InvalidInput(detail="name customers with --customer or --file, or select them with --search")
    _confirm(yes, "Offboard every selected customer?")
    with acting(as_) as (session, actor):
        job = start_bulk_offboarding(
            session, actor, customer_ids=ids, search_prefix=search, cancel_reservations=cancel_reservations
        )
        job_id, total = job.id, job.progress_total
    if not json_:
        console.print(f"Job {job_id}: {total} customer(s) to offboard.")
    if detach:
        print_json({"jobId": job_id, "total": total, "status": "queued"}) if json_ else None
        return
    _report(as_, job_id, json_, _run_with_progress(job_id))


@offboard_app.command("resume")
def offboard_resume(
    as_: AsOption, job_id: Annotated[str, typer.Argument(help="The bulk job's id.")], json_: JsonOption = False
) -> None:
    """Continue an interrupted bulk offboarding with the customers still pending."""
    with acting(as_, write=False) as (session, actor):
        bulk_report(session, actor, job_id=job_id)  # the job must be the partner's own
    _report(as_, job_id, json_, _run_with_progress(job_id))


@offboard_app.command("report")
def offboard_report(
    as_: AsOption, job_id: Annotated[str, typer.Argument(help="The bulk job's id.")], json_: JsonOption = False
) -> None:
    """The per-customer outcome of a bulk offboarding."""
    _report(as_, job_id, json_, None)


def _report(as_: str, job_id: str, json_: bool, summary: dict[str, Any] | None) -> None:
    with acting(as_, write=False) as (session, actor):
        rep = bulk_report(session, actor, job_id=job_id)
        items = [
            {
                "customerId": i.item_key,
                "companyName": rep.company_names.get(i.item_key, ""),
                "status": i.status,
                "errorCode": i.error_code,
                "error": i.error,
                "suspended": len(i.result.get("suspended", [])) if i.status == ItemStatus.SUCCEEDED else None,
            }
            for i in rep.items
        ]
        status, done, total = rep.job.status, rep.job.progress_done, rep.job.progress_total
        counts = rep.counts
    if json_:
        print_json({"jobId": job_id, "status": status, "done": done, "total": total, **counts, "items": items})
        return
    print_table(
        f"Bulk offboarding {job_id} — {status}",
        ["Customer", "Customer id", "Outcome", "Suspended", "Error"],
        [
            (
                i["companyName"],
                i["customerId"],
                i["status"],
                i["suspended"] if i["suspended"] is not None else "",
                (f"{i['errorCode']}: {i['error']}" if i["errorCode"] else ""),
            )
            for i in items
        ],
        caption=f"{counts['succeeded']} offboarded, {counts['failed']} refused, {counts['pending']} pending",
    )
    if summary is not None and counts["pending"]:
        console.print(f"Resume with: partnerhub offboard resume {job_id}")

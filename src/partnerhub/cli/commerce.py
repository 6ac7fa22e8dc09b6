"""Commands for subscriptions, orders, the activity log and jobs."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from partnerhub.audit.service import ActivityQuery, activity_csv_rows, defuse_cells, iter_activity, list_activity
from partnerhub.cli.common import AsOption, JsonOption, acting, console, fmt_time, print_json, print_table, runtime
from partnerhub.errors import InvalidInput
from partnerhub.jobs.registry import REGISTRY
from partnerhub.jobs.runner import claim_next, default_worker_id, get_job, list_jobs, run_job
from partnerhub.orders.schemas import LineItemInput, order_dict
from partnerhub.orders.service import create_order, get_order, list_orders
from partnerhub.subscriptions.service import (
    SubscriptionChange,
    describe_subscriptions,
    get_subscription,
    list_subscriptions,
    update_subscription,
)

subscriptions_app = typer.Typer(help="Subscriptions of a customer.", no_args_is_help=True)
orders_app = typer.Typer(help="Orders on behalf of a customer.", no_args_is_help=True)
activity_app = typer.Typer(help="The activity log.", no_args_is_help=True)
jobs_app = typer.Typer(help="Background jobs (bulk operations, housekeeping).", no_args_is_help=True)

Opt = typer.Option
CustomerArg = Annotated[str, typer.Argument(help="Customer id.")]
SubArg = Annotated[str, typer.Argument(help="Subscription id.")]


def _sub_rows(subs: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (
            s["friendlyName"],
            s["offerName"],
            s["status"],
            s["quantity"],
            s["termDuration"],
            s.get("parentSubscriptionId") or "",
            s["id"],
        )
        for s in subs
    ]


SUB_COLUMNS = ["Friendly name", "Offer", "Status", "Qty", "Term", "Add-on of", "Subscription id"]


@subscriptions_app.command("list")
def subscriptions_list(
    as_: AsOption,
    customer_id: CustomerArg,
    status: Annotated[str | None, Opt(help="Only this status.")] = None,
    size: Annotated[int, Opt(help="Page size (1-500).")] = 500,
    json_: JsonOption = False,
) -> None:
    """A customer's subscriptions bought through you."""
    items: list[dict[str, object]] = []
    with acting(as_, write=False) as (session, actor):
        after: str | None = None
        while True:
            page = list_subscriptions(session, actor, customer_id=customer_id, size=size, after=after, status=status)
            items.extend(describe_subscriptions(session, page.items))
            if page.next_cursor is None:
                break
            after = page.next_cursor
    if json_:
        print_json({"totalCount": len(items), "items": items})
    else:
        print_table("Subscriptions", SUB_COLUMNS, _sub_rows(items))


@subscriptions_app.command("get")
def subscriptions_get(
    as_: AsOption, customer_id: CustomerArg, subscription_id: SubArg, json_: JsonOption = False
) -> None:
    """One subscription."""
    with acting(as_, write=False) as (session, actor):
        sub = get_subscription(session, actor, customer_id=customer_id, subscription_id=subscription_id)
        data = describe_subscriptions(session, [sub])[0]
    if json_:
        print_json(data)
    else:
        print_table("Subscription", SUB_COLUMNS, _sub_rows([data]))


def _update(
    as_: str, customer_id: str, subscription_id: str, change: SubscriptionChange, etag: str | None, json_: bool
) -> None:
    with acting(as_) as (session, actor):
        sub = update_subscription(
            session, actor, customer_id=customer_id, subscription_id=subscription_id, change=change, etag=etag
        )
        data = describe_subscriptions(session, [sub])[0]
    if json_:
        print_json(data)
    else:
        console.print(
            f"{data['friendlyName']} ({data['id']}): {data['status']}, quantity {data['quantity']}, "
            f"auto-renew {'on' if data['autoRenewEnabled'] else 'off'}."
        )


EtagOpt = Annotated[str | None, Opt(help="Refuse if the subscription changed since this etag.")]


@subscriptions_app.command("suspend")
def subscriptions_suspend(
    as_: AsOption, customer_id: CustomerArg, subscription_id: SubArg, etag: EtagOpt = None, json_: JsonOption = False
) -> None:
    """Suspend a subscription (its add-ons too; auto-renew turns off)."""
    _update(as_, customer_id, subscription_id, SubscriptionChange(status="suspended"), etag, json_)


@subscriptions_app.command("reactivate")
def subscriptions_reactivate(
    as_: AsOption, customer_id: CustomerArg, subscription_id: SubArg, etag: EtagOpt = None, json_: JsonOption = False
) -> None:
    """Reactivate a suspended subscription (add-ons stay suspended; an add-on needs an active parent)."""
    _update(as_, customer_id, subscription_id, SubscriptionChange(status="active"), etag, json_)


@subscriptions_app.command("cancel")
def subscriptions_cancel(
    as_: AsOption, customer_id: CustomerArg, subscription_id: SubArg, etag: EtagOpt = None, json_: JsonOption = False
) -> None:
    """Cancel a reservation or software purchase (they cannot be suspended)."""
    _update(as_, customer_id, subscription_id, SubscriptionChange(status="deleted"), etag, json_)


@subscriptions_app.command("update")
def subscriptions_update(
    as_: AsOption,
    customer_id: CustomerArg,
    subscription_id: SubArg,
    quantity: Annotated[int | None, Opt(help="New number of licences.")] = None,
    friendly_name: Annotated[str | None, Opt(help="New friendly name.")] = None,
    auto_renew: Annotated[bool | None, Opt("--auto-renew/--no-auto-renew", help="Auto-renew.")] = None,
    etag: EtagOpt = None,
    json_: JsonOption = False,
) -> None:
    """Change quantity, friendly name or auto-renew."""
    if quantity is None and friendly_name is None and auto_renew is None:
        raise InvalidInput(detail="give --quantity, --friendly-name or --auto-renew/--no-auto-renew")
    _update(
        as_,
        customer_id,
        subscription_id,
        SubscriptionChange(quantity=quantity, friendly_name=friendly_name, auto_renew_enabled=auto_renew),
        etag,
        json_,
    )


def _parse_line(spec: str, number: int) -> LineItemInput:
    """OFFER_ID,QUANTITY[,FRIENDLY NAME[,PARENT_SUBSCRIPTION_ID]] (offer ids contain ':' but never ',')."""
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) < 2 or len(parts) > 4 or not parts[0] or not parts[1].isdigit():
        raise InvalidInput(detail=f"line item '{spec}' is not OFFER_ID,QUANTITY[,FRIENDLY NAME[,PARENT_ID]]")
    return LineItemInput(
        offer_id=parts[0],
        quantity=int(parts[1]),
        friendly_name=parts[2] if len(parts) > 2 and parts[2] else None,
        parent_subscription_id=parts[3] if len(parts) > 3 and parts[3] else None,
        line_item_number=number,
    )


@orders_app.command("create")
def orders_create(
    as_: AsOption,
    customer_id: CustomerArg,
    item: Annotated[
        list[str],
        Opt(
            "--item", help="OFFER_ID,QUANTITY[,FRIENDLY NAME[,PARENT_SUBSCRIPTION_ID]]; repeat for several line items."
        ),
    ],
    billing_cycle: Annotated[str | None, Opt(help="monthly | annual | ... (default: the offer's).")] = None,
    term: Annotated[str | None, Opt(help="P1M | P1Y | P3Y for every line (default: the offer's).")] = None,
    reseller_mpn_id: Annotated[str | None, Opt(help="Indirect reseller of record (its MPN id).")] = None,
    json_: JsonOption = False,
) -> None:
    """Place an order: each line item creates a subscription. Refused without an active relationship."""
    lines = [_parse_line(spec, i) for i, spec in enumerate(item)]
    for line in lines:
        line.term_duration = term
        line.partner_id_on_record = reseller_mpn_id
    with acting(as_) as (session, actor):
        order, items, _subs = create_order(
            session, actor, customer_id=customer_id, line_items=lines, billing_cycle=billing_cycle
        )
        data = order_dict(order, items)
    if json_:
        print_json(data)
    else:
        console.print(f"Order {order.id} placed: {len(items)} subscription(s) created.")
        print_table(
            "Line items",
            ["#", "Offer", "Qty", "Term", "Subscription id"],
            [(li.line_item_number, li.offer_id, li.quantity, li.term_duration, li.subscription_id) for li in items],
        )


@orders_app.command("list")
def orders_list(as_: AsOption, customer_id: CustomerArg, json_: JsonOption = False) -> None:
    """Your orders for a customer."""
    with acting(as_, write=False) as (session, actor):
        data: list[dict[str, Any]] = [
            order_dict(o, li) for o, li in list_orders(session, actor, customer_id=customer_id)
        ]
    if json_:
        print_json({"totalCount": len(data), "items": data})
    else:
        print_table(
            "Orders",
            ["Order id", "Created", "Cycle", "Line items"],
            [(d["id"], d["creationDate"], d["billingCycle"], len(d["lineItems"])) for d in data],
        )


@orders_app.command("get")
def orders_get(
    as_: AsOption, customer_id: CustomerArg, order_id: Annotated[str, typer.Argument()], json_: JsonOption = False
) -> None:
    """One order with its line items."""
    with acting(as_, write=False) as (session, actor):
        order, items = get_order(session, actor, customer_id=customer_id, order_id=order_id)
        data = order_dict(order, items)
    if json_:
        print_json(data)
    else:
        print_table(
            f"Order {order.id}",
            ["#", "Offer", "Qty", "Subscription id"],
            [(li.line_item_number, li.offer_id, li.quantity, li.subscription_id) for li in items],
        )


def _day(value: str | None, *, end: bool) -> datetime | None:
    from partnerhub.audit.dates import parse_instant

    return parse_instant(value, end_of_day=end) if value else None


def _query(start: str | None, end: str | None, customer: str | None, operation: str | None) -> ActivityQuery:
    return ActivityQuery(
        start=_day(start, end=False), end=_day(end, end=True), customer_id=customer, operation=operation
    )


StartOpt = Annotated[str | None, Opt(help="From (ISO 8601 date/time or M/D/YYYY). Default: 30 days ago.")]
EndOpt = Annotated[str | None, Opt(help="Until (inclusive). Default: now.")]
CustOpt = Annotated[str | None, Opt("--customer", help="Only this customer id.")]
OpOpt = Annotated[str | None, Opt("--operation", help="Only this operation type, e.g. create_order.")]


@activity_app.command("list")
def activity_list(
    as_: AsOption,
    start: StartOpt = None,
    end: EndOpt = None,
    customer: CustOpt = None,
    operation: OpOpt = None,
    size: Annotated[int, Opt(help="At most this many (1-500).")] = 100,
    json_: JsonOption = False,
) -> None:
    """Recent activity of your tenant, newest first."""
    with acting(as_, write=False) as (session, actor):
        page = list_activity(session, actor, query=_query(start, end, customer, operation), size=size)
    data: list[dict[str, Any]] = [
        {
            "operationDate": r.created_at,
            "operationType": r.operation_type,
            "resourceType": r.resource_type,
            "resourceId": r.resource_id,
            "customerId": r.customer_id,
            "customerName": r.customer_name,
            "userPrincipalName": r.user_principal_name,
            "applicationId": r.application_id,
            "correlationId": r.correlation_id,
            "oldValue": r.old_value,
            "newValue": r.new_value,
        }
        for r in page.items
    ]
    if json_:
        print_json({"totalCount": len(data), "items": data})
    else:
        print_table(
            "Activity log",
            ["When", "Operation", "Customer", "By", "Resource"],
            [
                (
                    fmt_time(d["operationDate"]),
                    d["operationType"],
                    d["customerName"] or d["customerId"] or "",
                    d["userPrincipalName"],
                    d["resourceId"] or "",
                )
                for d in data
            ],
        )


@activity_app.command("export")
def activity_export(
    as_: AsOption,
    start: StartOpt = None,
    end: EndOpt = None,
    customer: CustOpt = None,
    operation: OpOpt = None,
    output: Annotated[Path | None, Opt("--output", "-o", help="CSV file (default: stdout).")] = None,
) -> None:
    """Export the matching activity as CSV."""
    import csv

    with acting(as_, write=False) as (session, actor):
        fh = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            writer = csv.writer(fh)
            count = -1
            for row in activity_csv_rows(iter_activity(session, actor, query=_query(start, end, customer, operation))):
                writer.writerow(defuse_cells(row))
                count += 1
        finally:
            if output:
                fh.close()
    if output:
        console.print(f"{count} activity records written to {output}.")


@jobs_app.command("list")
def jobs_list(as_: AsOption, json_: JsonOption = False) -> None:
    """Recent jobs of your tenant with their progress."""
    with acting(as_, write=False) as (session, actor):
        jobs = list_jobs(session, actor)
    data: list[dict[str, Any]] = [
        {
            "id": j.id,
            "kind": j.kind,
            "status": j.status,
            "done": j.progress_done,
            "total": j.progress_total,
            "createdAt": j.created_at,
            "finishedAt": j.finished_at,
        }
        for j in jobs
    ]
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
                    fmt_time(d["createdAt"]),
                    fmt_time(d["finishedAt"]),
                )
                for d in data
            ],
        )


@jobs_app.command("show")
def jobs_show(as_: AsOption, job_id: Annotated[str, typer.Argument()], json_: JsonOption = False) -> None:
    """One job with its result."""
    with acting(as_, write=False) as (session, actor):
        j = get_job(session, actor, job_id=job_id)
    data: dict[str, Any] = {
        "id": j.id,
        "kind": j.kind,
        "status": j.status,
        "done": j.progress_done,
        "total": j.progress_total,
        "attempts": j.attempts,
        "result": j.result,
        "error": j.error,
    }
    print_json(data) if json_ else console.print(data)


@jobs_app.command("kinds")
def jobs_kinds(json_: JsonOption = False) -> None:
    """Every job kind partnerhub runs, and how often the housekeeping ones are scheduled."""
    data = [{"kind": k.name, "everySeconds": k.every_seconds, "summary": k.summary} for k in REGISTRY]
    if json_:
        print_json(data)
    else:
        print_table("Job kinds", ["Kind", "Scheduled", "What it does"],
                    [(d["kind"], f"every {d['everySeconds']} s" if d["everySeconds"] else "on request",
                      d["summary"]) for d in data])


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

            status = run_job(rt.engine, job_id, wid, lease_seconds=rt.settings.job_lease_seconds, on_progress=show,
                             registry=REGISTRY)
            progress.update(task, description=f"job {job_id[:8]} {status}")
            ran += 1
            if once and ran >= 1000:
                break
    console.print(f"{ran} job(s) run.")

"""`partnerhub activity ...`: the activity log, listed or exported as CSV."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from partnerhub.audit.filters import AuditCondition
from partnerhub.audit.service import ActivityQuery, activity_csv_rows, defuse_cells, iter_activity, list_activity
from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.output import JsonOption, console, fmt_time, print_json, print_table
from partnerhub.errors import InvalidInput
from partnerhub.ids import normalize_id
from partnerhub.paging import decode_cursor, encode_cursor

activity_app = typer.Typer(help="The activity log.", no_args_is_help=True)

Opt = typer.Option


def _day(value: str | None, *, end: bool) -> datetime | None:
    from partnerhub.audit.dates import parse_instant

    return parse_instant(value, end_of_day=end) if value else None


def _query(
    start: str | None,
    end: str | None,
    customer: str | None,
    operation: str | None,
    field: str | None = None,
    operator: str | None = None,
    value: str | None = None,
) -> ActivityQuery:
    conditions: tuple[AuditCondition, ...] = ()
    if field is not None or value is not None:
        if field is None or value is None:
            raise InvalidInput(detail="give --field and --value together (and --operator if not equals)")
        conditions = (AuditCondition.parse(field, operator, value),)
    return ActivityQuery(
        start=_day(start, end=False),
        end=_day(end, end=True),
        customer_id=normalize_id(customer) if customer else None,
        operation=operation,
        conditions=conditions,
    )


StartOpt = Annotated[str | None, Opt(help="From (ISO 8601 date/time or M/D/YYYY). Default: 30 days ago.")]
EndOpt = Annotated[str | None, Opt(help="Until (inclusive). Default: now.")]
CustOpt = Annotated[str | None, Opt("--customer", help="Only this customer id.")]
OpOpt = Annotated[str | None, Opt("--operation", help="Only this operation type, e.g. create_order.")]
FieldOpt = Annotated[
    str | None,
    Opt(
        "--field",
        help="Filter field: CustomerId, CustomerName, ResourceType or "
        "OperationType (as Partner Center's AuditService).",
    ),
]
OperatorOpt = Annotated[str | None, Opt("--operator", help="equals (default), substring or starts_with.")]
ValueOpt = Annotated[str | None, Opt("--value", help="The value the field is compared with (case ignored).")]


@activity_app.command("list")
def activity_list(
    as_: AsOption,
    start: StartOpt = None,
    end: EndOpt = None,
    customer: CustOpt = None,
    operation: OpOpt = None,
    field: FieldOpt = None,
    operator: OperatorOpt = None,
    value: ValueOpt = None,
    size: Annotated[int, Opt(help="At most this many (1-500).")] = 100,
    continuation: Annotated[
        str | None, Opt("--continuation", help="The continuationToken of the previous page (same filters).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Recent activity of your tenant, newest first, a page at a time."""
    after = None
    if continuation:
        at, rid = decode_cursor(continuation, 2)
        try:
            after = (datetime.fromisoformat(at), rid)
        except ValueError:
            raise InvalidInput(detail="the continuation token is not valid") from None
    with acting(as_, write=False) as (session, actor):
        page = list_activity(
            session,
            actor,
            query=_query(start, end, customer, operation, field, operator, value),
            size=size,
            after=after,
        )
    token = encode_cursor([page.next_cursor[0].isoformat(), page.next_cursor[1]]) if page.next_cursor else None
    data: list[dict[str, Any]] = [
        {
            "id": r.id,
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
        print_json({"totalCount": len(data), "items": data, "continuationToken": token})
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
            caption=f"Next page: --continuation {token}" if token else "",
        )


@activity_app.command("export")
def activity_export(
    as_: AsOption,
    start: StartOpt = None,
    end: EndOpt = None,
    customer: CustOpt = None,
    operation: OpOpt = None,
    field: FieldOpt = None,
    operator: OperatorOpt = None,
    value: ValueOpt = None,
    output: Annotated[Path | None, Opt("--output", "-o", help="CSV file (default: stdout).")] = None,
) -> None:
    """Export the matching activity as CSV."""
    import csv

    with acting(as_, write=False) as (session, actor):
        fh = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            writer = csv.writer(fh)
            count = -1
            for row in activity_csv_rows(
                iter_activity(session, actor, query=_query(start, end, customer, operation, field, operator, value))
            ):
                writer.writerow(defuse_cells(row))
                count += 1
        finally:
            if output:
                fh.close()
    if output:
        console.print(f"{count} activity records written to {output}.")

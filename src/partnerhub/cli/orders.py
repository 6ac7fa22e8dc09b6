"""`partnerhub orders ...`: buy on behalf of a customer, and list or show its orders."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.output import JsonOption, console, print_json, print_table
from partnerhub.errors import InvalidInput
from partnerhub.orders.schemas import LineItemInput, order_dict
from partnerhub.orders.service import create_order, get_order, list_orders

orders_app = typer.Typer(help="Orders on behalf of a customer.", no_args_is_help=True)

Opt = typer.Option
CustomerArg = Annotated[str, typer.Argument(help="Customer id.")]


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

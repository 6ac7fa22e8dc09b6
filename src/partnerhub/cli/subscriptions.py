"""`partnerhub subscriptions ...`: list, show, suspend, reactivate, cancel and update a customer's subscriptions."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.output import JsonOption, console, print_json, print_table
from partnerhub.errors import InvalidInput
from partnerhub.subscriptions.queries import get_subscription
from partnerhub.subscriptions.service import (
    SubscriptionChange,
    describe_subscriptions,
    list_subscriptions,
    update_subscription,
)

subscriptions_app = typer.Typer(help="Subscriptions of a customer.", no_args_is_help=True)

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
        _print_suspensions(data)


def _print_suspensions(data: dict[str, Any]) -> None:
    """Every reason the subscription is suspended for, with who suspended it, when and why."""
    if data["suspensions"]:
        print_table(
            "Suspension reasons",
            ["Reason", "Initiator partner", "By", "At", "Note"],
            [
                (s["reason"], s["initiatorPartnerId"], s["initiatedBy"], s["at"], s["note"] or "")
                for s in data["suspensions"]
            ],
        )


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
        if data["status"] == "suspended" and change.status == "active":
            console.print("Still suspended: the reasons left belong to another party.")
        _print_suspensions(data)


EtagOpt = Annotated[str | None, Opt(help="Refuse if the subscription changed since this etag.")]


@subscriptions_app.command("suspend")
def subscriptions_suspend(
    as_: AsOption,
    customer_id: CustomerArg,
    subscription_id: SubArg,
    etag: EtagOpt = None,
    note: Annotated[str | None, Opt(help="Why (kept with your suspension reason, up to 500 characters).")] = None,
    json_: JsonOption = False,
) -> None:
    """Suspend a subscription for your own reason (its add-ons too; auto-renew turns off). A subscription
    another party suspended takes your reason beside theirs."""
    _update(
        as_, customer_id, subscription_id, SubscriptionChange(status="suspended", suspension_note=note), etag, json_
    )


@subscriptions_app.command("reactivate")
def subscriptions_reactivate(
    as_: AsOption, customer_id: CustomerArg, subscription_id: SubArg, etag: EtagOpt = None, json_: JsonOption = False
) -> None:
    """Lift your own suspension reasons: active again when no other party's reason is left (add-ons stay
    suspended; an add-on needs an active parent)."""
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

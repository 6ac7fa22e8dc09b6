"""Commands for customers, relationships and relationship requests."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.output import JsonOption, console, fmt_time, print_fields, print_json, print_table
from partnerhub.customers.queries import SearchField
from partnerhub.customers.schemas import BillingProfileInput, customer_dict
from partnerhub.customers.service import (
    create_customer,
    get_customer,
    list_customers,
    update_billing_profile,
)
from partnerhub.paging import decode_cursor, encode_cursor
from partnerhub.relationships.service import list_relationship_history
from partnerhub.subscriptions.schemas import blocking_subscription_dict
from partnerhub.usecases.remove_reseller_relationship import check_removal, remove_reseller_relationship

customers_app = typer.Typer(help="Customers of your partner tenant.", no_args_is_help=True)


def _billing(
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    culture: str | None,
    language: str | None,
    address: str | None,
    city: str | None,
    state: str | None,
    postal_code: str | None,
    country: str | None,
    phone: str | None,
) -> BillingProfileInput:
    return BillingProfileInput(
        first_name=first_name,
        last_name=last_name,
        email=email,
        culture=culture,
        language=language,
        address_line1=address,
        city=city,
        state=state,
        postal_code=postal_code,
        country=country,
        phone_number=phone,
    )


Opt = typer.Option


def _pair(values: tuple[str, ...]) -> tuple[str, str]:
    return values[0], values[1]


@customers_app.command("create")
def customers_create(
    as_: AsOption,
    company_name: Annotated[str, Opt(help="Company name.")],
    domain: Annotated[str, Opt(help="The customer's domain, e.g. fabrikam.onmicrosoft.com")],
    email: Annotated[str, Opt(help="Billing contact e-mail.")] = "",
    first_name: Annotated[str, Opt(help="Billing contact first name.")] = "",
    last_name: Annotated[str, Opt(help="Billing contact last name.")] = "",
    culture: Annotated[str, Opt(help="Culture, e.g. it-IT.")] = "en-US",
    language: Annotated[str, Opt(help="Language, e.g. it.")] = "en",
    address: Annotated[str, Opt(help="Address line 1.")] = "",
    city: Annotated[str, Opt()] = "",
    state: Annotated[str, Opt()] = "",
    postal_code: Annotated[str, Opt()] = "",
    country: Annotated[str, Opt(help="ISO-2 country code.")] = "US",
    phone: Annotated[str, Opt()] = "",
    no_delegated_admin: Annotated[bool, Opt(help="Do not ask for delegated admin privileges.")] = False,
    reseller_id: Annotated[
        str | None,
        Opt(
            help="Indirect providers: create it for this indirect reseller (tenant id), which gets a relationship too."
        ),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Create a customer: tenant, its Global admin (one-time password shown once), reseller relationship."""
    with acting(as_) as (session, actor):
        created = create_customer(
            session,
            actor,
            company_name=company_name,
            domain=domain,
            billing=_billing(
                first_name, last_name, email, culture, language, address, city, state, postal_code, country, phone
            ),
            allow_delegated_access=not no_delegated_admin,
            associated_partner_id=reseller_id,
        )
        session.flush()  # the relationship's version, which the customer's etag names
        out = customer_dict(
            created.customer,
            allow_delegated_access=created.relationship.has_delegated_admin,
            associated_partner_id=created.relationship.associated_partner_id,
            relationship_version=(created.relationship.id, created.relationship.version),
        )
    out["userCredentials"] = {"userName": created.admin.email, "password": created.password}
    if json_:
        print_json(out)
        return
    console.print(f"Customer [bold]{created.customer.company_name}[/] created: {created.customer.id}")
    console.print(f"  Global admin: {created.admin.email}  one-time password: [bold]{created.password}[/]")
    console.print("  The password is shown only now.")


@customers_app.command("list")
def customers_list(
    as_: AsOption,
    search: Annotated[str | None, Opt(help="Case-insensitive prefix of the company name (or domain).")] = None,
    by_domain: Annotated[bool, Opt("--domain", help="Search and sort by domain instead of company name.")] = False,
    size: Annotated[int, Opt(help="Page size (1-500).")] = 100,
    cursor: Annotated[str | None, Opt(help="Continue after this cursor (printed under the table).")] = None,
    json_: JsonOption = False,
) -> None:
    """List your customers (active reseller relationships only), a page at a time."""
    field: SearchField = "domain" if by_domain else "company"
    with acting(as_, write=False) as (session, actor):
        page = list_customers(
            session,
            actor,
            size=size,
            prefix=search,
            field=field,
            after=_pair(decode_cursor(cursor, 2)) if cursor else None,
        )
    nxt = encode_cursor(list(page.next_cursor)) if page.next_cursor else None
    if json_:
        print_json(
            {
                "totalCount": len(page.items),
                "items": [
                    customer_dict(
                        r.customer,
                        allow_delegated_access=r.relationship.has_delegated_admin,
                        relationship_version=(r.relationship.id, r.relationship.version),
                    )
                    for r in page.items
                ],
                "continuationToken": nxt,
            }
        )
        return
    print_table(
        "Customers",
        ["Company", "Domain", "Country", "DAP", "Customer id"],
        [
            (
                r.customer.company_name,
                r.customer.domain,
                r.customer.country,
                "yes" if r.relationship.has_delegated_admin else "no",
                r.customer.id,
            )
            for r in page.items
        ],
        caption=f"next page: --cursor {nxt}" if nxt else "",
    )


@customers_app.command("get")
def customers_get(
    as_: AsOption, customer_id: Annotated[str, typer.Argument(help="Customer id.")], json_: JsonOption = False
) -> None:
    """Show one customer: company and billing profile."""
    with acting(as_, write=False) as (session, actor):
        view = get_customer(session, actor, customer_id=customer_id)
        c, dap, rel = view.customer, view.has_delegated_admin, view.relationship
        version = (rel.id, rel.version) if rel is not None else None
    if json_:
        print_json(customer_dict(c, allow_delegated_access=dap, relationship_version=version))
        return
    print_fields(
        c.company_name,
        [
            ("Customer id", c.id),
            ("Domain", c.domain),
            ("Billing contact", f"{c.first_name} {c.last_name} <{c.email}>"),
            ("Address", f"{c.address_line1}, {c.postal_code} {c.city} {c.state}, {c.country}"),
            ("Language", f"{c.language} ({c.culture})"),
            ("Delegated admin", "" if dap is None else ("yes" if dap else "no")),
        ],
    )


@customers_app.command("update-billing")
def customers_update_billing(
    as_: AsOption,
    customer_id: Annotated[str, typer.Argument(help="Customer id.")],
    email: Annotated[str | None, Opt()] = None,
    first_name: Annotated[str | None, Opt()] = None,
    last_name: Annotated[str | None, Opt()] = None,
    culture: Annotated[str | None, Opt()] = None,
    language: Annotated[str | None, Opt()] = None,
    address: Annotated[str | None, Opt()] = None,
    city: Annotated[str | None, Opt()] = None,
    state: Annotated[str | None, Opt()] = None,
    postal_code: Annotated[str | None, Opt()] = None,
    country: Annotated[str | None, Opt()] = None,
    phone: Annotated[str | None, Opt()] = None,
    etag: Annotated[str | None, Opt(help="Refuse the change if the profile changed since this etag.")] = None,
    json_: JsonOption = False,
) -> None:
    """Update a customer's billing profile (only the options you give change)."""
    with acting(as_) as (session, actor):
        c = update_billing_profile(
            session,
            actor,
            customer_id=customer_id,
            etag=etag,
            billing=_billing(
                first_name, last_name, email, culture, language, address, city, state, postal_code, country, phone
            ),
        )
        out = customer_dict(c)
    if json_:
        print_json(out["billingProfile"])
    else:
        etag = out["billingProfile"]["attributes"]["etag"]
        console.print(f"Billing profile of {c.company_name} saved (etag {etag}).")


@customers_app.command("remove-relationship")
def customers_remove_relationship(
    as_: AsOption,
    customer_id: Annotated[str, typer.Argument(help="Customer id.")],
    json_: JsonOption = False,
) -> None:
    """Remove your reseller relationship with a customer (refused while subscriptions are active).
    The customer leaves your list, delegated admin privileges end, purchases are refused. No notice is sent
    to the customer; to re-establish it, send a new relationship request."""
    with acting(as_) as (session, actor):
        rel = remove_reseller_relationship(session, actor, customer_id=customer_id)
    if json_:
        print_json({"customerId": rel.customer_id, "relationshipToPartner": "none", "removedAt": rel.removed_at})
    else:
        console.print(f"Reseller relationship with {rel.customer_id} removed. No notice was sent to the customer.")
        console.print("To re-establish it: partnerhub invitations create --customer-id " + rel.customer_id)


@customers_app.command("removal-check")
def customers_removal_check(
    as_: AsOption,
    customer_id: Annotated[str, typer.Argument(help="Customer id.")],
    json_: JsonOption = False,
) -> None:
    """Show whether the relationship can be removed now, and which subscriptions block it."""
    with acting(as_, write=False) as (session, actor):
        check = check_removal(session, actor, customer_id=customer_id)
    data: dict[str, Any] = {
        "canRemove": check.can_remove,
        "mayRemove": check.may_remove,
        "blocking": [blocking_subscription_dict(s) for s in check.blocking],
    }
    if json_:
        print_json(data)
    elif not check.may_remove:
        console.print(
            "Your role cannot remove reseller relationships: only a Global admin can (or an Admin agent, "
            "where your partner allows it)."
        )
    elif check.can_remove:
        console.print("No active subscription: the reseller relationship can be removed.")
    else:
        print_table(
            "Suspend these subscriptions first",
            ["Subscription id", "Offer", "Status"],
            [(b["subscriptionId"], b["offerName"], b["status"]) for b in data["blocking"]],
        )


@customers_app.command("history")
def customers_history(
    as_: AsOption, customer_id: Annotated[str, typer.Argument(help="Customer id.")], json_: JsonOption = False
) -> None:
    """Every episode of your relationship with a customer, removed ones included."""
    with acting(as_, write=False) as (session, actor):
        rows = list_relationship_history(session, actor, customer_id=customer_id)
    data: list[dict[str, Any]] = [
        {
            "id": r.id,
            "status": r.status,
            "origin": r.origin,
            "activatedAt": r.activated_at,
            "removedAt": r.removed_at,
            "removedBy": r.removed_by,
            "allowDelegatedAccess": r.has_delegated_admin,
        }
        for r in rows
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "Relationship history",
            ["Status", "Origin", "Active since", "Removed", "Removed by", "DAP"],
            [
                (
                    d["status"],
                    d["origin"],
                    fmt_time(d["activatedAt"]),
                    fmt_time(d["removedAt"]),
                    d["removedBy"] or "",
                    "yes" if d["allowDelegatedAccess"] else "no",
                )
                for d in data
            ],
        )

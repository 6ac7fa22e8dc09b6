"""`partnerhub operator ...` and `partnerhub offers ...`: the operator onboards partners, keeps the catalog and the
operator accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from partnerhub.catalog.service import import_offers_file, list_offers
from partnerhub.cli.acting import as_system
from partnerhub.cli.mail import operator_mail
from partnerhub.cli.output import JsonOption, console, print_json, print_table
from partnerhub.cli.partner_domains import domains_app
from partnerhub.tenants.service import create_operator_account, create_partner, list_partners

operator_app = typer.Typer(help="Operator commands: partners, catalog, operator accounts.", no_args_is_help=True)
offers_app = typer.Typer(help="The catalog of offers.", no_args_is_help=True)
operator_app.add_typer(domains_app, name="domains")
operator_app.command("mail")(operator_mail)


@operator_app.command("create-partner")
def operator_create_partner(
    name: Annotated[str, typer.Option(help="Company name of the partner.")],
    type_: Annotated[str, typer.Option("--type", help="direct | indirect-provider | indirect-reseller")],
    domain: Annotated[str, typer.Option(help="The partner's domain, e.g. contoso.onmicrosoft.com")],
    admin_email: Annotated[str, typer.Option(help="E-mail of the partner's first Global admin.")],
    mpn_id: Annotated[str | None, typer.Option(help="MPN id (generated if not given).")] = None,
    json_: JsonOption = False,
) -> None:
    """Onboard a partner: prints its id and the Global admin's one-time password (shown once)."""
    with as_system() as (session, actor):
        created = create_partner(
            session, actor, name=name, partner_type=type_, domain=domain, admin_email=admin_email, mpn_id=mpn_id
        )
    out = {
        "partnerId": created.partner.id,
        "mpnId": created.partner.mpn_id,
        "adminEmail": created.admin.email,
        "password": created.password,
    }
    if json_:
        print_json(out)
        return
    console.print(f"Partner [bold]{created.tenant.name}[/] ({created.partner.partner_type}) created.")
    console.print(f"  Partner id: {out['partnerId']}\n  MPN id:     {out['mpnId']}")
    console.print(f"  Global admin: {out['adminEmail']}\n  One-time password: [bold]{out['password']}[/]")
    console.print("  The password is shown only now; keep it safe.")


@operator_app.command("list-partners")
def operator_list_partners(json_: JsonOption = False) -> None:
    """List every partner on the platform."""
    with as_system(write=False) as (session, actor):
        rows = list_partners(session, actor)
    data: list[dict[str, Any]] = [
        {"partnerId": t.id, "name": t.name, "type": p.partner_type, "domain": t.domain, "mpnId": p.mpn_id}
        for t, p in rows
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "Partners",
            ["Name", "Type", "Domain", "MPN id", "Partner id"],
            [(d["name"], d["type"], d["domain"], d["mpnId"], d["partnerId"]) for d in data],
        )


@operator_app.command("import-offers")
def operator_import_offers(
    file: Annotated[Path, typer.Argument(help="A JSON (list of offers) or CSV (header row) catalog file.")],
    json_: JsonOption = False,
) -> None:
    """Load offers into the catalog: new ids are added, known ids updated. All or nothing."""
    with as_system() as (session, actor):
        created, updated = import_offers_file(session, actor, path=file)
    if json_:
        print_json({"created": created, "updated": updated})
    else:
        console.print(f"{created} offers added, {updated} updated.")


@operator_app.command("create-operator")
def operator_create_operator(
    email: Annotated[str, typer.Option(help="E-mail of the operator account.")], json_: JsonOption = False
) -> None:
    """Create an operator account that can sign in; prints its one-time password."""
    with as_system() as (session, actor):
        user, password = create_operator_account(session, actor, email=email)
    if json_:
        print_json({"userId": user.id, "email": user.email, "password": password})
    else:
        console.print(f"Operator {user.email} created. One-time password: [bold]{password}[/]")


@offers_app.command("list")
def offers_list(json_: JsonOption = False) -> None:
    """List the catalog's available offers."""
    with as_system(write=False) as (session, _actor):
        offers = list_offers(session)
    data: list[dict[str, Any]] = [
        {
            "id": o.id,
            "name": o.name,
            "unitType": o.unit_type,
            "kind": o.kind,
            "billingCycles": o.billing_cycles,
            "termDurations": o.term_durations,
            "parentOfferId": o.parent_offer_id,
        }
        for o in offers
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "Offers",
            ["Offer id", "Name", "Unit", "Kind", "Terms", "Cycles", "Add-on of"],
            [
                (
                    d["id"],
                    d["name"],
                    d["unitType"],
                    d["kind"],
                    ",".join(d["termDurations"]),
                    ",".join(d["billingCycles"]),
                    d["parentOfferId"] or "",
                )
                for d in data
            ],
        )

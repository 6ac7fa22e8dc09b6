"""Commands for the indirect model: provider ↔ reseller partnerships, and subscriptions' support contacts."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.output import JsonOption, console, print_fields, print_json, print_table
from partnerhub.errors import InvalidInput
from partnerhub.partnerships.models import Partnership
from partnerhub.partnerships.schemas import PartnerRelationship, partner_relationships_collection, partnership_dict
from partnerhub.partnerships.service import (
    accept_partnership,
    end_partnership,
    invite_reseller,
    list_customer_resellers,
    list_providers,
    list_resellers,
)
from partnerhub.support_contacts.schemas import support_contact_dict
from partnerhub.support_contacts.service import (
    get_support_contact,
    list_available_support_contacts,
    set_support_contact,
)
from partnerhub.tenants.models import PartnerType

partnerships_app = typer.Typer(
    help="Partnerships between an indirect provider and its indirect resellers.", no_args_is_help=True
)
support_contact_app = typer.Typer(help="The designated support contact of a subscription.", no_args_is_help=True)

Opt = typer.Option
Arg = typer.Argument


def _print_partnership(p: Partnership, json_: bool, done: str) -> None:
    if json_:
        print_json(partnership_dict(p))
    else:
        console.print(f"Partnership {p.id} {done} (status: {p.status}).")


@partnerships_app.command("invite")
def partnerships_invite(
    as_: AsOption,
    reseller_id: Annotated[str | None, Opt(help="The indirect reseller's tenant id.")] = None,
    mpn_id: Annotated[str | None, Opt(help="The indirect reseller's MPN id (instead of --reseller-id).")] = None,
    json_: JsonOption = False,
) -> None:
    """As an indirect provider, invite an indirect reseller to a partnership; it accepts with
    `partnerhub partnerships accept ID`."""
    with acting(as_) as (session, actor):
        p = invite_reseller(session, actor, reseller_id=reseller_id, reseller_mpn_id=mpn_id)
    _print_partnership(p, json_, "invited")


@partnerships_app.command("accept")
def partnerships_accept(
    as_: AsOption,
    partnership_id: Annotated[str, Arg(help="Partnership id (see: partnerhub partnerships list --providers).")],
    json_: JsonOption = False,
) -> None:
    """As the invited reseller's Global admin, accept a partnership: the provider may then create
    customers and orders for you and designate you as support contact."""
    with acting(as_) as (session, actor):
        p = accept_partnership(session, actor, partnership_id=partnership_id)
    _print_partnership(p, json_, "accepted")


@partnerships_app.command("end")
def partnerships_end(
    as_: AsOption,
    partnership_id: Annotated[str, Arg(help="Partnership id.")],
    json_: JsonOption = False,
) -> None:
    """End a partnership (or decline or withdraw an invitation), from either side. Customers,
    relationships, subscriptions and privileges stay as they are."""
    with acting(as_) as (session, actor):
        p = end_partnership(session, actor, partnership_id=partnership_id)
    _print_partnership(p, json_, "ended")


@partnerships_app.command("list")
def partnerships_list(
    as_: AsOption,
    resellers: Annotated[bool, Opt("--resellers", help="Your indirect resellers (for a provider).")] = False,
    providers: Annotated[bool, Opt("--providers", help="Your indirect providers (for a reseller).")] = False,
    customer: Annotated[str | None, Opt("--customer", help="The indirect resellers of this customer.")] = None,
    all_: Annotated[bool, Opt("--all", help="Include ended partnerships.")] = False,
    json_: JsonOption = False,
) -> None:
    """List partnerships: --resellers, --providers or --customer ID (default: by your partner type)."""
    if resellers + providers + (customer is not None) > 1:
        raise InvalidInput(detail="choose one of --resellers, --providers, --customer")
    with acting(as_, write=False) as (session, actor):
        rows: list[PartnerRelationship]
        if customer is not None:
            rows = list_customer_resellers(session, actor, customer_id=customer)
        elif resellers or (not providers and actor.partner_type == PartnerType.INDIRECT_PROVIDER):
            rows = list_resellers(session, actor, include_ended=all_)
        else:
            rows = list_providers(session, actor, include_ended=all_)
    data: dict[str, Any] = partner_relationships_collection(rows)
    if json_:
        print_json(data)
        return
    print_table(
        "Partnerships",
        ["Partner", "MPN id", "Relationship", "State", "Partner id", "Partnership id"],
        [(r.name, r.mpn_id, r.relationship_type, r.state, r.partner_id, r.partnership_id or "") for r in rows],
    )


@support_contact_app.command("get")
def support_contact_get(
    as_: AsOption,
    customer_id: Annotated[str, Arg(help="Customer id.")],
    subscription_id: Annotated[str, Arg(help="Subscription id.")],
    json_: JsonOption = False,
) -> None:
    """Show a subscription's designated support contact (by default its provider or direct partner)."""
    with acting(as_, write=False) as (session, actor):
        contact = get_support_contact(session, actor, customer_id=customer_id, subscription_id=subscription_id)
    if json_:
        print_json(support_contact_dict(contact, customer_id=customer_id, subscription_id=subscription_id))
    elif contact is None:
        console.print("No support contact: the partner that sold it is no longer related to the customer.")
    else:
        print_fields(
            "Support contact",
            [
                ("Name", contact.name),
                ("MPN id", contact.mpn_id),
                ("Tenant id", contact.partner_id),
                ("Default", "yes" if contact.is_default else "no"),
            ],
        )


@support_contact_app.command("set")
def support_contact_set(
    as_: AsOption,
    customer_id: Annotated[str, Arg(help="Customer id.")],
    subscription_id: Annotated[str, Arg(help="Subscription id.")],
    mpn_id: Annotated[str | None, Opt(help="The support contact's MPN id.")] = None,
    tenant_id: Annotated[str | None, Opt(help="The support contact's tenant id (instead of --mpn-id).")] = None,
    json_: JsonOption = False,
) -> None:
    """Designate one of your indirect resellers related to the customer as a subscription's support
    contact, or yourself to go back to the default."""
    with acting(as_) as (session, actor):
        contact = set_support_contact(
            session,
            actor,
            customer_id=customer_id,
            subscription_id=subscription_id,
            support_mpn_id=mpn_id,
            support_tenant_id=tenant_id,
        )
    if json_:
        print_json(support_contact_dict(contact, customer_id=customer_id, subscription_id=subscription_id))
    else:
        console.print(f"Support contact of {subscription_id}: {contact.name if contact else 'none'}.")


@support_contact_app.command("available")
def support_contact_available(
    as_: AsOption, customer_id: Annotated[str, Arg(help="Customer id.")], json_: JsonOption = False
) -> None:
    """The partners related to the customer that can be its support contacts."""
    with acting(as_, write=False) as (session, actor):
        contacts = list_available_support_contacts(session, actor, customer_id=customer_id)
    if json_:
        print_json(
            {
                "totalCount": len(contacts),
                "items": [support_contact_dict(c) for c in contacts],
                "attributes": {"objectType": "Collection"},
            }
        )
        return
    print_table(
        "Available support contacts",
        ["Name", "MPN id", "Tenant id"],
        [(c.name, c.mpn_id, c.partner_id) for c in contacts],
    )

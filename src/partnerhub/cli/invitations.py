"""Commands for relationship requests (invitations) and, for customers, their partners."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.acting import runtime as get_runtime
from partnerhub.cli.output import JsonOption, console, fmt_time, print_fields, print_json, print_table
from partnerhub.clock import utc_now
from partnerhub.invitations.service import (
    accept_invitation,
    create_invitation,
    describe_invitation,
    list_invitations,
    partner_invitation_link,
    revoke_invitation,
)
from partnerhub.tenants.models import Tenant
from partnerhub.usecases.customer_partners import list_partners_of_customer

invitations_app = typer.Typer(help="Relationship requests (invitations) to customers.", no_args_is_help=True)
partners_app = typer.Typer(
    help="For a customer's Global admin: the partners related to your tenant.", no_args_is_help=True
)

Opt = typer.Option


@invitations_app.command("link")
def invitations_link(as_: AsOption, json_: JsonOption = False) -> None:
    """Your reusable invitation link (as Partner Center's), without delegated admin."""
    with acting(as_, write=False) as (session, actor):
        link = partner_invitation_link(session, actor, base_url=get_runtime().settings.base_url)
    if json_:
        print_json({"url": link.url, "attributes": {"objectType": "RelationshipRequest"}})
    else:
        console.print(link.url)


@invitations_app.command("create")
def invitations_create(
    as_: AsOption,
    customer_id: Annotated[str | None, Opt(help="Address it to a known customer (to re-establish).")] = None,
    language: Annotated[str | None, Opt(help="Language of the e-mail: en or it (default: the customer's).")] = None,
    delegated_admin: Annotated[bool, Opt(help="Also ask for delegated admin privileges.")] = False,
    days: Annotated[int | None, Opt(help="Days until the link expires (default: PARTNERHUB_INVITATION_DAYS).")] = None,
    json_: JsonOption = False,
) -> None:
    """Create a single-use invitation: a personalised link and the e-mail text to send the customer."""
    rt = get_runtime()
    with acting(as_) as (session, actor):
        created = create_invitation(
            session,
            actor,
            base_url=rt.settings.base_url,
            customer_id=customer_id,
            language=language,
            include_delegated_admin=delegated_admin,
            valid_days=days or rt.settings.invitation_days,
        )
    r = created.request
    if json_:
        print_json(
            {
                "id": r.id,
                "code": r.code,
                "url": created.url,
                "emailText": created.email_text,
                "status": r.status,
                "expiresAt": r.expires_at,
            }
        )
        return
    console.print(f"Relationship request {r.id} (expires {fmt_time(r.expires_at)}). Link:")
    console.print(f"[bold]{created.url}[/]\n")
    console.print(created.email_text, markup=False, highlight=False)


@invitations_app.command("list")
def invitations_list(
    as_: AsOption,
    status: Annotated[str | None, Opt(help="sent|accepted|expired|revoked")] = None,
    json_: JsonOption = False,
) -> None:
    """Your invitations and their status."""
    with acting(as_, write=False) as (session, actor):
        rows = list_invitations(session, actor, status=status)
    now = utc_now()
    data: list[dict[str, Any]] = [
        {
            "id": r.id,
            "customerId": r.customer_id,
            "language": r.language,
            "status": r.status_at(now),
            "includeDelegatedAdmin": r.include_delegated_admin,
            "createdAt": r.created_at,
            "expiresAt": r.expires_at,
        }
        for r in rows
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "Relationship requests",
            ["Id", "Status", "Customer", "Lang", "DAP", "Sent", "Expires"],
            [
                (
                    d["id"],
                    d["status"],
                    d["customerId"] or "(any)",
                    d["language"],
                    "yes" if d["includeDelegatedAdmin"] else "no",
                    fmt_time(d["createdAt"]),
                    fmt_time(d["expiresAt"]),
                )
                for d in data
            ],
        )


@invitations_app.command("revoke")
def invitations_revoke(
    as_: AsOption, invitation_id: Annotated[str, typer.Argument(help="Request id.")], json_: JsonOption = False
) -> None:
    """Revoke a sent invitation: its link stops working."""
    with acting(as_) as (session, actor):
        r = revoke_invitation(session, actor, invitation_id=invitation_id)
    if json_:
        print_json({"id": r.id, "status": r.status})
    else:
        console.print(f"Relationship request {r.id} revoked.")


@invitations_app.command("show")
def invitations_show(
    as_: AsOption,
    code: Annotated[str, typer.Argument(help="The code at the end of the link.")],
    json_: JsonOption = False,
) -> None:
    """What an invitation asks for (for the customer before accepting)."""
    with acting(as_, write=False) as (session, actor):
        v = describe_invitation(session, actor, code=code)
    data: dict[str, Any] = {
        "partnerId": v.partner_id,
        "partnerName": v.partner_name,
        "partnerType": v.partner_type,
        "includeDelegatedAdmin": v.include_delegated_admin,
        "status": v.status,
        "expiresAt": v.expires_at,
    }
    if json_:
        print_json(data)
    else:
        print_fields(
            "Relationship request",
            [
                ("Partner", v.partner_name),
                ("Type", v.partner_type),
                ("Delegated admin", "requested" if v.include_delegated_admin else "no"),
                ("Status", v.status),
                ("Expires", fmt_time(v.expires_at)),
            ],
        )


@invitations_app.command("accept")
def invitations_accept(
    as_: AsOption,
    code: Annotated[str, typer.Argument(help="The code at the end of the link.")],
    json_: JsonOption = False,
) -> None:
    """Accept an invitation as the customer's Global admin: the partner becomes your reseller."""
    with acting(as_) as (session, actor):
        rel = accept_invitation(session, actor, code=code)
        partner = session.get(Tenant, rel.partner_id)
        name = partner.name if partner else rel.partner_id
    if json_:
        print_json(
            {
                "partnerId": rel.partner_id,
                "customerId": rel.customer_id,
                "relationshipToPartner": "reseller",
                "allowDelegatedAccess": rel.has_delegated_admin,
            }
        )
    else:
        console.print(
            f"{name} is now a reseller of your organisation"
            + (" with delegated admin privileges." if rel.has_delegated_admin else ".")
        )


@partners_app.command("list")
def partners_list(as_: AsOption, json_: JsonOption = False) -> None:
    """The partners with an active relationship with your tenant and what they may do."""
    with acting(as_, write=False) as (session, actor):
        rows = list_partners_of_customer(session, actor)
    data: list[dict[str, Any]] = [
        {
            "partnerId": p.partner_id,
            "name": p.name,
            "partnerType": p.partner_type,
            "relationshipToPartner": "reseller",
            "allowDelegatedAccess": p.relationship.has_delegated_admin,
            "since": p.relationship.activated_at,
        }
        for p in rows
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "Your partners",
            ["Partner", "Type", "Relationship", "Delegated admin", "Since"],
            [
                (
                    d["name"],
                    d["partnerType"],
                    "reseller",
                    "yes" if d["allowDelegatedAccess"] else "no",
                    fmt_time(d["since"]),
                )
                for d in data
            ],
        )

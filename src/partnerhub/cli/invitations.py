"""Commands for relationship requests (invitations: a partner's, and a customer's inbox with accept and decline)
and, for customers, their partners (list, end). A tracked invitation's code is printed once, by the command that
makes it (`create`, `resend`)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.acting import runtime as get_runtime
from partnerhub.cli.output import JsonOption, console, fmt_time, print_fields, print_json, print_table
from partnerhub.clock import utc_now
from partnerhub.errors import InvalidInput
from partnerhub.invitations.inbox import ReceivedInvitation, as_received, list_received_invitations
from partnerhub.invitations.mailing import check_invitation_mail, mail_invitation
from partnerhub.invitations.partner_link import PartnerLink, partner_invitation_link, rotate_partner_link
from partnerhub.invitations.schemas import invitation_etag, received_invitation_dict
from partnerhub.invitations.service import (
    CreatedInvitation,
    accept_invitation,
    create_invitation,
    decline_invitation,
    describe_invitation,
    list_invitations,
    resend_invitation,
    revoke_invitation,
)
from partnerhub.relationships.schemas import reseller_relationship_dict
from partnerhub.tenants.models import Tenant
from partnerhub.usecases.customer_ends_relationship import check_customer_ending, customer_ends_relationship
from partnerhub.usecases.customer_partners import list_partners_of_customer

invitations_app = typer.Typer(help="Relationship requests (invitations) to customers.", no_args_is_help=True)
partners_app = typer.Typer(
    help="For a customer's Global admin: the partners related to your tenant.", no_args_is_help=True
)

Opt = typer.Option


def _print_link(link: PartnerLink, json_: bool) -> None:
    if json_:
        print_json({"url": link.url, "attributes": {"objectType": "RelationshipRequest"}})
    else:
        console.print(link.url, markup=False, highlight=False, soft_wrap=True)


def _print_created(created: CreatedInvitation, json_: bool, note: str = "", sent_to: str | None = None) -> None:
    """The code, link and e-mail of a new invitation: printed this once (the database keeps only a hash)."""
    r = created.request
    if json_:
        print_json(
            {
                "id": r.id,
                "code": created.code,
                "url": created.url,
                "emailText": created.email_text,
                "status": r.status,
                "expiresAt": r.expires_at,
                **({"emailSentTo": sent_to} if sent_to else {}),
            }
        )
        return
    if sent_to:
        console.print(f"The e-mail below goes to {sent_to} within a minute (partnerhub operator mail shows it).")
    if note:
        console.print(note)
    console.print(f"Relationship request {r.id} (expires {fmt_time(r.expires_at)}). Link (shown only now):")
    console.print(f"[bold]{created.url}[/]\n")
    console.print(created.email_text, markup=False, highlight=False)


@invitations_app.command("link")
def invitations_link(as_: AsOption, json_: JsonOption = False) -> None:
    """Your reusable invitation link (as Partner Center's), without delegated admin."""
    settings = get_runtime().settings
    with acting(as_, write=False) as (session, actor):
        link = partner_invitation_link(
            session, actor, base_url=settings.base_url, secret_key=settings.resolved_secret_key
        )
    _print_link(link, json_)


@invitations_app.command("rotate-link")
def invitations_rotate_link(
    as_: AsOption,
    yes: Annotated[bool, Opt("--yes", "-y", help="Do not ask for confirmation.")] = False,
    json_: JsonOption = False,
) -> None:
    """Replace your reusable link (Global admin or Admin agent): the old link stops working at once."""
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput(detail="confirmation needed: run again with --yes")
        if not typer.confirm("Replace your reusable link? The old link stops working at once.", default=False):
            raise typer.Exit(1)
    settings = get_runtime().settings
    with acting(as_) as (session, actor):
        link = rotate_partner_link(session, actor, base_url=settings.base_url, secret_key=settings.resolved_secret_key)
    _print_link(link, json_)


@invitations_app.command("create")
def invitations_create(
    as_: AsOption,
    customer_id: Annotated[str | None, Opt(help="Address it to a known customer (to re-establish).")] = None,
    language: Annotated[str | None, Opt(help="Language of the e-mail: en or it (default: the customer's).")] = None,
    delegated_admin: Annotated[bool, Opt(help="Also ask for delegated admin privileges.")] = False,
    days: Annotated[int | None, Opt(help="Days until the link expires (default: PARTNERHUB_INVITATION_DAYS).")] = None,
    email_to: Annotated[
        str | None, Opt(help="Also send the e-mail to this address (needs PARTNERHUB_SMTP_URL).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Create a single-use invitation: a personalised link and the e-mail text to send the customer (or that
    partnerhub sends, with --email-to)."""
    rt = get_runtime()
    mail_configured = bool(rt.settings.smtp_url.strip())
    with acting(as_) as (session, actor):
        if email_to is not None:  # refused before anything is made
            email_to = check_invitation_mail(email_to, mail_configured=mail_configured)
        created = create_invitation(
            session,
            actor,
            base_url=rt.settings.base_url,
            customer_id=customer_id,
            language=language,
            include_delegated_admin=delegated_admin,
            valid_days=days or rt.settings.invitation_days,
        )
        if email_to is not None:
            mail_invitation(session, actor, invitation=created, to=email_to, mail_configured=mail_configured)
    _print_created(created, json_, sent_to=email_to)


EtagOpt = Annotated[str | None, Opt(help="Refuse if the invitation changed since this etag (`list --json` shows it).")]


@invitations_app.command("resend")
def invitations_resend(
    as_: AsOption,
    invitation_id: Annotated[str, typer.Argument(help="Request id.")],
    days: Annotated[int | None, Opt(help="Days until the new link expires (default: as the old one).")] = None,
    etag: EtagOpt = None,
    json_: JsonOption = False,
) -> None:
    """A new link for a sent or expired invitation (codes are shown only once): a new invitation with the same
    terms; the old one is revoked."""
    with acting(as_) as (session, actor):
        created = resend_invitation(
            session,
            actor,
            invitation_id=invitation_id,
            base_url=get_runtime().settings.base_url,
            valid_days=days,
            etag=etag,
        )
    _print_created(created, json_, note="A new invitation replaces the old one. The old link no longer works.")


@invitations_app.command("list")
def invitations_list(
    as_: AsOption,
    status: Annotated[str | None, Opt(help="Only this status: sent|accepted|declined|expired|revoked.")] = None,
    json_: JsonOption = False,
) -> None:
    """Your invitations and their status; for a customer's Global admin, the requests waiting for its answer
    (pending ones, from any partner; --status for others)."""
    with acting(as_, write=False) as (session, actor):
        if actor.is_customer_user:
            _print_inbox(list_received_invitations(session, actor, status=status), json_)
            return
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
            "etag": invitation_etag(r, r.status_at(now)),
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
        console.print(
            "Links are shown only when created. For a new one: partnerhub invitations resend ID",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _print_inbox(received: list[ReceivedInvitation], json_: bool) -> None:
    if json_:
        print_json([received_invitation_dict(r) for r in received])
        return
    print_table(
        "Relationship requests addressed to your organisation",
        ["Id", "Partner", "Status", "Delegated admin", "Received", "Expires"],
        [
            (
                r.request.id,
                r.partner_name,
                r.status,
                "requested" if r.request.include_delegated_admin else "no",
                fmt_time(r.request.created_at),
                fmt_time(r.request.expires_at),
            )
            for r in received
        ],
    )
    console.print(
        "Answer one: partnerhub invitations accept ID, or partnerhub invitations decline ID",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@invitations_app.command("decline")
def invitations_decline(
    as_: AsOption,
    code: Annotated[
        str,
        typer.Argument(
            help="The code at the end of the link, or the id of a request addressed to you (invitations list)."
        ),
    ],
    json_: JsonOption = False,
) -> None:
    """Decline a request as the customer's Global admin: it can no longer be accepted; the partner sees it."""
    key = get_runtime().settings.resolved_secret_key
    with acting(as_) as (session, actor):
        received = as_received(session, decline_invitation(session, actor, code=code, secret_key=key))
    if json_:
        print_json(received_invitation_dict(received))
    else:
        console.print(
            f"You declined the request of {received.partner_name}: it can no longer be accepted.",
            markup=False,
            highlight=False,
        )


@invitations_app.command("revoke")
def invitations_revoke(
    as_: AsOption,
    invitation_id: Annotated[str, typer.Argument(help="Request id.")],
    etag: EtagOpt = None,
    json_: JsonOption = False,
) -> None:
    """Revoke a sent invitation: its link stops working."""
    with acting(as_) as (session, actor):
        r = revoke_invitation(session, actor, invitation_id=invitation_id, etag=etag)
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
    key = get_runtime().settings.resolved_secret_key
    with acting(as_, write=False) as (session, actor):
        v = describe_invitation(session, actor, code=code, secret_key=key)
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
    code: Annotated[
        str,
        typer.Argument(
            help="The code at the end of the link, or the id of a request addressed to you (invitations list)."
        ),
    ],
    json_: JsonOption = False,
) -> None:
    """Accept an invitation as the customer's Global admin: the partner becomes your reseller."""
    key = get_runtime().settings.resolved_secret_key
    with acting(as_) as (session, actor):
        rel = accept_invitation(session, actor, code=code, secret_key=key)
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


@partners_app.command("end")
def partners_end(
    as_: AsOption,
    partner_id: Annotated[str, typer.Argument(help="The partner's id (partners list).")],
    yes: Annotated[bool, Opt("--yes", "-y", help="Do not ask for confirmation.")] = False,
    json_: JsonOption = False,
) -> None:
    """End a partner's reseller relationship with your tenant (refused while subscriptions bought through it
    are active or pending): it leaves your support contacts, its DAP and GDAP end, it can no longer purchase."""
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput(detail="confirmation needed: run again with --yes")
        if not typer.confirm(
            "End this partner's reseller relationship with your organisation? Its delegated "
            "admin privileges end with it.",
            default=False,
        ):
            raise typer.Exit(1)
    with acting(as_) as (session, actor):
        name = check_customer_ending(session, actor, partner_id=partner_id).partner_name
        rel = customer_ends_relationship(session, actor, partner_id=partner_id)
    if json_:
        print_json(reseller_relationship_dict(rel))
    else:
        console.print(
            f"The reseller relationship with {name} has ended. To work with it again, ask it for a new "
            "relationship request.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

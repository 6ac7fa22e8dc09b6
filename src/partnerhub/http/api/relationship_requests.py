"""Relationship requests: Partner Center's reusable link (`GET /v1/customers/relationshiprequests`, and our
rotation of it) and our tracked single-use invitations (`/v1/relationshiprequests`: create, list, resend,
revoke), accepted or declined by the customer's Global admin, who lists those addressed to it (its inbox). A
tracked invitation's code is in the answer that makes it (create, resend) and nowhere else."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from partnerhub.clock import utc_now
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection
from partnerhub.invitations.inbox import as_received, list_received_invitations
from partnerhub.invitations.mailing import check_invitation_mail, mail_invitation
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.partner_link import PartnerLink, partner_invitation_link, rotate_partner_link
from partnerhub.invitations.schemas import received_invitation_dict, sent_invitation_dict
from partnerhub.invitations.sent_invitation import sent_invitation_actions
from partnerhub.invitations.service import (
    CreatedInvitation,
    accept_invitation,
    create_invitation,
    decline_invitation,
    list_invitations,
    resend_invitation,
    revoke_invitation,
)
from partnerhub.relationships.schemas import reseller_relationship_dict

router = api_router(tags=["relationship requests"])
EXTENSION = "partnerhub extension (not in Partner Center): "
RESEND_BODY = bodies.request_body(
    bodies.obj(
        {
            "validDays": bodies.integer(1, 365, "Default: as many days as the old invitation was valid."),
        }
    ),
    {"validDays": 30},
    required=False,
)


def _invitation(r: RelationshipRequest, ctx: Ctx) -> dict[str, Any]:
    status = r.status_at(utc_now())
    may_resend, _ = sent_invitation_actions(ctx.actor, status)
    return sent_invitation_dict(r, status, may_resend=may_resend)


def _created(created: CreatedInvitation, ctx: Ctx) -> dict[str, Any]:
    """The answer of create and resend: the only one that holds the code, the link and the e-mail text (a
    replay with the same MS-RequestId answers without them)."""
    body = _invitation(created.request, ctx)
    return {"id": body.pop("id"), "code": created.code, "url": created.url, "emailText": created.email_text, **body}


def _link(link: PartnerLink) -> dict[str, Any]:
    return {"url": link.url, "attributes": {"objectType": "RelationshipRequest"}}


@router.get("/customers/relationshiprequests")
def get_partner_link(ctx: Ctx) -> Response:
    """The partner's reusable invitation link, as Partner Center returns it (the same on every read until the
    partner rotates it)."""
    settings = ctx.runtime.settings
    link = partner_invitation_link(
        ctx.session, ctx.actor, base_url=settings.base_url, secret_key=settings.resolved_secret_key
    )
    return ctx.respond(200, _link(link))


@router.post(
    "/customers/relationshiprequests/rotate",
    openapi_extra=bodies.NO_BODY,
    description=EXTENSION + "replace the partner's reusable invitation link (Global admin or Admin "
    "agent): the old link stops working at once. Answers the new link in the "
    "shape of `GET /v1/customers/relationshiprequests`.",
)
def post_rotate_partner_link(ctx: Ctx) -> Response:
    settings = ctx.runtime.settings
    link = rotate_partner_link(
        ctx.session, ctx.actor, base_url=settings.base_url, secret_key=settings.resolved_secret_key
    )
    return ctx.respond(200, _link(link))


@router.post(
    "/relationshiprequests",
    status_code=201,
    openapi_extra=bodies.CREATE_RELATIONSHIP_REQUEST,
    description=EXTENSION + "a tracked single-use invitation with its code, link and a draft e-mail in "
    "the customer's language. The code is in this answer only. With "
    "`sendEmailTo`, partnerhub also sends that e-mail to the address "
    "(PARTNERHUB_SMTP_URL must be set) and forgets its text once sent.",
)
def post_invitation(ctx: Ctx) -> Response:
    b = ctx.body()
    send_to = b.text("sendEmailTo", max_length=320)
    mail_configured = bool(ctx.runtime.settings.smtp_url.strip())
    if send_to is not None:  # refused before anything is made: no mail server, or not an address
        send_to = check_invitation_mail(send_to, mail_configured=mail_configured)
    created = create_invitation(
        ctx.session,
        ctx.actor,
        base_url=ctx.runtime.settings.base_url,
        customer_id=b.text("customerId", max_length=36),
        language=b.text("language", max_length=16),
        include_delegated_admin=bool(b.boolean("includeDelegatedAdmin")),
        indirect_reseller_id=b.text("indirectResellerId", max_length=36),
        valid_days=b.integer("validDays", minimum=1, maximum=365) or ctx.runtime.settings.invitation_days,
    )
    answer = _created(created, ctx)
    if send_to is not None:
        mail_invitation(ctx.session, ctx.actor, invitation=created, to=send_to, mail_configured=mail_configured)
        answer["emailSentTo"] = send_to  # queued now, sent by the mail job within a minute
    return ctx.respond(201, answer)


@router.get(
    "/relationshiprequests",
    description=EXTENSION + "for a partner, its tracked invitations, newest first, with their status "
    "(sent, accepted, declined, expired, revoked), without their codes. For a "
    "customer's Global admin, its inbox: the pending requests addressed to its "
    "tenant, from any partner, with `links.accept` and `links.decline`. `status` "
    "filters on one status (for the customer, instead of the pending ones).",
)
def get_invitations(request: Request, ctx: Ctx, status: str | None = None) -> Response:
    if ctx.actor.is_customer_user:
        received = list_received_invitations(ctx.session, ctx.actor, status=status)
        return ctx.respond(200, collection(request, [received_invitation_dict(r) for r in received]))
    items = [_invitation(r, ctx) for r in list_invitations(ctx.session, ctx.actor, status=status)]
    return ctx.respond(200, collection(request, items))


@router.post(
    "/relationshiprequests/{invitation_id}/resend",
    status_code=201,
    openapi_extra=RESEND_BODY,
    description=EXTENSION + "a new code for a sent or expired invitation: a new invitation with the "
    "same terms and a fresh expiry; the old one, if sent, is revoked. Answers "
    "as create does. `If-Match` (the invitation's `attributes.etag`), if sent, "
    "must be current (else 2055).",
)
def post_resend(invitation_id: str, request: Request, ctx: Ctx) -> Response:
    days = ctx.body().integer("validDays", minimum=1, maximum=365) if ctx.raw_body.strip() else None
    created = resend_invitation(
        ctx.session,
        ctx.actor,
        invitation_id=invitation_id,
        base_url=ctx.runtime.settings.base_url,
        valid_days=days,
        etag=request.headers.get("if-match"),
    )
    return ctx.respond(201, _created(created, ctx))


@router.post(
    "/relationshiprequests/{invitation_id}/revoke",
    openapi_extra=bodies.NO_BODY,
    description=EXTENSION + "revoke a sent invitation: its link stops working at once. `If-Match` (the "
    "invitation's `attributes.etag`), if sent, must be current (else 2055).",
)
def post_revoke(invitation_id: str, request: Request, ctx: Ctx) -> Response:
    req = revoke_invitation(ctx.session, ctx.actor, invitation_id=invitation_id, etag=request.headers.get("if-match"))
    return ctx.respond(200, _invitation(req, ctx))


@router.post("/relationshiprequests/{code}/accept", openapi_extra=bodies.NO_BODY)
def post_accept(code: str, ctx: Ctx) -> Response:
    """The customer's Global admin accepts with its own token: the relationship becomes (again) active. `code` is
    the code of the link, or the id of a request in the customer's inbox."""
    rel = accept_invitation(ctx.session, ctx.actor, code=code, secret_key=ctx.runtime.settings.resolved_secret_key)
    return ctx.respond(200, reseller_relationship_dict(rel))


@router.post(
    "/relationshiprequests/{code}/decline",
    openapi_extra=bodies.NO_BODY,
    description=EXTENSION + "the customer's Global admin declines a pending request with its own token "
    "(`code`: the link's code, or the id of a request in its inbox). The request "
    "can no longer be accepted, and the partner sees it `declined`.",
)
def post_decline(code: str, ctx: Ctx) -> Response:
    req = decline_invitation(ctx.session, ctx.actor, code=code, secret_key=ctx.runtime.settings.resolved_secret_key)
    return ctx.respond(200, received_invitation_dict(as_received(ctx.session, req)))

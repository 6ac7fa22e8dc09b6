"""Relationship requests: Partner Center's reusable link (`GET /v1/customers/relationshiprequests`) and our
tracked single-use invitations (`/v1/relationshiprequests`), accepted by the customer's Global admin."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from partnerhub.clock import utc_now
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection
from partnerhub.http.api.shapes import iso
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.service import (
    accept_invitation,
    create_invitation,
    invitation_url,
    list_invitations,
    may_invite,
    partner_invitation_link,
)
from partnerhub.relationships.schemas import reseller_relationship_dict

router = api_router(tags=["relationship requests"])


def _invitation(r: RelationshipRequest, base_url: str, *, with_secret: bool = True, **extra: Any
                ) -> dict[str, Any]:
    secret = {"code": r.code, "url": invitation_url(base_url, r.code)} if with_secret else {}
    return {
        "id": r.id,
        **secret,
        **extra,
        "status": r.status_at(utc_now()),
        "customerId": r.customer_id,
        "language": r.language,
        "includeDelegatedAdmin": r.include_delegated_admin,
        "createdAt": iso(r.created_at),
        "expiresAt": iso(r.expires_at),
        "attributes": {"objectType": "RelationshipRequest"},
    }


@router.get("/customers/relationshiprequests")
def get_partner_link(ctx: Ctx) -> Response:
    """The partner's reusable invitation link, as Partner Center returns it."""
    session = ctx.session
    link = partner_invitation_link(session, ctx.actor, base_url=ctx.runtime.settings.base_url)
    return ctx.respond(200, {"url": link.url, "attributes": {"objectType": "RelationshipRequest"}})


@router.post("/relationshiprequests", status_code=201, openapi_extra=bodies.CREATE_RELATIONSHIP_REQUEST)
def post_invitation(ctx: Ctx) -> Response:
    """A tracked single-use invitation with its link and a draft e-mail in the customer's language."""
    b = ctx.body()
    base_url = ctx.runtime.settings.base_url
    session = ctx.session
    created = create_invitation(
        session, ctx.actor, base_url=base_url, customer_id=b.text("customerId", max_length=36),
        language=b.text("language", max_length=16),
        include_delegated_admin=bool(b.boolean("includeDelegatedAdmin")),
        indirect_reseller_id=b.text("indirectResellerId", max_length=36),
        valid_days=b.integer("validDays", minimum=1, maximum=365) or ctx.runtime.settings.invitation_days,
    )
    body = _invitation(created.request, base_url, emailText=created.email_text)
    return ctx.respond(201, body)


@router.get("/relationshiprequests")
def get_invitations(request: Request, ctx: Ctx, status: str | None = None) -> Response:
    """The partner's tracked invitations, newest first, with their status (sent, accepted, expired, revoked)."""
    base_url = ctx.runtime.settings.base_url
    session = ctx.session
    shown = may_invite(ctx.actor)  # a Helpdesk agent sees the invitations, not their bearer codes
    items = [_invitation(r, base_url, with_secret=shown)
             for r in list_invitations(session, ctx.actor, status=status)]
    return ctx.respond(200, collection(request, items))


@router.post("/relationshiprequests/{code}/accept", openapi_extra=bodies.NO_BODY)
def post_accept(code: str, ctx: Ctx) -> Response:
    """The customer's Global admin accepts with its own token: the relationship becomes (again) active."""
    session = ctx.session
    rel = accept_invitation(session, ctx.actor, code=code)
    return ctx.respond(200, reseller_relationship_dict(rel))

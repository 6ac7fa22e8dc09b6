"""Partner relationships of the indirect model: Partner Center's `GET /v1/relationships` and
`GET /v1/customers/{id}/relationships`, and our extension `/v1/partnerships` (invite, accept, end)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from partnerhub.errors import InvalidInput
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection
from partnerhub.partnerships.schemas import (
    IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF,
    IS_INDIRECT_RESELLER_OF,
    partner_relationship_dict,
    partnership_dict,
)
from partnerhub.partnerships.service import (
    accept_partnership,
    end_partnership,
    invite_reseller,
    list_customer_resellers,
    list_providers,
    list_resellers,
)

router = api_router(tags=["partner relationships"])
EXTENSION = "partnerhub extension (not in Partner Center): "
# relationship_type as Partner Center's docs write it (PascalCase) and as its answers do (snake_case)
TYPES = {
    "isindirectcloudsolutionproviderof": IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF,
    "is_indirect_cloud_solution_provider_of": IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF,
    "isindirectresellerof": IS_INDIRECT_RESELLER_OF,
    "is_indirect_reseller_of": IS_INDIRECT_RESELLER_OF,
}


def _query(request: Request, name: str) -> str | None:
    return next((v for k, v in request.query_params.multi_items() if k.lower() == name.lower()), None)


@router.get("/relationships")
def get_partner_relationships(request: Request, ctx: Ctx) -> Response:
    """`relationship_type=IsIndirectCloudSolutionProviderOf`: an indirect provider's resellers;
    `IsIndirectResellerOf`: an indirect reseller's providers. Invited and active ones (`includeEnded=true`:
    ended ones too); each item's `partnershipId` (ours) names the partnership to accept or end."""
    raw = (_query(request, "relationship_type") or "").strip().lower()
    kind = TYPES.get(raw)
    if kind is None:
        raise InvalidInput(
            data=[{"field": "relationship_type", "message": "is required"}],
            detail="relationship_type: must be IsIndirectCloudSolutionProviderOf or IsIndirectResellerOf",
        )
    include_ended = (_query(request, "includeEnded") or "").strip().lower() == "true"
    session = ctx.session
    lister = list_resellers if kind == IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF else list_providers
    rows = lister(session, ctx.actor, include_ended=include_ended)
    return ctx.respond(200, collection(request, [partner_relationship_dict(r) for r in rows]))


@router.get("/customers/{customer_id}/relationships")
def get_customer_resellers(customer_id: str, request: Request, ctx: Ctx) -> Response:
    """The indirect resellers related to a customer (for an indirect provider: its own partners among them;
    for the customer's Global admin: all of them)."""
    session = ctx.session
    rows = list_customer_resellers(session, ctx.actor, customer_id=customer_id)
    return ctx.respond(200, collection(request, [partner_relationship_dict(r) for r in rows]))


@router.post(
    "/partnerships",
    status_code=201,
    tags=["partnerships (partnerhub extension)"],
    openapi_extra=bodies.INVITE_RESELLER,
    description=EXTENSION + "an indirect provider invites an indirect reseller, named by "
    "`resellerId` (tenant id) or `resellerMpnId`.",
)
def post_partnership(ctx: Ctx) -> Response:
    b = ctx.body()
    reseller_id = b.text("resellerId", max_length=64)
    mpn_id = b.text("resellerMpnId", max_length=64) or b.text("mpnId", max_length=64)
    session = ctx.session
    partnership = invite_reseller(session, ctx.actor, reseller_id=reseller_id, reseller_mpn_id=mpn_id)
    body = partnership_dict(partnership)
    return ctx.respond(201, body)


@router.post(
    "/partnerships/{partnership_id}/accept",
    tags=["partnerships (partnerhub extension)"],
    openapi_extra=bodies.NO_BODY,
    description=EXTENSION + "the invited reseller's Global admin accepts the partnership.",
)
def post_partnership_accept(partnership_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    body = partnership_dict(accept_partnership(session, ctx.actor, partnership_id=partnership_id))
    return ctx.respond(200, body)


@router.post(
    "/partnerships/{partnership_id}/end",
    tags=["partnerships (partnerhub extension)"],
    openapi_extra=bodies.NO_BODY,
    description=EXTENSION + "either side ends (or declines, or withdraws) a partnership; customers "
    "and privileges stay as they are.",
)
def post_partnership_end(partnership_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    body = partnership_dict(end_partnership(session, ctx.actor, partnership_id=partnership_id))
    return ctx.respond(200, body)

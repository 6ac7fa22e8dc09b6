"""The customer's side of a partner's relationship (partnerhub extensions): its Global admin removes a named
partner's delegated admin privileges, keeping the reseller relationship, or ends the reseller relationship
itself. Partners use PATCH /v1/customers (and may use these routes on their own relationships)."""

from __future__ import annotations

from fastapi.responses import Response

from partnerhub.delegated_admin.dap import remove_delegated_admin
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.relationships.schemas import reseller_relationship_dict
from partnerhub.usecases.customer_ends_relationship import end_reseller_relationship

router = api_router(tags=["delegated admin (partnerhub extension)"])


@router.delete(
    "/customers/{customer_id}/partners/{partner_id}/delegatedaccess",
    description="partnerhub extension (not in Partner Center): remove the partner's delegated admin "
    "privileges (DAP) in the customer tenant; the reseller relationship stays. For the "
    "customer's Global admin (its own token) and for the partner itself.",
)
def delete_delegated_access(customer_id: str, partner_id: str, ctx: Ctx) -> Response:
    """Removing privileges that are already off changes nothing; the answer is the relationship."""
    session = ctx.session
    rel = remove_delegated_admin(session, ctx.actor, customer_id=customer_id, partner_id=partner_id)
    return ctx.respond(200, reseller_relationship_dict(rel))


@router.delete(
    "/customers/{customer_id}/partners/{partner_id}",
    tags=["customer's partners (partnerhub extension)"],
    description="partnerhub extension (not in Partner Center, where a customer can end DAP but not the "
    "reseller relationship): the customer's Global admin (its own token) ends the partner's "
    "reseller relationship. The seed's rules hold: refused with 800100, naming each one, "
    "while a subscription bought through the partner is active or pending; otherwise the "
    "customer leaves the partner's list, the partner leaves the support contacts, DAP and "
    "GDAP end and orders are refused, in one transaction. The partner may end its own "
    "relationship here too (Global admin; Admin agent where allowed). Answers the ended "
    "relationship (`removedBy`: customer or partner).",
)
def delete_partner_relationship(customer_id: str, partner_id: str, ctx: Ctx) -> Response:
    rel = end_reseller_relationship(ctx.session, ctx.actor, customer_id=customer_id, partner_id=partner_id)
    return ctx.respond(200, reseller_relationship_dict(rel))

"""DAP removal by the customer's side (a partnerhub extension): the customer's Global admin removes a named
partner's delegated admin privileges, keeping the reseller relationship. Partners use PATCH /v1/customers."""

from __future__ import annotations

from fastapi.responses import Response

from partnerhub.delegated_admin.dap import remove_delegated_admin
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.relationships.schemas import reseller_relationship_dict

router = api_router(tags=["delegated admin (partnerhub extension)"])


@router.delete("/customers/{customer_id}/partners/{partner_id}/delegatedaccess",
               description="partnerhub extension (not in Partner Center): remove the partner's delegated admin "
                           "privileges (DAP) in the customer tenant; the reseller relationship stays. For the "
                           "customer's Global admin (its own token) and for the partner itself.")
def delete_delegated_access(customer_id: str, partner_id: str, ctx: Ctx) -> Response:
    """Removing privileges that are already off changes nothing; the answer is the relationship."""
    session = ctx.session
    rel = remove_delegated_admin(session, ctx.actor, customer_id=customer_id, partner_id=partner_id)
    return ctx.respond(200, reseller_relationship_dict(rel))

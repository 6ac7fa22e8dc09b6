"""Renewing a GDAP relationship that ends soon, from the dashboard's list: a new relationship for the same
customer (same roles without Global Administrator, auto-extend on), locked for the customer's approval."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.delegated_admin.templates import renew_relationship
from partnerhub.errors import Conflict, InvalidState
from partnerhub.http.web.context import Form, SignedIn
from partnerhub.http.web.errors import WebRoute
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

RENEWED = N_(
    "Renewal {name} was sent to the customer for approval. It extends itself every 180 days, so it does "
    "not end like the relationship it renews."
)


@router.post("/admin-relationships/{relationship_id}/renew")
def renew(ctx: SignedIn, form: Form, relationship_id: str) -> Response:
    """Renew, then open the new relationship's page; a refusal (not active any more, already renewed) is said
    on the dashboard."""
    try:
        with ctx.attempt() as session:
            new = renew_relationship(session, ctx.require_actor(), relationship_id)
    except (InvalidState, Conflict) as exc:
        return ctx.redirect("/#ending-soon", flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(
        f"/customers/{new.customer_id}/admin-relationships/{new.id}", flash=ctx.t(RENEWED, name=new.display_name)
    )

"""The start page: the partner's dashboard (the seed's "From the Dashboard, go to Customers...")."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.expiry import list_relationships_ending_soon
from partnerhub.http.web.context import Web
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.signin import render_sign_in, start_page
from partnerhub.overview.service import partner_overview
from partnerhub.webhooks.queries import failing_endpoints

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/")
def home(ctx: Web) -> Response:
    if ctx.actor is None:
        return render_sign_in(ctx)
    if not ctx.actor.is_partner_user:
        return ctx.redirect(start_page(ctx))
    session = ctx.session
    overview = partner_overview(session, ctx.actor)
    # a Global admin learns here that partnerhub disabled an endpoint (410, or failures after every retry)
    failing = (
        failing_endpoints(session, partner_id=ctx.actor.tenant_id or "") if Role.GLOBAL_ADMIN in ctx.actor.roles else []
    )
    # the GDAP relationships that end within 30 days without auto-extend, soonest first, each to renew
    now = utc_now()
    ending = (
        list_relationships_ending_soon(session, ctx.actor, now=now)
        if ctx.actor.has_any(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
        else []
    )
    return ctx.render("dashboard.html", overview=overview, failing_webhooks=failing, ending_soon=ending, now=now)

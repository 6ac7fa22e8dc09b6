"""Indirect partnerships: an indirect provider lists its resellers, invites one (by MPN ID or tenant ID) and
ends a partnership; an indirect reseller lists its providers, accepts an invitation and ends a partnership
(each end after a confirmation that says customers and privileges stay as they are)."""

from __future__ import annotations

import re
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.auth.models import Role
from partnerhub.errors import (
    DomainError,
    ErrorKind,
    NotAnIndirectReseller,
    PartnerNotFound,
    PartnerReferenceMismatch,
    PartnerReferenceMissing,
    PartnershipAlreadyEnded,
    PartnershipAlreadyOpen,
    PartnershipNotFound,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.ids import normalize_id
from partnerhub.locale import N_
from partnerhub.partnerships.schemas import PartnerRelationship
from partnerhub.partnerships.service import (
    accept_partnership,
    end_partnership,
    invite_reseller,
    list_providers,
    list_resellers,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Side = Literal["resellers", "providers"]
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
NOT_A_PARTNER_REFERENCE = N_("Enter the reseller's MPN ID (digits only) or its tenant ID (a GUID).")
INVITED = N_("{name} was invited. The partnership becomes active when its Global admin accepts.")
ACCEPTED = N_("The partnership with {name} is active.")
ENDED = N_("The partnership with {name} has ended.")
DECLINED = N_("The invitation from {name} was declined.")
WITHDRAWN = N_("The invitation to {name} was withdrawn.")
ALREADY_ENDED = N_("The partnership with {name} has already ended.")
INVITE_FIELDS: dict[type[DomainError], str] = {
    PartnerNotFound: "reseller",
    NotAnIndirectReseller: "reseller",
    PartnershipAlreadyOpen: "reseller",
    PartnerReferenceMissing: "reseller",
    PartnerReferenceMismatch: "reseller",
}
RESELLERS_TITLE = N_("Indirect resellers")
PROVIDERS_TITLE = N_("Indirect providers")
TITLES = {"resellers": RESELLERS_TITLE, "providers": PROVIDERS_TITLE}


def _rows(ctx: WebCtx, side: Side) -> list[PartnerRelationship]:
    actor = ctx.require_actor()
    session = ctx.session
    if side == "resellers":
        return list_resellers(session, actor, include_ended=True)
    return list_providers(session, actor, include_ended=True)


def _find(ctx: WebCtx, side: Side, partnership_id: str) -> PartnerRelationship:
    """A partnership of the signed-in partner, from its own list: any other is "not found"."""
    for row in _rows(ctx, side):
        if row.partnership_id == normalize_id(partnership_id):
            return row
    raise PartnershipNotFound(id=partnership_id)


def _order(rows: list[PartnerRelationship]) -> list[PartnerRelationship]:
    """Open partnerships first (invited, then active), ended ones after them as history."""
    rank = {"invited": 0, "active": 1}
    return sorted(rows, key=lambda r: (rank.get(r.state, 2), r.name.lower()))


def _render_resellers(ctx: WebCtx, state: FormState | None = None, status_code: int = 200) -> Response:
    actor = ctx.require_actor()
    rows = _order(_rows(ctx, "resellers"))
    return ctx.render(
        "partnerships/resellers.html",
        rows=rows,
        form=state or FormState(ctx),
        can_manage=actor.has_any(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT),
        status_code=status_code,
        breadcrumbs=[(None, ctx.t(RESELLERS_TITLE))],
    )


@router.get("/indirect-resellers")
def resellers_page(ctx: SignedIn) -> Response:
    return _render_resellers(ctx)


@router.post("/indirect-resellers")
def invite(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    reference = state.text("reseller", limit=64)
    if reference and not (GUID.match(reference) or reference.isdigit()):
        state.fail("reseller", NOT_A_PARTNER_REFERENCE)
    if not state.ok:
        return _render_resellers(ctx, state, 400)
    by_id = bool(GUID.match(reference))
    try:
        with ctx.attempt() as session:
            p = invite_reseller(
                session, actor, reseller_id=reference if by_id else None, reseller_mpn_id=None if by_id else reference
            )
            partnership_id = p.id
    except DomainError as exc:
        if exc.kind == ErrorKind.FORBIDDEN:
            raise
        state.domain_error(exc, field_of=INVITE_FIELDS)
        return _render_resellers(ctx, state, 400)
    name = _find(ctx, "resellers", partnership_id).name
    return ctx.redirect("/indirect-resellers", flash=ctx.t(INVITED, name=name))


@router.get("/indirect-providers")
def providers_page(ctx: SignedIn) -> Response:
    actor = ctx.require_actor()
    rows = _order(_rows(ctx, "providers"))
    return ctx.render(
        "partnerships/providers.html",
        rows=rows,
        can_accept=Role.GLOBAL_ADMIN in actor.roles,
        can_manage=actor.has_any(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT),
        breadcrumbs=[(None, ctx.t(PROVIDERS_TITLE))],
    )


@router.post("/indirect-providers/{partnership_id}/accept")
def accept(ctx: SignedIn, form: Form, partnership_id: str) -> Response:
    actor = ctx.require_actor()
    row = _find(ctx, "providers", partnership_id)
    session = ctx.session
    accept_partnership(session, actor, partnership_id=partnership_id)
    return ctx.redirect("/indirect-providers", flash=ctx.t(ACCEPTED, name=row.name))


def _end_page(ctx: WebCtx, side: Side, partnership_id: str) -> Response:
    row = _find(ctx, side, partnership_id)
    if row.state == "ended":
        return ctx.redirect(f"/indirect-{side}", flash=ctx.t(ALREADY_ENDED, name=row.name), kind="info")
    return ctx.render(
        "partnerships/end.html",
        row=row,
        side=side,
        breadcrumbs=[(f"/indirect-{side}", ctx.t(TITLES[side])), (None, row.name)],
    )


def _end(ctx: WebCtx, side: Side, partnership_id: str) -> Response:
    actor = ctx.require_actor()
    row = _find(ctx, side, partnership_id)
    try:
        with ctx.attempt() as session:
            end_partnership(session, actor, partnership_id=partnership_id)
    except PartnershipAlreadyEnded:
        return ctx.redirect(f"/indirect-{side}", flash=ctx.t(ALREADY_ENDED, name=row.name), kind="info")
    message = (WITHDRAWN if side == "resellers" else DECLINED) if row.state == "invited" else ENDED
    return ctx.redirect(f"/indirect-{side}", flash=ctx.t(message, name=row.name))


@router.get("/indirect-resellers/{partnership_id}/end")
def end_reseller_confirmation(ctx: SignedIn, partnership_id: str) -> Response:
    return _end_page(ctx, "resellers", partnership_id)


@router.post("/indirect-resellers/{partnership_id}/end")
def end_reseller(ctx: SignedIn, form: Form, partnership_id: str) -> Response:
    return _end(ctx, "resellers", partnership_id)


@router.get("/indirect-providers/{partnership_id}/end")
def end_provider_confirmation(ctx: SignedIn, partnership_id: str) -> Response:
    return _end_page(ctx, "providers", partnership_id)


@router.post("/indirect-providers/{partnership_id}/end")
def end_provider(ctx: SignedIn, form: Form, partnership_id: str) -> Response:
    return _end(ctx, "providers", partnership_id)

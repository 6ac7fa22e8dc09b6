"""The customer Global admin's Partner relationships: the relationship requests waiting for its answer (from any
partner), each partner and what it may do in the tenant (reseller relationship and its ending, DAP with its
removal, GDAP relationships), and the review of a GDAP request (approve, reject, end)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.clock import utc_now
from partnerhub.delegated_admin.dap import remove_delegated_admin
from partnerhub.delegated_admin.gdap import (
    approve_admin_relationship,
    reject_admin_relationship,
    terminate_admin_relationship,
)
from partnerhub.delegated_admin.models import AdminRelationshipStatus
from partnerhub.delegated_admin.read_models import AdminRelationshipRequest, admin_relationship_for_customer
from partnerhub.errors import (
    AdminRelationshipInvalidState,
    AdminRelationshipWithoutReseller,
    PartnerNotFound,
    RemoveBlockedByActiveSubscriptions,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.role_picker import role_labels
from partnerhub.ids import normalize_id
from partnerhub.invitations.inbox import list_received_invitations
from partnerhub.locale import N_
from partnerhub.usecases.customer_ends_relationship import check_customer_ending, customer_ends_relationship
from partnerhub.usecases.customer_partners import PartnerAccess, partner_access_of_customer

router = APIRouter(route_class=WebRoute, include_in_schema=False)

HOME = "/partner-relationships"
APPROVED = N_("You approved {name}: {partner} now has the roles it asked for, until the end date shown.")
REJECTED = N_("You rejected {name}: {partner} gets no access through it.")
ENDED = N_("{name} has ended: {partner} no longer has its roles in your tenant.")
RELATIONSHIP_ENDED = N_(
    "The reseller relationship with {partner} has ended. It can no longer purchase on your "
    "behalf or administer your tenant; to work with it again, ask it for a new request."
)
DAP_REMOVED = N_(
    "{partner} no longer has delegated admin privileges in your tenant. The reseller relationship is unchanged."
)


def _partner(ctx: WebCtx, partner_id: str) -> PartnerAccess:
    session = ctx.session
    partners = partner_access_of_customer(session, ctx.require_actor())
    for partner in partners:
        if partner.partner_id == normalize_id(partner_id) and partner.reseller is not None:
            return partner
    raise PartnerNotFound(id=partner_id)


def _request(ctx: WebCtx, relationship_id: str) -> AdminRelationshipRequest:
    session = ctx.session
    return admin_relationship_for_customer(session, ctx.require_actor(), admin_relationship_id=relationship_id)


def _url(view: AdminRelationshipRequest) -> str:
    return f"{HOME}/admin-relationships/{view.relationship.id}"


@router.get(HOME)
def partner_relationships_page(ctx: SignedIn) -> Response:
    session = ctx.session
    actor = ctx.require_actor()
    partners = partner_access_of_customer(session, actor)
    inbox = list_received_invitations(session, actor)
    return ctx.render(
        "customer_side/partners.html", partners=partners, inbox=inbox, now=utc_now(), role_labels=role_labels
    )


def _ending_page(ctx: WebCtx, partner_id: str, *, status_code: int = 200) -> Response:
    check = check_customer_ending(ctx.session, ctx.require_actor(), partner_id=partner_id)
    return ctx.render(
        "customer_side/end_relationship.html",
        status_code=status_code,
        check=check,
        breadcrumbs=[(HOME, ctx.t("Partner relationships")), (None, ctx.t("End reseller relationship"))],
    )


@router.get(HOME + "/{partner_id}/end-reseller-relationship")
def end_relationship_confirmation(ctx: SignedIn, partner_id: str) -> Response:
    """The four effects, and the subscriptions that block the ending while any is active or pending."""
    return _ending_page(ctx, partner_id)


@router.post(HOME + "/{partner_id}/end-reseller-relationship")
def end_relationship(ctx: SignedIn, form: Form, partner_id: str) -> Response:
    try:
        with ctx.attempt() as session:
            actor = ctx.require_actor()
            partner = check_customer_ending(session, actor, partner_id=partner_id).partner_name
            customer_ends_relationship(session, actor, partner_id=partner_id)
    except RemoveBlockedByActiveSubscriptions:  # bought meanwhile: the page names what blocks it now
        return _ending_page(ctx, partner_id, status_code=400)
    return ctx.redirect(HOME, flash=ctx.t(RELATIONSHIP_ENDED, partner=partner))


@router.get(HOME + "/{partner_id}/remove-delegated-admin")
def remove_dap_confirmation(ctx: SignedIn, partner_id: str) -> Response:
    partner = _partner(ctx, partner_id)
    if partner.reseller is None or not partner.reseller.has_delegated_admin:
        return ctx.redirect(HOME)
    return ctx.render(
        "customer_side/remove_dap.html",
        partner=partner,
        breadcrumbs=[(HOME, ctx.t("Partner relationships")), (None, ctx.t("Remove delegated admin privileges"))],
    )


@router.post(HOME + "/{partner_id}/remove-delegated-admin")
def remove_dap(ctx: SignedIn, form: Form, partner_id: str) -> Response:
    actor = ctx.require_actor()
    partner = _partner(ctx, partner_id)
    session = ctx.session
    remove_delegated_admin(session, actor, customer_id=actor.tenant_id or "", partner_id=partner.partner_id)
    return ctx.redirect(HOME, flash=ctx.t(DAP_REMOVED, partner=partner.name))


@router.get(HOME + "/admin-relationships/{relationship_id}")
def admin_relationship_page(ctx: SignedIn, relationship_id: str) -> Response:
    view = _request(ctx, relationship_id)
    return ctx.render(
        "customer_side/request.html",
        rel=view.relationship,
        partner_name=view.partner_name,
        now=utc_now(),
        role_labels=role_labels,
        breadcrumbs=[(HOME, ctx.t("Partner relationships")), (None, view.relationship.display_name)],
    )


@router.post(HOME + "/admin-relationships/{relationship_id}/approve")
def approve(ctx: SignedIn, form: Form, relationship_id: str) -> Response:
    view = _request(ctx, relationship_id)
    try:
        with ctx.attempt() as session:
            approve_admin_relationship(session, ctx.require_actor(), admin_relationship_id=view.relationship.id)
    except (AdminRelationshipInvalidState, AdminRelationshipWithoutReseller) as exc:
        return ctx.redirect(_url(view), flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(
        _url(view), flash=ctx.t(APPROVED, name=view.relationship.display_name, partner=view.partner_name)
    )


@router.post(HOME + "/admin-relationships/{relationship_id}/reject")
def reject(ctx: SignedIn, form: Form, relationship_id: str) -> Response:
    view = _request(ctx, relationship_id)
    try:
        with ctx.attempt() as session:
            reject_admin_relationship(session, ctx.require_actor(), admin_relationship_id=view.relationship.id)
    except AdminRelationshipInvalidState as exc:
        return ctx.redirect(_url(view), flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(HOME, flash=ctx.t(REJECTED, name=view.relationship.display_name, partner=view.partner_name))


@router.get(HOME + "/admin-relationships/{relationship_id}/end")
def end_confirmation(ctx: SignedIn, relationship_id: str) -> Response:
    view = _request(ctx, relationship_id)
    if view.relationship.status_at(utc_now()) != AdminRelationshipStatus.ACTIVE:
        return ctx.redirect(_url(view))
    return ctx.render(
        "customer_side/end.html",
        rel=view.relationship,
        partner_name=view.partner_name,
        role_labels=role_labels,
        breadcrumbs=[
            (HOME, ctx.t("Partner relationships")),
            (_url(view), view.relationship.display_name),
            (None, ctx.t("End")),
        ],
    )


@router.post(HOME + "/admin-relationships/{relationship_id}/end")
def end(ctx: SignedIn, form: Form, relationship_id: str) -> Response:
    view = _request(ctx, relationship_id)
    try:
        with ctx.attempt() as session:
            terminate_admin_relationship(session, ctx.require_actor(), admin_relationship_id=view.relationship.id)
    except AdminRelationshipInvalidState as exc:
        return ctx.redirect(_url(view), flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(HOME, flash=ctx.t(ENDED, name=view.relationship.display_name, partner=view.partner_name))

"""One customer, as the seed walks it: Subscriptions (suspend or reactivate each, quantity, friendly name,
designated support contact) and Account (profiles, and Remove reseller relationship: disabled with the
reason while a subscription is active, else a confirmation that states the four effects)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.catalog.queries import get_offer
from partnerhub.customers.concurrency import require_current_customer
from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import customer_etag
from partnerhub.customers.service import get_customer, may_update_billing_profile
from partnerhub.delegated_admin.dap import remove_delegated_admin
from partnerhub.delegated_admin.queries import GDAP_MANAGERS
from partnerhub.errors import (
    AddonParentNotActive,
    DomainError,
    InvalidQuantity,
    OfferNotFound,
    QuantityWhileSuspended,
    RemoveBlockedByActiveSubscriptions,
    ResellerNotRelatedToCustomer,
    ReservationNotSuspendable,
    SubscriptionStatusChange,
    SubscriptionSuspendedChange,
    SupportContactChangeForbidden,
    SupportContactNotAllowed,
    SuspendedByAnotherParty,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.locale import N_
from partnerhub.subscriptions.models import FINAL_STATUSES, Subscription
from partnerhub.subscriptions.queries import SubscriptionFields, get_subscription
from partnerhub.subscriptions.service import (
    SubscriptionChange,
    list_addons,
    list_subscriptions,
    list_suspensions,
    remaining_reasons_text,
    update_subscription,
)
from partnerhub.support_contacts.service import (
    get_support_contact,
    list_available_support_contacts,
    set_support_contact,
)
from partnerhub.usecases.remove_reseller_relationship import check_removal, remove_reseller_relationship

router = APIRouter(route_class=WebRoute, include_in_schema=False)

SAVED = N_("Subscription {name} was updated.")
SUSPENDED = N_("Subscription {name} is suspended.")
REACTIVATED = N_("Subscription {name} is active again.")
STILL_SUSPENDED = N_(
    "Your reasons were lifted, but subscription {name} is still suspended: the reasons left belong "
    "to another party: {reasons}."
)
NOTHING_CHANGED = N_("Nothing was changed.")
DAP_REMOVED = N_("Delegated admin privileges for {name} were removed. The reseller relationship stays.")
NONE_ACTIVE_NOW = N_("No active subscription remains: you can now remove the reseller relationship from Account.")
REMOVED = N_(
    "The reseller relationship with {name} was removed: the customer has left your list, and no notice "
    "was sent to it. To re-establish the relationship, request a reseller relationship again."
)
REASON_LABELS = {
    "ResellerInitiated": N_("Suspended by the reseller"),
    "ProviderInitiated": N_("Suspended by the indirect provider"),
    "ParentSuspended": N_("Suspended with its parent subscription"),
}
SUBSCRIPTION_FIELDS: dict[type[DomainError], str] = {
    QuantityWhileSuspended: "quantity",
    InvalidQuantity: "quantity",
    AddonParentNotActive: "status",
    SubscriptionStatusChange: "status",
    ReservationNotSuspendable: "status",
    SubscriptionSuspendedChange: "status",
    SupportContactNotAllowed: "support_contact",
    ResellerNotRelatedToCustomer: "support_contact",
    SupportContactChangeForbidden: "support_contact",
    SuspendedByAnotherParty: "status",
}


def crumbs(ctx: WebCtx, customer: Customer, *more: tuple[str | None, str]) -> list[tuple[str | None, str]]:
    """Customers > customer > ... (the seed's own path)."""
    return [
        ("/customers", ctx.t("Customers")),
        (f"/customers/{customer.id}/subscriptions", customer.company_name),
        *more,
    ]


def tree_order(subs: Sequence[SubscriptionFields]) -> list[SubscriptionFields]:
    """Each base subscription followed by its add-ons, as the list reads best."""
    children: dict[str, list[SubscriptionFields]] = {}
    for s in subs:
        if s.parent_subscription_id:
            children.setdefault(s.parent_subscription_id, []).append(s)
    ids = {s.id for s in subs}
    ordered: list[SubscriptionFields] = []
    for s in sorted(subs, key=lambda x: (x.friendly_name.lower(), x.id)):
        if s.parent_subscription_id and s.parent_subscription_id in ids:
            continue
        ordered.append(s)
        ordered.extend(sorted(children.get(s.id, []), key=lambda x: x.friendly_name.lower()))
    return ordered


@router.get("/customers/{customer_id}")
def customer_home(ctx: SignedIn, customer_id: str) -> Response:
    return ctx.redirect(f"/customers/{customer_id}/subscriptions")


@router.get("/customers/{customer_id}/subscriptions")
def subscriptions_page(ctx: SignedIn, customer_id: str, after: str = "") -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    customer = get_customer(session, actor, customer_id=customer_id).customer
    page = list_subscriptions(session, actor, customer_id=customer.id, size=500, after=after or None)
    return ctx.render(
        "customers/subscriptions.html",
        customer=customer,
        subscriptions=tree_order(page.items),
        next_after=page.next_cursor,
        breadcrumbs=crumbs(ctx, customer, (None, ctx.t("Subscriptions"))),
    )


def _subscription_view(session: Session, actor: Actor, customer_id: str, subscription_id: str) -> dict[str, Any]:
    customer = get_customer(session, actor, customer_id=customer_id).customer
    sub = get_subscription(session, actor, customer_id=customer.id, subscription_id=subscription_id)
    parent = (
        get_subscription(session, actor, customer_id=customer.id, subscription_id=sub.parent_subscription_id)
        if sub.parent_subscription_id
        else None
    )
    addons = list_addons(session, actor, customer_id=customer.id, subscription_id=sub.id)
    contact = get_support_contact(session, actor, customer_id=customer.id, subscription_id=sub.id)
    options: list[tuple[str, str]] = []
    if actor.tenant_id == sub.partner_id and sub.status not in FINAL_STATUSES:
        options = [
            (c.partner_id, c.name) for c in list_available_support_contacts(session, actor, customer_id=customer.id)
        ]
    try:
        offer = get_offer(session, sub.offer_id)
        low, high = offer.min_quantity, offer.max_quantity
    except OfferNotFound:
        low, high = 1, 10000
    suspensions = list_suspensions(session, sub)
    return {
        "customer": customer,
        "sub": sub,
        "parent": parent,
        "addons": addons,
        "contact": contact,
        "contact_options": options,
        "offer_min": low,
        "offer_max": high,
        "editable": sub.status not in FINAL_STATUSES,
        "suspensions": suspensions,
        "holds_own_reason": any(s.suspension.is_held_by(actor.tenant_id or "") for s in suspensions),
    }


def _render_subscription(ctx: WebCtx, view: dict[str, Any], form: FormState, status_code: int = 200) -> Response:
    sub: Subscription = view["sub"]
    return ctx.render(
        "customers/subscription.html",
        form=form,
        status_code=status_code,
        reason_labels=REASON_LABELS,
        breadcrumbs=crumbs(
            ctx,
            view["customer"],
            (f"/customers/{view['customer'].id}/subscriptions", ctx.t("Subscriptions")),
            (None, sub.friendly_name),
        ),
        **view,
    )


@router.get("/customers/{customer_id}/subscriptions/{subscription_id}")
def subscription_page(ctx: SignedIn, customer_id: str, subscription_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    view = _subscription_view(session, actor, customer_id, subscription_id)
    sub: Subscription = view["sub"]
    contact = view["contact"]
    form = FormState(
        ctx,
        {
            "status": sub.status,
            "quantity": str(sub.quantity),
            "friendly_name": sub.friendly_name,
            "support_contact": contact.partner_id if contact else sub.partner_id,
        },
    )
    return _render_subscription(ctx, view, form)


@router.post("/customers/{customer_id}/subscriptions/{subscription_id}")
def update_subscription_page(ctx: SignedIn, form: Form, customer_id: str, subscription_id: str) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    session = ctx.session
    view = _subscription_view(session, actor, customer_id, subscription_id)
    sub: Subscription = view["sub"]
    status = state.choice("status", ("active", "suspended"))
    quantity = state.integer("quantity", low=1, high=1_000_000)
    name = state.text("friendly_name", limit=200)
    contact_id = state.text("support_contact", required=False, limit=64)
    note = state.text("suspension_note", required=False, limit=500)
    if not state.ok:
        return _render_subscription(ctx, view, state, 400)
    # the form sends the status it shows: the same status is no change, unless the partner asks to suspend a
    # subscription another party suspended for its own reason too
    own_reason = status == sub.status == "suspended" and state.checked("add_own_reason")
    change = SubscriptionChange(
        status="deleted"
        if state.checked("cancel_reservation")
        else (status if status != sub.status or own_reason else None),
        suspension_note=note or None,
        quantity=quantity if quantity != sub.quantity else None,
        friendly_name=name if name != sub.friendly_name else None,
    )
    current_contact = view["contact"].partner_id if view["contact"] else sub.partner_id
    try:
        with ctx.attempt() as session:
            updated = update_subscription(
                session, actor, customer_id=view["customer"].id, subscription_id=sub.id, change=change
            )
            if contact_id and contact_id != current_contact and view["contact_options"]:
                set_support_contact(
                    session,
                    actor,
                    customer_id=view["customer"].id,
                    subscription_id=sub.id,
                    support_tenant_id=contact_id,
                )
            remaining = (
                check_removal(session, actor, customer_id=view["customer"].id).blocking
                if updated.status == "suspended"
                else None
            )
    except DomainError as exc:
        state.domain_error(exc, field_of=SUBSCRIPTION_FIELDS)
        return _render_subscription(ctx, view, state, 400)
    customer_url = f"/customers/{view['customer'].id}"
    if change.status == "suspended":
        message = ctx.t(SUSPENDED, name=updated.friendly_name)
        if remaining == []:
            message += " " + ctx.t(NONE_ACTIVE_NOW)
    elif change.status == "active" and updated.status == "suspended":
        message = ctx.t(
            STILL_SUSPENDED,
            name=updated.friendly_name,
            reasons=remaining_reasons_text(list_suspensions(ctx.session, updated)),
        )
        return ctx.redirect(f"{customer_url}/subscriptions/{sub.id}", flash=message, kind="info")
    elif change.status == "active":
        message = ctx.t(REACTIVATED, name=updated.friendly_name)
    elif change == SubscriptionChange() and not (contact_id and contact_id != current_contact):
        return ctx.redirect(f"{customer_url}/subscriptions/{sub.id}", flash=ctx.t(NOTHING_CHANGED), kind="info")
    else:
        message = ctx.t(SAVED, name=updated.friendly_name)
    return ctx.redirect(f"{customer_url}/subscriptions", flash=message)


def _account_view(session: Session, actor: Actor, customer_id: str) -> dict[str, Any]:
    view = get_customer(session, actor, customer_id=customer_id)
    removal = check_removal(session, actor, customer_id=view.customer.id)
    rel = view.relationship
    return {
        "customer": view.customer,
        "relationship": rel,
        "removal": removal,
        "blocking": removal.blocking,
        "may_remove_dap": rel is not None
        and rel.has_delegated_admin
        and actor.has_any(Role.GLOBAL_ADMIN, *GDAP_MANAGERS),
        "customer_etag": customer_etag(view.customer, (rel.id, rel.version)) if rel is not None else "",
        "may_edit_billing": rel is not None and may_update_billing_profile(actor),
    }


@router.get("/customers/{customer_id}/account")
def account_page(ctx: SignedIn, customer_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    view = _account_view(session, actor, customer_id)
    return ctx.render(
        "customers/account.html", breadcrumbs=crumbs(ctx, view["customer"], (None, ctx.t("Account"))), **view
    )


@router.post("/customers/{customer_id}/delegated-admin/remove")
def remove_dap(ctx: SignedIn, form: Form, customer_id: str) -> Response:
    """Remove delegated admin privileges (the reseller relationship stays), refused if the page was shown
    before another change to the customer or the relationship."""
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    customer = get_customer(ctx.session, actor, customer_id=customer_id).customer
    account = f"/customers/{customer.id}/account"
    try:
        with ctx.attempt() as session:
            require_current_customer(
                session, actor, customer_id=customer.id, etag=state.text("etag", required=False, limit=400) or None
            )
            remove_delegated_admin(session, actor, customer_id=customer.id)
    except DomainError as exc:
        return ctx.redirect(account, flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(account, flash=ctx.t(DAP_REMOVED, name=customer.company_name))


@router.get("/customers/{customer_id}/remove")
def remove_confirmation(ctx: SignedIn, customer_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    view = _account_view(session, actor, customer_id)
    if not view["removal"].can_remove:
        return ctx.redirect(f"/customers/{view['customer'].id}/account")
    return ctx.render(
        "customers/remove.html",
        form=FormState(ctx),
        customer=view["customer"],
        breadcrumbs=crumbs(
            ctx,
            view["customer"],
            (f"/customers/{view['customer'].id}/account", ctx.t("Account")),
            (None, ctx.t("Remove reseller relationship")),
        ),
    )


@router.post("/customers/{customer_id}/remove")
def remove_relationship(ctx: SignedIn, form: Form, customer_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    customer = get_customer(session, actor, customer_id=customer_id).customer
    try:
        with ctx.attempt() as session:
            remove_reseller_relationship(session, actor, customer_id=customer.id)
    except RemoveBlockedByActiveSubscriptions as exc:
        # a subscription became active since the page was shown: the account page lists it
        return ctx.redirect(f"/customers/{customer.id}/account", flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect("/customers", flash=ctx.t(REMOVED, name=customer.company_name))

"""Offboarding (beyond Partner Center): the per-customer Offboard tab (a preview of everything that changes,
then one confirmation), the bulk offboarding of customers picked in the list, and the job page that follows
its progress."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.customers.service import get_customer
from partnerhub.errors import (
    Forbidden,
    OffboardingBlockedByReservations,
)
from partnerhub.http.web.bulk_jobs import render_bulk_job
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.customer_pages import crumbs
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.jobs.models import JobItem
from partnerhub.locale import N_
from partnerhub.usecases.bulk_offboarding import bulk_report, start_bulk_offboarding
from partnerhub.usecases.offboard_customer import offboard_customer, preview_offboarding
from partnerhub.usecases.offboarding_selection import MAX_SELECTION, list_selected_customers
from partnerhub.usecases.remove_reseller_relationship import require_remover

router = APIRouter(route_class=WebRoute, include_in_schema=False)

OFFBOARDED = N_(
    "{name} was offboarded. Subscriptions suspended: {suspended}. Reservations cancelled: "
    "{cancelled}. The reseller relationship was removed; no notice was sent to the customer."
)
NONE_SELECTED = N_("Select at least one customer to offboard.")
NONE_AVAILABLE = N_("None of the selected customers can be offboarded: they are no longer in your list.")
TOO_MANY = N_("Select at most {limit} customers at a time.")
STARTED = N_("Offboarding of {count} customers has started. This page follows its progress.")
BULK_OFFBOARDING = N_("Bulk offboarding")
RESERVATIONS_TOO = N_("Reservations are cancelled too")
OFFBOARDED_ITEM = N_("Subscriptions suspended: {suspended}. Reservations cancelled: {cancelled}. Relationship removed.")
OFFBOARDED_COUNT = N_("Offboarded: {count}")
NOT_OFFBOARDED_COUNT = N_("Not offboarded: {count}")
STOPPED_OFFBOARDING = N_(
    "The job stopped because of an unexpected error. The customers already offboarded stay offboarded; the "
    "others were not touched."
)


def _may_offboard(ctx: WebCtx) -> bool:
    """Whether the signed-in user may remove relationships (else the page explains it and offers no button)."""
    try:
        session = ctx.session
        require_remover(session, ctx.require_actor())
    except Forbidden:
        return False
    return True


def _render_customer(ctx: WebCtx, customer_id: str, form: FormState, status_code: int = 200) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    customer = get_customer(session, actor, customer_id=customer_id).customer
    preview = preview_offboarding(session, actor, customer_id=customer.id)
    return ctx.render(
        "offboarding/customer.html",
        customer=customer,
        preview=preview,
        form=form,
        may_offboard=_may_offboard(ctx),
        status_code=status_code,
        breadcrumbs=crumbs(ctx, customer, (None, ctx.t("Offboard"))),
    )


@router.get("/customers/{customer_id}/offboard")
def offboard_page(ctx: SignedIn, customer_id: str) -> Response:
    return _render_customer(ctx, customer_id, FormState(ctx))


@router.post("/customers/{customer_id}/offboard")
def offboard(ctx: SignedIn, form: Form, customer_id: str) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    session = ctx.session
    customer = get_customer(session, actor, customer_id=customer_id).customer
    try:
        with ctx.attempt() as session:
            result = offboard_customer(
                session, actor, customer_id=customer.id, cancel_reservations=state.checked("cancel_reservations")
            )
    except OffboardingBlockedByReservations as exc:
        state.domain_error(exc, field_of={OffboardingBlockedByReservations: "cancel_reservations"})
        return _render_customer(ctx, customer.id, state, 400)
    return ctx.redirect(
        "/customers",
        flash=ctx.t(
            OFFBOARDED, name=customer.company_name, suspended=len(result.suspended), cancelled=len(result.cancelled)
        ),
    )


@router.post("/offboarding/bulk")
def bulk_confirmation(ctx: SignedIn, form: Form) -> Response:
    """The customers picked in the list, to confirm; nothing picked goes back to the list with a message."""
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    picked = state.many("customer_id")
    if not picked:
        return ctx.redirect("/customers", flash=ctx.t(NONE_SELECTED), kind="error")
    if len(picked) > MAX_SELECTION:
        return ctx.redirect("/customers", flash=ctx.t(TOO_MANY, limit=MAX_SELECTION), kind="error")
    session = ctx.session
    customers = list_selected_customers(session, actor, customer_ids=picked)
    if not customers:
        return ctx.redirect("/customers", flash=ctx.t(NONE_AVAILABLE), kind="error")
    return ctx.render(
        "offboarding/bulk.html",
        customers=customers,
        form=FormState(ctx),
        breadcrumbs=[("/customers", ctx.t("Customers")), (None, ctx.t("Offboard selected customers"))],
    )


@router.post("/offboarding/bulk/start")
def bulk_start(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    picked = state.many("customer_id")
    if not picked:
        return ctx.redirect("/customers", flash=ctx.t(NONE_SELECTED), kind="error")
    session = ctx.session
    customers = list_selected_customers(session, actor, customer_ids=picked)
    if not customers:
        return ctx.redirect("/customers", flash=ctx.t(NONE_AVAILABLE), kind="error")
    job = start_bulk_offboarding(
        session, actor, customer_ids=[c.id for c in customers], cancel_reservations=state.checked("cancel_reservations")
    )
    job_id = job.id
    return ctx.redirect(f"/jobs/{job_id}", flash=ctx.t(STARTED, count=len(customers)), kind="info")


@router.get("/jobs/{job_id}")
def job_page(ctx: SignedIn, job_id: str) -> Response:
    """A bulk offboarding's progress and per-customer outcome; the page reloads itself while the job runs."""
    report = bulk_report(ctx.session, ctx.require_actor(), job_id=job_id)

    def outcome(item: JobItem) -> str:
        result = item.result or {}
        return ctx.t(
            OFFBOARDED_ITEM, suspended=len(result.get("suspended") or []), cancelled=len(result.get("cancelled") or [])
        )

    cancelled = bool(report.job.payload.get("cancelReservations"))
    return render_bulk_job(
        ctx,
        report,
        title=ctx.t(BULK_OFFBOARDING),
        href=f"/jobs/{job_id}",
        outcome=outcome,
        note=ctx.t(RESERVATIONS_TOO) if cancelled else "",
        done_label=OFFBOARDED_COUNT,
        refused_label=NOT_OFFBOARDED_COUNT,
        stopped=STOPPED_OFFBOARDING,
    )

"""GDAP in bulk on the web (issue 16 §3): customers picked in the customer list, an action chosen there, a
confirmation page, then the job's page that follows its progress and shows each customer's outcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.delegated_admin.models import GdapTemplate
from partnerhub.delegated_admin.templates import list_templates
from partnerhub.errors import (
    GdapBulkActionInvalid,
    GdapBulkTemplateRequired,
    GdapTemplateNotFound,
)
from partnerhub.http.web.bulk_jobs import render_bulk_job
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.jobs.models import JobItem
from partnerhub.locale import N_
from partnerhub.usecases.gdap_bulk import (
    GdapBulkAction,
    action_of,
    gdap_bulk_report,
    list_selected_customers_for_gdap,
    parse_action,
    start_gdap_bulk_job,
)
from partnerhub.usecases.offboarding_selection import MAX_SELECTION

router = APIRouter(route_class=WebRoute, include_in_schema=False)

ACTION_LABELS = {
    GdapBulkAction.REQUEST_FROM_TEMPLATE: N_("Request GDAP from a template"),
    GdapBulkAction.RENEW: N_("Renew GDAP relationships"),
    GdapBulkAction.TERMINATE: N_("Terminate GDAP relationships"),
}
ACTION_EFFECTS = {
    GdapBulkAction.REQUEST_FROM_TEMPLATE: N_(
        "For each customer, a GDAP relationship with the template's roles, duration and auto-extend is sent to the "
        "customer for approval. When the customer approves it, the template's security groups get their roles at "
        "once. A customer that already has a request from this template waiting is not asked again."
    ),
    GdapBulkAction.RENEW: N_(
        "For each customer, every active GDAP relationship gets a renewal: a new relationship from its template (or "
        "its own terms), without Global Administrator and with auto-extend on, sent to the customer for approval. "
        "Access continues through the current relationships until they end."
    ),
    GdapBulkAction.TERMINATE: N_(
        "For each customer, every active GDAP relationship you hold ends at once: the "
        "members of your security groups lose their roles in that customer's tenant. "
        "Requests the customer has not approved yet are left alone."
    ),
}
NONE_SELECTED = N_("Select at least one customer.")
NONE_AVAILABLE = N_("None of the selected customers is still in your list.")
TOO_MANY = N_("Select at most {limit} customers at a time.")
CHOOSE_ACTION = N_("Choose what to do with the GDAP relationships of the selected customers.")
STARTED = N_("The GDAP job for {count} customers has started. This page follows its progress.")
ENDED = N_("Relationships ended: {count}.")
SENT = N_("Sent for approval: {name}.")
RENEWALS_SENT = N_("Renewals sent for approval: {names}.")
TEMPLATE_LABEL = N_("{name} ({roles} roles, {days} days)")
NO_TEMPLATES = N_("You have no GDAP template yet: create one first.")


def action_options(ctx: WebCtx) -> list[tuple[str, str]]:
    """The bulk actions as (value, label in the page's language), for the customer list."""
    return [(a.value, ctx.t(label)) for a, label in ACTION_LABELS.items()]


def _picked(ctx: WebCtx, state: FormState) -> list[Any] | Response:
    """The partner's customers among those picked, or the redirect that explains why there are none."""
    picked = state.many("customer_id")
    if not picked:
        return ctx.redirect("/customers", flash=ctx.t(NONE_SELECTED), kind="error")
    if len(picked) > MAX_SELECTION:
        return ctx.redirect("/customers", flash=ctx.t(TOO_MANY, limit=MAX_SELECTION), kind="error")
    customers = list_selected_customers_for_gdap(ctx.session, ctx.require_actor(), customer_ids=picked)
    if not customers:
        return ctx.redirect("/customers", flash=ctx.t(NONE_AVAILABLE), kind="error")
    return customers


def _action(state: FormState) -> GdapBulkAction | None:
    value = state.values.get("gdap_action", "")
    try:
        return parse_action(value) if isinstance(value, str) else None
    except GdapBulkActionInvalid:
        return None


@router.post("/gdap/bulk")
def bulk_confirmation(ctx: SignedIn, form: Form) -> Response:
    """The customers picked in the list and the action chosen there, to confirm."""
    state = FormState.from_form(ctx, form)
    customers = _picked(ctx, state)
    if isinstance(customers, Response):
        return customers
    action = _action(state)
    if action is None:
        return ctx.redirect("/customers", flash=ctx.t(CHOOSE_ACTION), kind="error")
    return _render_confirmation(ctx, customers, action, FormState(ctx))


def _template_label(ctx: WebCtx, template: GdapTemplate) -> str:
    """A template as the confirmation offers it: its name, roles' count and duration."""
    return ctx.t(TEMPLATE_LABEL, name=template.name, roles=len(template.role_ids), days=template.duration_days)


def _render_confirmation(
    ctx: WebCtx, customers: list[Any], action: GdapBulkAction, form: FormState, status_code: int = 200
) -> Response:
    templates = (
        list_templates(ctx.session, ctx.require_actor()) if action == GdapBulkAction.REQUEST_FROM_TEMPLATE else []
    )
    return ctx.render(
        "gdap/bulk.html",
        customers=customers,
        action=action.value,
        form=form,
        action_label=ctx.t(ACTION_LABELS[action]),
        effect=ctx.t(ACTION_EFFECTS[action]),
        templates=templates,
        needs_template=action == GdapBulkAction.REQUEST_FROM_TEMPLATE,
        templates_options=[(t.id, _template_label(ctx, t)) for t in templates],
        no_templates=ctx.t(NO_TEMPLATES),
        status_code=status_code,
        breadcrumbs=[("/customers", ctx.t("Customers")), (None, ctx.t(ACTION_LABELS[action]))],
    )


@router.post("/gdap/bulk/start")
def bulk_start(ctx: SignedIn, form: Form) -> Response:
    state = FormState.from_form(ctx, form)
    customers = _picked(ctx, state)
    if isinstance(customers, Response):
        return customers
    action = _action(state)
    if action is None:
        return ctx.redirect("/customers", flash=ctx.t(CHOOSE_ACTION), kind="error")
    template = state.values.get("template_id") if action == GdapBulkAction.REQUEST_FROM_TEMPLATE else None
    try:
        with ctx.attempt() as session:
            job = start_gdap_bulk_job(
                session,
                ctx.require_actor(),
                action=action.value,
                customer_ids=[c.id for c in customers],
                template_id=template if isinstance(template, str) else None,
            )
    except (GdapBulkTemplateRequired, GdapTemplateNotFound) as exc:
        state.domain_error(exc, field_of={GdapBulkTemplateRequired: "template_id", GdapTemplateNotFound: "template_id"})
        return _render_confirmation(ctx, customers, action, state, 400)
    return ctx.redirect(f"/gdap/bulk/{job.id}", flash=ctx.t(STARTED, count=len(customers)), kind="info")


def _outcome(ctx: WebCtx, item: JobItem) -> str:
    result = item.result or {}
    if "terminated" in result:
        return ctx.t(ENDED, count=len(result["terminated"]))
    if "renewed" in result:
        return ctx.t(RENEWALS_SENT, names=", ".join(r["displayName"] for r in result["renewed"]))
    if "displayName" in result:
        return ctx.t(SENT, name=result["displayName"])
    return ""


@router.get("/gdap/bulk/{gdap_job_id}")
def job_page(ctx: SignedIn, gdap_job_id: str) -> Response:
    """A GDAP bulk job's progress and per-customer outcome; the page reloads itself while the job runs."""
    report = gdap_bulk_report(ctx.session, ctx.require_actor(), job_id=gdap_job_id)
    return render_bulk_job(
        ctx,
        report,
        title=ctx.t(ACTION_LABELS[action_of(report.job)]),
        href=f"/gdap/bulk/{gdap_job_id}",
        outcome=lambda item: _outcome(ctx, item),
    )

"""Edit billing profile (issue 12, F4): the form of a customer's billing profile, for the roles that manage
customers. It carries the etag it was shown with, so a change another partner of the same customer made
meanwhile is refused with the reason and never overwritten; every related partner's log records each change."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import BillingProfileInput, make_etag
from partnerhub.customers.service import get_customer, may_update_billing_profile, update_billing_profile
from partnerhub.errors import DomainError, Forbidden, InvalidInput
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.customer_pages import crumbs
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

FIELDS = {
    "first_name": 100,
    "last_name": 100,
    "email": 320,
    "phone_number": 40,
    "address_line1": 200,
    "city": 100,
    "state": 100,
    "postal_code": 20,
    "country": 2,
}
SAVED = N_("The billing profile of {name} was saved.")
NOTHING_CHANGED = N_("Nothing was changed.")
NOT_A_COUNTRY = N_("Enter a two-letter country code, such as IT or US.")


def _customer(ctx: WebCtx, customer_id: str) -> Customer:
    actor = ctx.require_actor()
    if not may_update_billing_profile(actor):
        raise Forbidden(operation="update billing profile")
    return get_customer(ctx.session, actor, customer_id=customer_id).customer


def _render(ctx: WebCtx, customer: Customer, state: FormState, etag: str, status_code: int = 200) -> Response:
    return ctx.render(
        "customers/billing.html",
        customer=customer,
        form=state,
        etag=etag,
        status_code=status_code,
        breadcrumbs=crumbs(
            ctx,
            customer,
            (f"/customers/{customer.id}/account", ctx.t("Account")),
            (None, ctx.t("Edit billing profile")),
        ),
    )


@router.get("/customers/{customer_id}/billing")
def billing_page(ctx: SignedIn, customer_id: str) -> Response:
    customer = _customer(ctx, customer_id)
    values = {name: getattr(customer, name) for name in FIELDS}
    return _render(ctx, customer, FormState(ctx, values), make_etag(customer.id, customer.version))


@router.post("/customers/{customer_id}/billing")
def save_billing(ctx: SignedIn, form: Form, customer_id: str) -> Response:
    actor = ctx.require_actor()
    customer = _customer(ctx, customer_id)
    state = FormState.from_form(ctx, form)
    etag = state.text("etag", required=False, limit=400)
    values = {
        name: state.text(name, required=name in ("email", "country"), limit=limit) for name, limit in FIELDS.items()
    }
    values["country"] = values["country"].upper()
    if values["country"] and (len(values["country"]) != 2 or not values["country"].isalpha()):
        state.fail("country", NOT_A_COUNTRY)
    if not state.ok:
        return _render(ctx, customer, state, etag, 400)
    before = customer.version
    try:
        with ctx.attempt() as session:
            saved = update_billing_profile(
                session, actor, customer_id=customer.id, billing=BillingProfileInput(**values), etag=etag or None
            )
            changed = saved.version != before
    except DomainError as exc:
        state.domain_error(exc, field_of={InvalidInput: "email"})
        return _render(ctx, customer, state, etag, 400)
    account = f"/customers/{customer.id}/account"
    if not changed:
        return ctx.redirect(account, flash=ctx.t(NOTHING_CHANGED), kind="info")
    return ctx.redirect(account, flash=ctx.t(SAVED, name=customer.company_name))

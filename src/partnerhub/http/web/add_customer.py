"""Add customer (issue 15 §5): company, domain and billing profile; the new Global admin's one-time password
is shown once, on the answer to the form, with a Copy button, and never again."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.customers.schemas import BillingProfileInput
from partnerhub.customers.service import create_customer, may_create_customers
from partnerhub.errors import (
    CannotBeOwnCustomer,
    DomainError,
    DuplicateDomain,
    Forbidden,
    InvalidInput,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

LANGUAGES = (("en", N_("English")), ("it", N_("Italian")))
NOT_A_COUNTRY = N_("Enter a two-letter country code, such as IT or US.")
BILLING_FIELDS = ("first_name", "last_name", "email", "address_line1", "city", "postal_code")


def _require_creator(ctx: WebCtx) -> None:
    if not may_create_customers(ctx.require_actor()):
        raise Forbidden(operation="create customer")


def _render(ctx: WebCtx, form: FormState, status_code: int = 200) -> Response:
    return ctx.render(
        "customers/new.html",
        form=form,
        status_code=status_code,
        billing_languages=[(code, ctx.t(label)) for code, label in LANGUAGES],
        breadcrumbs=[("/customers", ctx.t("Customers")), (None, ctx.t("Add customer"))],
    )


@router.get("/customers/new")
def new_customer_page(ctx: SignedIn) -> Response:
    _require_creator(ctx)
    return _render(ctx, FormState(ctx, {"language": ctx.locale, "country": "IT" if ctx.locale == "it" else "US"}))


@router.post("/customers/new")
def add_customer(ctx: SignedIn, form: Form) -> Response:
    _require_creator(ctx)
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    company = state.text("company_name", limit=200)
    domain = state.text("domain", limit=253)
    billing = {name: state.text(name, required=name in ("email", "country"), limit=200) for name in BILLING_FIELDS}
    language = state.choice("language", [code for code, _label in LANGUAGES])
    country = state.text("country", limit=2).upper()
    if country and (len(country) != 2 or not country.isalpha()):
        state.fail("country", NOT_A_COUNTRY)
    if not state.ok:
        return _render(ctx, state, 400)
    profile = BillingProfileInput(
        **{k: v for k, v in billing.items() if v},
        language=language,
        culture="it-IT" if language == "it" else "en-US",
        country=country,
    )
    try:
        with ctx.attempt() as session:
            created = create_customer(session, actor, company_name=company, domain=domain, billing=profile)
            shown = (created.customer.id, created.customer.company_name, created.admin.email, created.password)
    except DomainError as exc:
        state.domain_error(
            exc, field_of={DuplicateDomain: "domain", CannotBeOwnCustomer: "domain", InvalidInput: "domain"}
        )
        return _render(ctx, state, 400)
    # The password is shown on this answer only: never in a cookie, never again (no-store keeps it out of caches).
    customer_id, name, admin_email, password = shown
    return ctx.render(
        "customers/created.html",
        customer_id=customer_id,
        company_name=name,
        admin_email=admin_email,
        password=password,
        breadcrumbs=[("/customers", ctx.t("Customers")), (None, ctx.t("Add customer"))],
    )

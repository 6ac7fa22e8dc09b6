"""/v1/customers: create, list and search, get, PATCH (remove the reseller relationship or DAP), and the
billing and company profiles, in Partner Center's shapes."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from partnerhub.customers.concurrency import require_current_customer
from partnerhub.customers.models import Customer
from partnerhub.customers.queries import CustomerFields, RelationshipFields, SearchField
from partnerhub.customers.schemas import (
    BillingProfileInput,
    billing_profile_dict,
    company_profile_dict,
    customer_dict,
)
from partnerhub.customers.service import (
    create_customer,
    get_customer,
    list_customers,
    update_billing_profile,
)
from partnerhub.delegated_admin.dap import set_delegated_admin
from partnerhub.errors import Forbidden, InvalidInput
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection, continuation, page_size
from partnerhub.http.api.shapes import link
from partnerhub.ids import normalize_id
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship

router = api_router(tags=["customers"])

SEARCH_FIELDS: dict[str, SearchField] = {
    "companyname": "company",
    "displayname": "company",
    "domain": "domain",
    "defaultdomainname": "domain",
}
STARTS_WITH = ("startswith",)


def _customer(c: CustomerFields, rel: RelationshipFields | None = None) -> dict[str, Any]:
    """The customer with the acting partner's relationship (None: the customer's own users, the operator)."""
    out = customer_dict(
        c,
        relationship="reseller" if rel is not None else "none",
        allow_delegated_access=rel.has_delegated_admin if rel is not None else None,
        associated_partner_id=rel.associated_partner_id if rel is not None else None,
        relationship_version=(rel.id, rel.version) if rel is not None else None,
    )
    out["companyProfile"]["links"] = {"self": link(f"/v1/customers/{c.id}/profiles/company")}
    out["billingProfile"]["links"] = {"self": link(f"/v1/customers/{c.id}/profiles/billing")}
    out["links"] = {"self": link(f"/v1/customers/{c.id}")}
    return out


def billing_input(b: Body | None) -> BillingProfileInput:
    """A billing profile as Partner Center sends it (first and last name may sit in defaultAddress)."""
    if b is None:
        return BillingProfileInput()
    address = b.obj("defaultAddress")
    a = address or Body({}, b.field("defaultAddress"))
    country = a.text("country", max_length=2)
    if country is not None and (len(country.strip()) != 2 or not country.strip().isalpha()):
        raise InvalidInput(
            data=[{"field": a.field("country"), "message": "is a two-letter ISO code"}],
            detail=f"{a.field('country')}: is a two-letter ISO code such as IT or US",
        )
    return BillingProfileInput(
        first_name=b.text("firstName", max_length=50) or a.text("firstName", max_length=50),
        last_name=b.text("lastName", max_length=50) or a.text("lastName", max_length=50),
        email=b.text("email", max_length=320),
        culture=b.text("culture", max_length=16),
        language=b.text("language", max_length=8),
        company_name=b.text("companyName", max_length=200),
        address_line1=a.text("addressLine1", max_length=200),
        city=a.text("city", max_length=100),
        state=a.text("state", max_length=100),
        postal_code=a.text("postalCode", max_length=20),
        country=country,
        phone_number=a.text("phoneNumber", max_length=40),
    )


def _customer_filter(raw: str | None) -> tuple[str | None, SearchField]:
    """Partner Center's filter `{"Field": "CompanyName"|"Domain"|..., "Value": ..., "Operator": "starts_with"}`."""
    if not raw:
        return None, "company"
    try:
        f = Body(json.loads(raw), "filter")
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput(
            detail='filter: must be JSON such as {"Field":"CompanyName","Value":"Con","Operator":"starts_with"}'
        ) from None
    field = (f.text("field", required=True, max_length=50) or "").strip().lower()
    if field not in SEARCH_FIELDS:
        raise InvalidInput(detail="filter.Field: must be CompanyName, Domain, DisplayName or DefaultDomainName")
    operator = (f.text("operator", max_length=50) or "starts_with").strip().lower().replace("_", "")
    if operator not in STARTS_WITH:
        raise InvalidInput(detail="filter.Operator: only starts_with is supported")
    return f.text("value", required=True, max_length=200), SEARCH_FIELDS[field]


@router.get("/customers")
def get_customers(
    request: Request, ctx: Ctx, size: str | None = None, filter_: Annotated[str | None, Query(alias="filter")] = None
) -> Response:
    """The partner's customers (active reseller relationships), optionally by name or domain prefix."""
    prefix, field = _customer_filter(filter_)
    kind = f"customers:{field}"
    after = continuation(request, kind, 2)
    session = ctx.session
    page = list_customers(
        session,
        ctx.actor,
        size=page_size(size),
        prefix=prefix,
        field=field,
        after=(after[0], after[1]) if after else None,
    )
    items = [_customer(r.customer, r.relationship) for r in page.items]
    nxt = list(page.next_cursor) if page.next_cursor else None
    return ctx.respond(200, collection(request, items, kind=kind, next_values=nxt))


@router.post("/customers", status_code=201, openapi_extra=bodies.CREATE_CUSTOMER)
def post_customer(ctx: Ctx) -> Response:
    """Create a customer; the answer carries its Global admin's one-time password (redacted in replays)."""
    b = ctx.body()
    company = b.obj("companyProfile", required=True)
    assert company is not None
    billing_body = b.obj("billingProfile")
    billing = billing_input(billing_body)
    domain = company.text("domain", required=True, max_length=253) or ""
    name = company.text("companyName", max_length=200) or billing.company_name
    if not name or not name.strip():
        raise InvalidInput(
            data=[{"field": "companyProfile.companyName", "message": "is required"}],
            detail="companyProfile.companyName (or billingProfile.companyName): is required",
        )
    allow_dap = b.boolean("allowDelegatedAccess")
    session = ctx.session
    created = create_customer(
        session,
        ctx.actor,
        company_name=name,
        domain=domain,
        billing=billing,
        organization_registration_number=company.text("organizationRegistrationNumber", max_length=64) or "",
        allow_delegated_access=True if allow_dap is None else allow_dap,
        associated_partner_id=b.text("associatedPartnerId", max_length=36),
    )
    session.flush()  # the relationship's version, which its etag names
    body = _customer(created.customer, created.relationship)
    body["userCredentials"] = {"userName": created.admin.email, "password": created.password}
    return ctx.respond(201, body)


def _visible_customer(ctx: Ctx, customer_id: str) -> dict[str, Any]:
    view = get_customer(ctx.session, ctx.actor, customer_id=customer_id)
    return _customer(view.customer, view.relationship)


@router.get("/customers/{customer_id}")
def get_one_customer(customer_id: str, ctx: Ctx) -> Response:
    return ctx.respond(200, _visible_customer(ctx, customer_id))


def _removed(customer_id: str) -> dict[str, Any]:
    """Partner Center's answer to a removal: the customer reduced to its new relationship."""
    return {
        "id": customer_id,
        "commerceId": None,
        "companyProfile": None,
        "billingProfile": None,
        "relationshipToPartner": "none",
        "allowDelegatedAccess": None,
        "userCredentials": None,
        "customDomains": None,
        "associatedPartnerId": None,
        "attributes": {"objectType": "Customer"},
    }


@router.patch("/customers/{customer_id}", openapi_extra=bodies.UPDATE_CUSTOMER)
def patch_customer(customer_id: str, request: Request, ctx: Ctx) -> Response:
    """The whole customer as clients send it: `relationshipToPartner: none` removes the reseller
    relationship, `allowDelegatedAccess: false` removes DAP; unchanged and read-only fields are ignored.
    Concurrency: If-Match if present, else attributes.etag if present (stale: 2055), else the update applies."""
    b = ctx.body()
    relationship = b.text("relationshipToPartner", max_length=50)
    allow_dap = b.boolean("allowDelegatedAccess")
    etag = request.headers.get("if-match") or b.etag()
    session = ctx.session
    customer_id = normalize_id(customer_id)
    require_current_customer(session, ctx.actor, customer_id=customer_id, etag=etag)
    if relationship is not None and relationship.strip().lower() == "none":
        remove_reseller_relationship(session, ctx.actor, customer_id=customer_id)
        body = _removed(customer_id)
    else:
        view = get_customer(session, ctx.actor, customer_id=customer_id)
        customer, rel = view.customer, view.relationship
        if rel is None:  # only a partner has a relationship to change
            raise Forbidden(operation="get customer")
        if relationship is not None and relationship.strip().lower() != "reseller":
            raise InvalidInput(
                data=[{"field": "relationshipToPartner", "message": "can only become none"}],
                detail="relationshipToPartner: can only be changed to none",
            )
        if allow_dap is not None and allow_dap != rel.has_delegated_admin:
            rel = set_delegated_admin(session, ctx.actor, customer_id=customer_id, allow=allow_dap)
        body = _customer(customer, rel)
    return ctx.respond(200, body)


def _billing(c: Customer) -> dict[str, Any]:
    out = billing_profile_dict(c)
    out["links"] = {"self": link(f"/v1/customers/{c.id}/profiles/billing")}
    return out


@router.get("/customers/{customer_id}/profiles/billing")
def get_billing_profile(customer_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    body = _billing(get_customer(session, ctx.actor, customer_id=customer_id).customer)
    return ctx.respond(200, body)


@router.put("/customers/{customer_id}/profiles/billing", openapi_extra=bodies.UPDATE_BILLING_PROFILE)
def put_billing_profile(customer_id: str, request: Request, ctx: Ctx) -> Response:
    """Replace the billing profile; `If-Match` (else `attributes.etag`) must name the current version."""
    b = ctx.body()
    billing = billing_input(b)
    etag = request.headers.get("if-match") or b.etag()
    session = ctx.session
    customer = update_billing_profile(session, ctx.actor, customer_id=customer_id, billing=billing, etag=etag)
    body = _billing(customer)
    return ctx.respond(200, body)


@router.get("/customers/{customer_id}/profiles/company")
def get_company_profile(customer_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    customer = get_customer(session, ctx.actor, customer_id=customer_id).customer
    body = company_profile_dict(customer)
    body["links"] = {"self": link(f"/v1/customers/{customer.id}/profiles/company")}
    return ctx.respond(200, body)

"""Microsoft Graph's delegatedAdminCustomers over HTTP, under /v1/tenantRelationships/delegatedAdminCustomers:
the customers in whose tenant the partner holds an admin relationship that grants access now, one of them,
and where to manage its services (`serviceManagementDetails`, partnerhub's own pages for the customer)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from partnerhub.delegated_admin.admin_customers import get_delegated_admin_customer, list_delegated_admin_customers
from partnerhub.delegated_admin.schemas import delegated_admin_customer_dict, service_management_details
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.graph_odata import collection, count_response, public_base

router = api_router(tags=["GDAP (Microsoft Graph shape)"])
PATH = "/tenantRelationships/delegatedAdminCustomers"
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/delegatedAdminCustomers"


@router.get(PATH)
def get_delegated_admin_customers(request: Request, ctx: Ctx) -> Response:
    """The partner's customers with an active admin relationship (Global admin, Admin agent), by name."""
    found = list_delegated_admin_customers(ctx.session, ctx.actor)
    items = [delegated_admin_customer_dict(c.tenant_id, c.display_name) for c in found]
    return ctx.respond(200, collection(request, items, context=CONTEXT, kind="gdap-customers"))


@router.get(PATH + "/$count", response_class=Response)
def count_delegated_admin_customers(request: Request, ctx: Ctx) -> Response:
    return count_response(request, len(list_delegated_admin_customers(ctx.session, ctx.actor)))


@router.get(PATH + "/{customer_id}")
def get_one_delegated_admin_customer(customer_id: str, ctx: Ctx) -> Response:
    found = get_delegated_admin_customer(ctx.session, ctx.actor, customer_id=customer_id)
    body = {
        "@odata.context": f"{CONTEXT}/$entity",
        **delegated_admin_customer_dict(found.tenant_id, found.display_name),
    }
    return ctx.respond(200, body)


@router.get(PATH + "/{customer_id}/serviceManagementDetails")
def get_service_management_details(customer_id: str, request: Request, ctx: Ctx) -> Response:
    """Where the partner manages the customer's services: partnerhub's pages for it, as absolute links."""
    found = get_delegated_admin_customer(ctx.session, ctx.actor, customer_id=customer_id)
    items = service_management_details(found.tenant_id, base_url=public_base(request))
    context = f"{CONTEXT}('{found.tenant_id}')/serviceManagementDetails"
    return ctx.respond(200, collection(request, items, context=context, kind="gdap-services"))


@router.get(PATH + "/{customer_id}/serviceManagementDetails/$count", response_class=Response)
def count_service_management_details(customer_id: str, request: Request, ctx: Ctx) -> Response:
    found = get_delegated_admin_customer(ctx.session, ctx.actor, customer_id=customer_id)
    return count_response(request, len(service_management_details(found.tenant_id, base_url="")))

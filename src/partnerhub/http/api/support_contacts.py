"""/v1/customers/{id}/subscriptions/{sid}/supportcontact: read and designate a subscription's support
contact, in Partner Center's SupportContact shape."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.ids import normalize_id
from partnerhub.support_contacts.schemas import support_contact_dict
from partnerhub.support_contacts.service import get_support_contact, set_support_contact

router = api_router(tags=["subscriptions"])
PATH = "/customers/{customer_id}/subscriptions/{subscription_id}/supportcontact"


@router.get(PATH)
def get_subscription_support_contact(customer_id: str, subscription_id: str, ctx: Ctx) -> Response:
    """The effective support contact: the designated one, else the provider or direct partner while it is
    related to the customer (all fields null when there is none)."""
    session = ctx.session
    contact = get_support_contact(session, ctx.actor, customer_id=customer_id, subscription_id=subscription_id)
    body = support_contact_dict(
        contact, customer_id=normalize_id(customer_id), subscription_id=normalize_id(subscription_id)
    )
    return ctx.respond(200, body)


@router.put(PATH, openapi_extra=bodies.UPDATE_SUPPORT_CONTACT)
def put_subscription_support_contact(customer_id: str, subscription_id: str, request: Request, ctx: Ctx) -> Response:
    """Designate the support contact by `supportTenantId` and/or `supportMpnId` (the name and links clients
    send back are ignored): the partner itself (back to the default) or one of its indirect resellers
    related to the customer. Concurrency: If-Match, else attributes.etag (stale: 2055), else it applies."""
    b = ctx.body()
    tenant_id = b.text("supportTenantId", max_length=64)
    mpn_id = b.text("supportMpnId", max_length=64)
    etag = request.headers.get("if-match") or b.etag()
    session = ctx.session
    contact = set_support_contact(
        session,
        ctx.actor,
        customer_id=customer_id,
        subscription_id=subscription_id,
        support_tenant_id=tenant_id,
        support_mpn_id=mpn_id,
        etag=etag,
    )
    body = support_contact_dict(
        contact, customer_id=normalize_id(customer_id), subscription_id=normalize_id(subscription_id)
    )
    return ctx.respond(200, body)

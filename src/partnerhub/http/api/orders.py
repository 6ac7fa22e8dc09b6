"""/v1/offers (the operator's catalog) and /v1/customers/{id}/orders: place, list and get orders."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from partnerhub.catalog.models import Offer
from partnerhub.catalog.service import list_offers
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection
from partnerhub.http.api.shapes import link
from partnerhub.orders.schemas import LineItemInput, order_dict
from partnerhub.orders.service import create_order, get_order, list_orders

router = api_router(tags=["orders"])
# What the Partner Center SDK sends when the client left the billing cycle unset: the offer's default.
UNSET_CYCLES = ("unknown", "none", "")


def offer_dict(o: Offer) -> dict[str, Any]:
    return {
        "id": o.id,
        "name": o.name,
        "description": o.description,
        "minimumQuantity": o.min_quantity,
        "maximumQuantity": o.max_quantity,
        "unitType": o.unit_type,
        "kind": o.kind,
        "isAddOn": o.parent_offer_id is not None,
        "prerequisiteOffers": [o.parent_offer_id] if o.parent_offer_id else [],
        "isAvailableForPurchase": o.is_available,
        "supportedBillingCycles": list(o.billing_cycles),
        "termDurations": list(o.term_durations),
        "links": {"self": link(f"/v1/offers/{o.id}")},
        "attributes": {"objectType": "Offer"},
    }


@router.get("/offers", tags=["catalog"])
def get_offers(request: Request, ctx: Ctx) -> Response:
    """Every available offer of the catalog."""
    session = ctx.session
    items = [offer_dict(o) for o in list_offers(session)]
    return ctx.respond(200, collection(request, items))


def _line_item(li: Body) -> LineItemInput:
    return LineItemInput(
        offer_id=li.text("offerId", required=True, max_length=64) or "",
        quantity=li.integer("quantity", minimum=1, maximum=1_000_000) or 1,
        friendly_name=li.text("friendlyName", max_length=200),
        term_duration=li.text("termDuration", max_length=8),
        parent_subscription_id=li.text("parentSubscriptionId", max_length=36),
        partner_id_on_record=li.text("partnerIdOnRecord", max_length=16),
        line_item_number=li.integer("lineItemNumber", minimum=0, maximum=1000),
    )


@router.post("/customers/{customer_id}/orders", status_code=201, openapi_extra=bodies.CREATE_ORDER)
def post_order(customer_id: str, ctx: Ctx) -> Response:
    """Place an order: each line item becomes a subscription (refused with 20002 without a relationship)."""
    b = ctx.body()
    items = [_line_item(li) for li in b.objects("lineItems", required=True)]
    cycle = b.text("billingCycle", max_length=16)
    if cycle is not None and cycle.strip().lower() in UNSET_CYCLES:
        cycle = None
    session = ctx.session
    order, lines, _subs = create_order(
        session,
        ctx.actor,
        customer_id=customer_id,
        line_items=items,
        billing_cycle=cycle,
        currency_code=b.text("currencyCode", max_length=3) or "USD",
    )
    body = order_dict(order, lines)
    return ctx.respond(201, body)


@router.get("/customers/{customer_id}/orders")
def get_orders(customer_id: str, request: Request, ctx: Ctx) -> Response:
    session = ctx.session
    items = [order_dict(o, lines) for o, lines in list_orders(session, ctx.actor, customer_id=customer_id)]
    return ctx.respond(200, collection(request, items))


@router.get("/customers/{customer_id}/orders/{order_id}")
def get_one_order(customer_id: str, order_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    order, lines = get_order(session, ctx.actor, customer_id=customer_id, order_id=order_id)
    body = order_dict(order, lines)
    return ctx.respond(200, body)

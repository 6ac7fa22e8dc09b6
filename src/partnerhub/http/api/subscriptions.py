"""/v1/customers/{id}/subscriptions: list, get, PATCH (suspend, reactivate, quantity, friendly name,
auto-renew; If-Match or attributes.etag) and add-ons, in Partner Center's shapes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection, continuation, page_size
from partnerhub.ids import normalize_id
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.queries import get_subscription
from partnerhub.subscriptions.service import (
    SubscriptionChange,
    describe_subscriptions,
    list_addons,
    list_subscriptions,
    update_subscription,
)

router = api_router(tags=["subscriptions"])
STATUSES = ("active", "suspended", "deleted", "pending", "expired", "disabled")


def _one(session: Session, sub: Subscription) -> dict[str, Any]:
    return describe_subscriptions(session, [sub])[0]


@router.get("/customers/{customer_id}/subscriptions")
def get_subscriptions(customer_id: str, request: Request, ctx: Ctx, size: str | None = None) -> Response:
    """The customer's subscriptions bought through the acting partner, paged by id."""
    after = continuation(request, "subscriptions", 2)
    if after is not None and after[0] != normalize_id(customer_id):
        after = None  # a token of another customer's listing starts this one from the beginning
    session = ctx.session
    page = list_subscriptions(
        session, ctx.actor, customer_id=customer_id, size=page_size(size), after=after[1] if after else None
    )
    items = describe_subscriptions(session, page.items)
    nxt = [normalize_id(customer_id), page.next_cursor] if page.next_cursor else None
    return ctx.respond(200, collection(request, items, kind="subscriptions", next_values=nxt))


@router.get("/customers/{customer_id}/subscriptions/{subscription_id}")
def get_one_subscription(customer_id: str, subscription_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    body = _one(session, get_subscription(session, ctx.actor, customer_id=customer_id, subscription_id=subscription_id))
    return ctx.respond(200, body)


@router.patch("/customers/{customer_id}/subscriptions/{subscription_id}", openapi_extra=bodies.UPDATE_SUBSCRIPTION)
def patch_subscription(customer_id: str, subscription_id: str, request: Request, ctx: Ctx) -> Response:
    """The whole subscription as clients send it; only status, quantity, friendlyName and autoRenewEnabled
    can change (and `suspensionNote`, our extension, goes with a suspension). Concurrency: If-Match if
    present, else attributes.etag if present, else the update applies."""
    b = ctx.body()
    change = SubscriptionChange(
        status=b.choice("status", STATUSES),
        quantity=b.integer("quantity", minimum=0, maximum=1_000_000),
        friendly_name=b.text("friendlyName", max_length=200),
        auto_renew_enabled=b.boolean("autoRenewEnabled"),
        suspension_note=b.text("suspensionNote", max_length=500),
    )
    etag = request.headers.get("if-match") or b.etag()
    session = ctx.session
    sub = update_subscription(
        session, ctx.actor, customer_id=customer_id, subscription_id=subscription_id, change=change, etag=etag
    )
    body = _one(session, sub)
    return ctx.respond(200, body)


@router.get("/customers/{customer_id}/subscriptions/{subscription_id}/addons")
def get_addons(customer_id: str, subscription_id: str, request: Request, ctx: Ctx) -> Response:
    session = ctx.session
    items = describe_subscriptions(
        session, list_addons(session, ctx.actor, customer_id=customer_id, subscription_id=subscription_id)
    )
    return ctx.respond(200, collection(request, items))

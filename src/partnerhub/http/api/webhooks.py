"""/webhooks/v1: Partner Center's webhook registration API, unchanged (registration, validation events, event
names), and our extensions: several endpoints per partner, the delivery log, redelivery, replay, secret
rotation. Global admins and Admin agents manage them, with the same bearer tokens and error body as /v1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from partnerhub.audit.dates import parse_instant
from partnerhub.errors import InvalidInput
from partnerhub.http.api import openapi_bodies as ob
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection, continuation, page_size
from partnerhub.webhooks import service
from partnerhub.webhooks.events import EVENT_NAMES
from partnerhub.webhooks.models import DeliveryStatus
from partnerhub.webhooks.queries import (
    attempts_of,
    get_delivery,
    get_endpoint,
    get_registration,
    get_validation_event,
    list_deliveries,
    list_endpoints,
)
from partnerhub.webhooks.schemas import delivery_dict, endpoint_dict, validation_event_dict

EXT = "partnerhub extension (not in Partner Center): "
router = api_router(prefix="/webhooks/v1", tags=["webhooks"])
MAX_EVENTS = 100

REGISTRATION = ob.obj(
    {
        "webhookUrl": ob.text(
            2048,
            "https URL that receives the events (plain http and private addresses only "
            "where the operator allows them).",
        ),
        "webhookEvents": {
            "type": "array",
            "maxItems": MAX_EVENTS,
            "items": ob.text(80),
            "description": "Event names from GET /webhooks/v1/registration/events, any case.",
        },
    },
    required=("webhookUrl", "webhookEvents"),
)
REGISTRATION_EXAMPLE = {
    "WebhookUrl": "https://hooks.contoso.example/partnercenter",
    "WebhookEvents": ["subscription-updated", "reseller-relationship-removed"],
}
ENDPOINT = ob.obj(
    {
        **REGISTRATION["properties"],
        "isEnabled": ob.boolean("Send events to it (default true); enabling clears why it was disabled."),
        "fullBody": ob.boolean("Add the resource's state and the record's old and new values."),
    }
)
NO_BODY = ob.request_body(ob.obj({}), {}, required=False)
REPLAY = ob.request_body(
    ob.obj({"since": ob.text(40, "ISO 8601 or `M/D/YYYY h:mm:ss AM`.")}, required=("since",)),
    {"since": "2026-12-01T00:00:00Z"},
)


def config(ctx: Ctx) -> service.WebhookConfig:
    runtime = ctx.runtime
    resolve = getattr(ctx.request.app.state, "webhook_resolver", None)
    cfg = service.WebhookConfig.from_settings(runtime.settings)
    return cfg if resolve is None else service.WebhookConfig(cfg.secret_key, cfg.allow_private, cfg.public_url, resolve)


def _events(body: Body, *, required: bool) -> list[str] | None:
    value = body.raw("webhookEvents")
    if value is None:
        if required:
            raise InvalidInput(
                data=[{"field": "webhookEvents", "message": "is required"}], detail="webhookEvents: is required"
            )
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > MAX_EVENTS:
        raise InvalidInput(
            data=[{"field": "webhookEvents", "message": "must be a list of event names"}],
            detail="webhookEvents: must be a list of event names",
        )
    return [v[:80] for v in value]


def _url(body: Body, *, required: bool) -> str | None:
    return body.text("webhookUrl", required=required, max_length=2048)


def _answer(ctx: Ctx, status: int, made: service.EndpointWithSecret) -> Response:
    return ctx.respond(status, endpoint_dict(made.endpoint, secret=made.secret))


# --- Partner Center's registration -------------------------------------------------------------------


@router.get("/registration")
def get_webhook_registration(ctx: Ctx) -> Response:
    """The partner's registration, or 404."""
    partner_id = service.manager_partner(ctx.actor)
    return ctx.respond(200, endpoint_dict(get_registration(ctx.session, partner_id=partner_id)))


@router.post("/registration", openapi_extra=ob.request_body(REGISTRATION, REGISTRATION_EXAMPLE))
def create_webhook_registration(ctx: Ctx) -> Response:
    """Register the partner's webhook: 200 with the registration and, once, `properties.signingSecret`
    (`whsec_` + base64); 409 when the partner already has one."""
    body = ctx.body()
    made = service.create_endpoint(
        ctx.session,
        ctx.actor,
        url=_url(body, required=True) or "",
        events=_events(body, required=True) or [],
        config=config(ctx),
        registration=True,
    )
    return _answer(ctx, 200, made)


@router.put("/registration", openapi_extra=ob.request_body(REGISTRATION, REGISTRATION_EXAMPLE))
def replace_webhook_registration(ctx: Ctx) -> Response:
    """Replace the registration's URL and events (the secret stays); 404 when there is none."""
    body = ctx.body()
    endpoint = service.update_endpoint(
        ctx.session,
        ctx.actor,
        endpoint_id=None,
        config=config(ctx),
        url=_url(body, required=True),
        events=_events(body, required=True),
    )
    return ctx.respond(200, endpoint_dict(endpoint))


@router.delete("/registration", status_code=204, description=EXT + "remove the registration and its log.")
def delete_webhook_registration(ctx: Ctx) -> Response:
    service.delete_endpoint(ctx.session, ctx.actor, endpoint_id=None)
    return ctx.respond(204, None)


@router.post("/registration/validationEvents", openapi_extra=NO_BODY)
def post_validation_event(ctx: Ctx) -> Response:
    """Send a `test-created` event to the registration at once; answers `{"correlationId"}`."""
    delivery = service.send_test_event(ctx.session, ctx.actor, config=config(ctx))
    return ctx.respond(200, {"correlationId": delivery.correlation_id})


@router.get("/registration/validationEvents/{correlation_id}")
def get_validation_event_status(correlation_id: str, ctx: Ctx) -> Response:
    """The test event's status, its attempts and the receiver's status codes."""
    partner_id = service.manager_partner(ctx.actor)
    session = ctx.session
    delivery = get_validation_event(session, partner_id=partner_id, correlation_id=correlation_id)
    endpoint = get_endpoint(session, partner_id=partner_id, endpoint_id=delivery.endpoint_id)
    attempts = attempts_of(session, partner_id=partner_id, deliveries=[delivery])[delivery.id]
    return ctx.respond(200, validation_event_dict(delivery, attempts, endpoint.url))


@router.get("/registration/events")
def get_webhook_event_names(ctx: Ctx) -> Response:
    """The event names that can be registered."""
    service.manager_partner(ctx.actor)
    return ctx.respond(200, list(EVENT_NAMES))


@router.post(
    "/registration/rotateSecret",
    openapi_extra=NO_BODY,
    description=EXT + "a new signing secret, shown once; the old one signs beside it for 24 hours.",
)
def rotate_registration_secret(ctx: Ctx) -> Response:
    return _answer(ctx, 200, service.rotate_secret(ctx.session, ctx.actor, endpoint_id=None, config=config(ctx)))


# --- our extensions: several endpoints, the delivery log, redelivery, replay ----------------------------


@router.get("/endpoints", description=EXT + "every endpoint of the partner, the registration first.")
def list_webhook_endpoints(request: Request, ctx: Ctx) -> Response:
    partner_id = service.manager_partner(ctx.actor)
    items = [endpoint_dict(e) for e in list_endpoints(ctx.session, partner_id=partner_id)]
    return ctx.respond(200, collection(request, items))


@router.post(
    "/endpoints",
    status_code=201,
    openapi_extra=ob.request_body(ENDPOINT, {**REGISTRATION_EXAMPLE, "fullBody": True}),
    description=EXT + "another endpoint, with its own secret.",
)
def create_webhook_endpoint(ctx: Ctx) -> Response:
    body = ctx.body()
    made = service.create_endpoint(
        ctx.session,
        ctx.actor,
        url=_url(body, required=True) or "",
        events=_events(body, required=True) or [],
        config=config(ctx),
        full_body=bool(body.boolean("fullBody")),
    )
    if body.boolean("isEnabled") is False:
        service.update_endpoint(ctx.session, ctx.actor, endpoint_id=made.endpoint.id, config=config(ctx), enabled=False)
    return _answer(ctx, 201, made)


@router.get("/endpoints/{endpoint_id}", description=EXT + "one endpoint.")
def get_webhook_endpoint(endpoint_id: str, ctx: Ctx) -> Response:
    partner_id = service.manager_partner(ctx.actor)
    return ctx.respond(200, endpoint_dict(get_endpoint(ctx.session, partner_id=partner_id, endpoint_id=endpoint_id)))


@router.patch(
    "/endpoints/{endpoint_id}",
    openapi_extra=ob.request_body(ENDPOINT, {"isEnabled": True}),
    description=EXT + "change the URL, events, enabled flag or full body; absent fields stay.",
)
def update_webhook_endpoint(endpoint_id: str, ctx: Ctx) -> Response:
    body = ctx.body()
    endpoint = service.update_endpoint(
        ctx.session,
        ctx.actor,
        endpoint_id=endpoint_id,
        config=config(ctx),
        url=_url(body, required=False),
        events=_events(body, required=False),
        enabled=body.boolean("isEnabled"),
        full_body=body.boolean("fullBody"),
    )
    return ctx.respond(200, endpoint_dict(endpoint))


@router.delete("/endpoints/{endpoint_id}", status_code=204, description=EXT + "remove an endpoint and its log.")
def delete_webhook_endpoint(endpoint_id: str, ctx: Ctx) -> Response:
    service.delete_endpoint(ctx.session, ctx.actor, endpoint_id=endpoint_id)
    return ctx.respond(204, None)


@router.post(
    "/endpoints/{endpoint_id}/rotateSecret",
    openapi_extra=NO_BODY,
    description=EXT + "a new signing secret, shown once; the old one signs beside it for 24 hours.",
)
def rotate_endpoint_secret(endpoint_id: str, ctx: Ctx) -> Response:
    return _answer(ctx, 200, service.rotate_secret(ctx.session, ctx.actor, endpoint_id=endpoint_id, config=config(ctx)))


@router.post(
    "/endpoints/{endpoint_id}/validationEvents",
    openapi_extra=NO_BODY,
    description=EXT + "send a `test-created` event to this endpoint.",
)
def post_endpoint_validation_event(endpoint_id: str, ctx: Ctx) -> Response:
    delivery = service.send_test_event(ctx.session, ctx.actor, config=config(ctx), endpoint_id=endpoint_id)
    return ctx.respond(200, {"correlationId": delivery.correlation_id})


@router.get(
    "/endpoints/{endpoint_id}/deliveries",
    description=EXT + "the delivery log, newest first: `status` (pending, succeeded, failed) and "
    "`eventName` filter it; `size` and `links.next` page it.",
)
def list_webhook_deliveries(
    endpoint_id: str,
    request: Request,
    ctx: Ctx,
    status: str | None = None,
    event_name: Annotated[str | None, Query(alias="eventName")] = None,
    size: str | None = None,
) -> Response:
    partner_id = service.manager_partner(ctx.actor)
    if status is not None and status.strip().lower() not in {s.value for s in DeliveryStatus}:
        raise InvalidInput(
            data=[{"field": "status", "message": "must be pending, succeeded or failed"}],
            detail="status: must be pending, succeeded or failed",
        )
    after = continuation(request, "webhookdeliveries", 2)
    position = (datetime.fromisoformat(after[0]), after[1]) if after else None
    page = list_deliveries(
        ctx.session,
        partner_id=partner_id,
        endpoint_id=endpoint_id,
        status=status.strip().lower() if status else None,
        event=event_name,
        size=page_size(size),
        after=position,
    )
    items = [delivery_dict(d, page.attempts[d.id]) for d in page.items]
    nxt = [page.next_cursor[0].isoformat(), page.next_cursor[1]] if page.next_cursor else None
    return ctx.respond(200, collection(request, items, kind="webhookdeliveries", next_values=nxt))


@router.get("/deliveries/{delivery_id}", description=EXT + "one delivery with its attempts and answers.")
def get_webhook_delivery(delivery_id: str, ctx: Ctx) -> Response:
    partner_id = service.manager_partner(ctx.actor)
    delivery = get_delivery(ctx.session, partner_id=partner_id, delivery_id=delivery_id)
    attempts = attempts_of(ctx.session, partner_id=partner_id, deliveries=[delivery])[delivery.id]
    return ctx.respond(200, delivery_dict(delivery, attempts))


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    openapi_extra=NO_BODY,
    description=EXT + "send one delivery again, with the same `webhook-id`.",
)
def redeliver_webhook(delivery_id: str, ctx: Ctx) -> Response:
    delivery = service.redeliver(ctx.session, ctx.actor, delivery_id=delivery_id)
    return ctx.respond(200, delivery_dict(delivery, []))


@router.post(
    "/endpoints/{endpoint_id}/replay",
    openapi_extra=REPLAY,
    description=EXT + "send again every event since a time that the endpoint subscribes to.",
)
def replay_webhooks(endpoint_id: str, ctx: Ctx) -> Response:
    since_text = ctx.body().text("since", required=True, max_length=40) or ""
    count = service.replay_since(
        ctx.session, ctx.actor, endpoint_id=endpoint_id, since=parse_instant(since_text), config=config(ctx)
    )
    return ctx.respond(200, {"events": count, "since": since_text})

"""The Webhooks page (a partner's Global admins): register endpoints and choose their events, send a test
event and see its result, browse the delivery log with each status and the receiver's answer, redeliver,
rotate the secret (shown once), disable or remove an endpoint."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.auth.actor import Actor
from partnerhub.errors import DomainError
from partnerhub.errors.webhooks import (
    NoWebhookEvents,
    UnknownWebhookEvents,
    WebhookUrlMalformed,
    WebhookUrlNotHttps,
    WebhookUrlScheme,
    WebhookUrlUnresolvable,
    WebhookUrlUnsafeAddress,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.locale import N_
from partnerhub.webhooks import service
from partnerhub.webhooks.events import EVENT_NAMES, PARTNER_CENTER_EVENTS
from partnerhub.webhooks.models import DeliveryStatus
from partnerhub.webhooks.queries import find_registration, get_delivery, get_endpoint, list_deliveries, list_endpoints

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 25
CREATED = N_("The endpoint is registered. Copy its signing secret now: it is shown only this once.")
ROTATED = N_(
    "A new signing secret replaces the old one, which keeps signing beside it for 24 hours. Copy it now: "
    "it is shown only this once."
)
SAVED = N_("The endpoint was saved.")
NOTHING_CHANGED = N_("Nothing was changed.")
TEST_SENT = N_("A test event is on its way: its result appears in the delivery log below.")
REDELIVERING = N_("The delivery will be sent again, with the same webhook-id.")
DELETED = N_("The endpoint was removed with its delivery log.")
FIELD_OF: dict[type[DomainError], str] = {
    UnknownWebhookEvents: "events",
    NoWebhookEvents: "events",
    WebhookUrlMalformed: "url",
    WebhookUrlNotHttps: "url",
    WebhookUrlScheme: "url",
    WebhookUrlUnresolvable: "url",
    WebhookUrlUnsafeAddress: "url",
}
DISABLED_REASONS = {
    "by-user": N_("Disabled by a user"),
    "gone": N_("Disabled: the receiver answered 410 Gone"),
    "failing": N_("Disabled: deliveries still failed after every retry"),
}


def _partner(ctx: WebCtx) -> tuple[Actor, str]:
    actor = ctx.require_actor()
    return actor, actor.require_partner("manage webhooks")  # the page is for Global admins


def _config(ctx: WebCtx) -> service.WebhookConfig:
    resolve = getattr(ctx.request.app.state, "webhook_resolver", None)
    cfg = service.WebhookConfig.from_settings(ctx.runtime.settings)
    return cfg if resolve is None else service.WebhookConfig(cfg.secret_key, cfg.allow_private, cfg.public_url, resolve)


def _crumbs(ctx: WebCtx, *more: tuple[str | None, str]) -> list[tuple[str | None, str]]:
    return [("/webhooks", ctx.t("Webhooks")), *more] if more else [(None, ctx.t("Webhooks"))]


def _event_options() -> list[tuple[str, bool]]:
    """Every event name, and whether Partner Center has it (the others are partnerhub's)."""
    return [(name, name in PARTNER_CENTER_EVENTS) for name in EVENT_NAMES]


def _render_list(ctx: WebCtx, partner_id: str, state: FormState, status_code: int = 200) -> Response:
    endpoints = list_endpoints(ctx.session, partner_id=partner_id)
    return ctx.render(
        "webhooks/list.html",
        endpoints=endpoints,
        form=state,
        events=_event_options(),
        chosen=state.many("events"),
        reasons=DISABLED_REASONS,
        status_code=status_code,
        allow_private=ctx.runtime.settings.webhook_allow_private,
        breadcrumbs=_crumbs(ctx),
    )


@router.get("/webhooks")
def webhooks_page(ctx: SignedIn) -> Response:
    _actor, partner_id = _partner(ctx)
    return _render_list(ctx, partner_id, FormState(ctx))


def _read_form(state: FormState) -> tuple[str, list[str]]:
    url = state.text("url", limit=2048)
    events = state.many("events")
    if not events:
        state.fail("events", "Choose at least one webhook event.")
    return url, events


@router.post("/webhooks")
def register_endpoint(ctx: SignedIn, form: Form) -> Response:
    actor, partner_id = _partner(ctx)
    state = FormState.from_form(ctx, form)
    url, events = _read_form(state)
    if not state.ok:
        return _render_list(ctx, partner_id, state, 400)
    try:
        with ctx.attempt() as session:
            first = find_registration(session, partner_id=partner_id) is None  # the first is the registration
            made = service.create_endpoint(
                session,
                actor,
                url=url,
                events=events,
                config=_config(ctx),
                registration=first,
                full_body=state.checked("full_body"),
            )
            endpoint_id, secret = made.endpoint.id, made.secret
    except DomainError as exc:
        state.domain_error(exc, field_of=FIELD_OF)
        return _render_list(ctx, partner_id, state, 400)
    return _secret_page(ctx, endpoint_id, secret, CREATED)


def _secret_page(ctx: WebCtx, endpoint_id: str, secret: str, message: str) -> Response:
    """The secret is on this page only: never in a cookie, never again."""
    return ctx.render(
        "webhooks/secret.html",
        endpoint_id=endpoint_id,
        secret=secret,
        message=ctx.t(message),
        breadcrumbs=_crumbs(ctx, (None, ctx.t("Signing secret"))),
    )


def _cursor(value: str | None) -> tuple[datetime, str] | None:
    if not value or "|" not in value:
        return None
    at, _, did = value.partition("|")
    try:
        return datetime.fromisoformat(at), did
    except ValueError:
        return None


def _render_endpoint(
    ctx: WebCtx, partner_id: str, endpoint_id: str, state: FormState, status_code: int = 200
) -> Response:
    session = ctx.session
    endpoint = get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id)
    q = ctx.request.query_params
    status = q.get("status") if q.get("status") in {s.value for s in DeliveryStatus} else None
    event = q.get("event") if q.get("event") in EVENT_NAMES else None
    page = list_deliveries(
        session,
        partner_id=partner_id,
        endpoint_id=endpoint.id,
        status=status,
        event=event,
        size=PAGE_SIZE,
        after=_cursor(q.get("before")),
    )
    older = f"{page.next_cursor[0].isoformat()}|{page.next_cursor[1]}" if page.next_cursor else None
    if not state.values:
        state.values.update(url=endpoint.url)
    chosen = state.many("events") if state.errors else list(endpoint.events)
    return ctx.render(
        "webhooks/endpoint.html",
        endpoint=endpoint,
        form=state,
        events=_event_options(),
        chosen=chosen,
        page=page,
        older=older,
        status=status or "",
        event=event or "",
        statuses=[s.value for s in DeliveryStatus],
        event_names=EVENT_NAMES,
        reasons=DISABLED_REASONS,
        status_code=status_code,
        breadcrumbs=_crumbs(ctx, (None, endpoint.url)),
    )


@router.get("/webhooks/{endpoint_id}")
def endpoint_page(ctx: SignedIn, endpoint_id: str) -> Response:
    _actor, partner_id = _partner(ctx)
    return _render_endpoint(ctx, partner_id, endpoint_id, FormState(ctx))


@router.post("/webhooks/{endpoint_id}")
def save_endpoint(ctx: SignedIn, form: Form, endpoint_id: str) -> Response:
    actor, partner_id = _partner(ctx)
    state = FormState.from_form(ctx, form)
    url, events = _read_form(state)
    if not state.ok:
        return _render_endpoint(ctx, partner_id, endpoint_id, state, 400)
    try:
        with ctx.attempt() as session:
            before = get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id).updated_at
            saved = service.update_endpoint(
                session,
                actor,
                endpoint_id=endpoint_id,
                config=_config(ctx),
                url=url,
                events=events,
                enabled=state.checked("enabled"),
                full_body=state.checked("full_body"),
            )
            changed = saved.updated_at != before
    except DomainError as exc:
        state.domain_error(exc, field_of=FIELD_OF)
        return _render_endpoint(ctx, partner_id, endpoint_id, state, 400)
    return ctx.redirect(
        f"/webhooks/{endpoint_id}",
        flash=ctx.t(SAVED if changed else NOTHING_CHANGED),
        kind="success" if changed else "info",
    )


@router.post("/webhooks/{endpoint_id}/test")
def send_test(ctx: SignedIn, form: Form, endpoint_id: str) -> Response:
    actor, _partner_id = _partner(ctx)
    try:
        with ctx.attempt() as session:
            service.send_test_event(session, actor, config=_config(ctx), endpoint_id=endpoint_id)
    except DomainError as exc:
        return ctx.redirect(f"/webhooks/{endpoint_id}", flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(f"/webhooks/{endpoint_id}", flash=ctx.t(TEST_SENT))


@router.post("/webhooks/{endpoint_id}/rotate")
def rotate(ctx: SignedIn, form: Form, endpoint_id: str) -> Response:
    actor, _partner_id = _partner(ctx)
    with ctx.attempt() as session:
        made = service.rotate_secret(session, actor, endpoint_id=endpoint_id, config=_config(ctx))
    return _secret_page(ctx, made.endpoint.id, made.secret, ROTATED)


@router.post("/webhooks/{endpoint_id}/delete")
def delete(ctx: SignedIn, form: Form, endpoint_id: str) -> Response:
    actor, _partner_id = _partner(ctx)
    with ctx.attempt() as session:
        service.delete_endpoint(session, actor, endpoint_id=endpoint_id)
    return ctx.redirect("/webhooks", flash=ctx.t(DELETED))


@router.post("/webhooks/deliveries/{delivery_id}/redeliver")
def redeliver(ctx: SignedIn, form: Form, delivery_id: str) -> Response:
    actor, partner_id = _partner(ctx)
    endpoint_id = get_delivery(ctx.session, partner_id=partner_id, delivery_id=delivery_id).endpoint_id
    try:
        with ctx.attempt() as session:
            service.redeliver(session, actor, delivery_id=delivery_id)
    except DomainError as exc:
        return ctx.redirect(f"/webhooks/{endpoint_id}", flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(f"/webhooks/{endpoint_id}", flash=ctx.t(REDELIVERING))

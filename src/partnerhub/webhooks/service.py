"""The use cases of webhooks: register endpoints (Partner Center's one registration, and more of ours),
change, remove and rotate them, send a test event, redeliver one delivery, replay everything since a time.

Global admins and Admin agents of a partner manage its endpoints. Every change writes its activity record;
no record ever holds a secret."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.errors import InvalidInput
from partnerhub.errors.webhooks import (
    NoWebhookEvents,
    UnknownWebhookEvents,
    WebhookEndpointDisabled,
    WebhookRegistrationExists,
)
from partnerhub.ids import new_id
from partnerhub.settings import Settings
from partnerhub.webhooks.bodies import validation_body
from partnerhub.webhooks.events import TEST_CREATED, normalize_event_names
from partnerhub.webhooks.fanout import deliveries_for_records
from partnerhub.webhooks.models import DeliveryStatus, DisabledReason, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partnerhub.webhooks.queries import find_registration, get_delivery, get_endpoint, get_registration
from partnerhub.webhooks.signing import new_secret, seal
from partnerhub.webhooks.targets import Resolver, check_url, system_resolver

ROTATION_OVERLAP = timedelta(hours=24)  # the old secret keeps signing beside the new one this long
MAX_REPLAY = 10_000


@dataclass(frozen=True)
class WebhookConfig:
    """What the webhook use cases take from the instance: the key that seals secrets, whether private
    targets are allowed, the base of absolute URLs, and how host names resolve (the tests fake DNS)."""

    secret_key: str
    allow_private: bool = False
    public_url: str = "http://127.0.0.1:8000"
    resolve: Resolver = field(default=system_resolver)

    @classmethod
    def from_settings(cls, settings: Settings, resolve: Resolver = system_resolver) -> WebhookConfig:
        return cls(settings.resolved_secret_key, settings.webhook_allow_private, settings.resolved_public_url, resolve)


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its signing secret, in the one answer that shows the secret."""

    endpoint: WebhookEndpoint
    secret: str


def manager_partner(actor: Actor) -> str:
    """The partner whose webhooks the actor manages (Global admin, Admin agent)."""
    return actor.require_partner("manage webhooks", Role.ADMIN_AGENT)


def event_names(names: Sequence[str]) -> list[str]:
    known, unknown = normalize_event_names(names)
    if unknown:
        raise UnknownWebhookEvents(names=", ".join(unknown))
    if not known:
        raise NoWebhookEvents()
    return known


def audit_view(e: WebhookEndpoint) -> dict[str, Any]:
    return {
        "webhookUrl": e.url,
        "webhookEvents": list(e.events),
        "enabled": e.is_enabled,
        "fullBody": e.full_body,
        "registration": e.is_registration,
    }


def _record(
    session: Session,
    actor: Actor,
    e: WebhookEndpoint,
    operation: Operation,
    *,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    now: datetime,
) -> None:
    record(
        session,
        actor,
        operation=operation,
        resource_type=ResourceType.WEBHOOK_ENDPOINT,
        resource_id=e.id,
        partner_id=e.partner_id,
        old=old,
        new=new,
        now=now,
    )


def create_endpoint(
    session: Session,
    actor: Actor,
    *,
    url: str,
    events: Sequence[str],
    config: WebhookConfig,
    registration: bool = False,
    full_body: bool = False,
) -> EndpointWithSecret:
    """Register an endpoint: a safe URL (https, public addresses), known event names (case-insensitive) and
    a new signing secret, returned once. A partner has at most one Partner Center registration (409)."""
    partner_id = manager_partner(actor)
    url = check_url(url, allow_private=config.allow_private, resolve=config.resolve)
    names = event_names(events)
    if registration and find_registration(session, partner_id=partner_id, lock=True) is not None:
        raise WebhookRegistrationExists()
    now = utc_now()
    secret = new_secret()
    endpoint = WebhookEndpoint(
        id=new_id(),
        partner_id=partner_id,
        is_registration=registration,
        url=url,
        events=names,
        is_enabled=True,
        full_body=full_body,
        disabled_reason=None,
        disabled_at=None,
        secret_encrypted=seal(config.secret_key, secret),
        previous_secret_encrypted=None,
        previous_secret_until=None,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # another request registered at the same moment
        raise WebhookRegistrationExists() from None
    _record(session, actor, endpoint, Operation.CREATE_WEBHOOK_ENDPOINT, old=None, new=audit_view(endpoint), now=now)
    return EndpointWithSecret(endpoint, secret)


def update_endpoint(
    session: Session,
    actor: Actor,
    *,
    endpoint_id: str | None,
    config: WebhookConfig,
    url: str | None = None,
    events: Sequence[str] | None = None,
    enabled: bool | None = None,
    full_body: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint (None: the registration) — its URL (checked as at registration), its events, whether
    it is enabled (enabling clears the reason it was disabled) or sends full bodies. No change, no record."""
    partner_id = manager_partner(actor)
    endpoint = (
        get_registration(session, partner_id=partner_id, lock=True)
        if endpoint_id is None
        else get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id, lock=True)
    )
    before = audit_view(endpoint)
    now = utc_now()
    if url is not None and url.strip() != endpoint.url:
        endpoint.url = check_url(url, allow_private=config.allow_private, resolve=config.resolve)
    if events is not None:
        endpoint.events = event_names(events)
    if full_body is not None:
        endpoint.full_body = full_body
    if enabled is True and not endpoint.is_enabled:
        endpoint.enable(now=now)
    elif enabled is False and endpoint.is_enabled:
        endpoint.disable(DisabledReason.BY_USER, now=now)
    after = audit_view(endpoint)
    if after != before:
        endpoint.updated_at = now
        old = {k: v for k, v in before.items() if after[k] != v}
        _record(
            session,
            actor,
            endpoint,
            Operation.UPDATE_WEBHOOK_ENDPOINT,
            old=old,
            new={k: after[k] for k in old},
            now=now,
        )
    return endpoint


def delete_endpoint(session: Session, actor: Actor, *, endpoint_id: str | None) -> None:
    """Remove an endpoint (None: the registration) with its delivery log."""
    partner_id = manager_partner(actor)
    endpoint = (
        get_registration(session, partner_id=partner_id, lock=True)
        if endpoint_id is None
        else get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id, lock=True)
    )
    _record(
        session, actor, endpoint, Operation.DELETE_WEBHOOK_ENDPOINT, old=audit_view(endpoint), new=None, now=utc_now()
    )
    ids = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id).scalar_subquery()
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    session.flush()


def rotate_secret(
    session: Session, actor: Actor, *, endpoint_id: str | None, config: WebhookConfig
) -> EndpointWithSecret:
    """A new signing secret, returned once; the old one keeps signing beside it for 24 hours."""
    partner_id = manager_partner(actor)
    endpoint = (
        get_registration(session, partner_id=partner_id, lock=True)
        if endpoint_id is None
        else get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id, lock=True)
    )
    now = utc_now()
    secret = new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_until = now + ROTATION_OVERLAP
    endpoint.secret_encrypted = seal(config.secret_key, secret)
    endpoint.updated_at = now
    _record(
        session,
        actor,
        endpoint,
        Operation.ROTATE_WEBHOOK_SECRET,
        old=None,
        new={"previousSecretUntil": endpoint.previous_secret_until.isoformat()},
        now=now,
    )
    return EndpointWithSecret(endpoint, secret)


def new_delivery(
    endpoint: WebhookEndpoint,
    *,
    event: str,
    body: str,
    now: datetime,
    activity_record_id: str | None = None,
    correlation_id: str | None = None,
) -> WebhookDelivery:
    return WebhookDelivery(
        id=new_id(),
        partner_id=endpoint.partner_id,
        endpoint_id=endpoint.id,
        event_name=event,
        activity_record_id=activity_record_id,
        correlation_id=correlation_id,
        body=body,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        lease_owner=None,
        lease_expires_at=None,
        last_status_code=None,
        last_error=None,
        created_at=now,
        finished_at=None,
    )


def send_test_event(
    session: Session, actor: Actor, *, config: WebhookConfig, endpoint_id: str | None = None
) -> WebhookDelivery:
    """Queue a `test-created` event for an endpoint (None: the registration), sent at once by the
    dispatcher; its correlation id names it in validationEvents."""
    partner_id = manager_partner(actor)
    endpoint = (
        get_registration(session, partner_id=partner_id)
        if endpoint_id is None
        else get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id)
    )
    if not endpoint.is_enabled:
        raise WebhookEndpointDisabled(id=endpoint.id)
    now = utc_now()
    correlation_id = new_id()
    delivery = new_delivery(
        endpoint,
        event=TEST_CREATED,
        now=now,
        correlation_id=correlation_id,
        body=validation_body(base_url=config.public_url, correlation_id=correlation_id, now=now),
    )
    session.add(delivery)
    _record(
        session,
        actor,
        endpoint,
        Operation.SEND_WEBHOOK_TEST_EVENT,
        old=None,
        new={"correlationId": correlation_id, "deliveryId": delivery.id},
        now=now,
    )
    session.flush()
    return delivery


def redeliver(session: Session, actor: Actor, *, delivery_id: str) -> WebhookDelivery:
    """Send one delivery again, from a fresh retry schedule, with the same `webhook-id` and body."""
    partner_id = manager_partner(actor)
    delivery = get_delivery(session, partner_id=partner_id, delivery_id=delivery_id)
    endpoint = get_endpoint(session, partner_id=partner_id, endpoint_id=delivery.endpoint_id)
    if not endpoint.is_enabled:
        raise WebhookEndpointDisabled(id=endpoint.id)
    now = utc_now()
    delivery.restart(now=now)
    _record(
        session,
        actor,
        endpoint,
        Operation.REDELIVER_WEBHOOK,
        old=None,
        new={"deliveryId": delivery.id, "eventName": delivery.event_name},
        now=now,
    )
    return delivery


def replay_since(
    session: Session, actor: Actor, *, endpoint_id: str | None, since: datetime, config: WebhookConfig
) -> int:
    """Send again every event of the partner since `since` that the endpoint subscribes to: a delivery that
    exists starts again (same `webhook-id`), a missing one (the endpoint was disabled, or newer) is made.
    At most 10,000 events; returns how many."""
    partner_id = manager_partner(actor)
    endpoint = (
        get_registration(session, partner_id=partner_id)
        if endpoint_id is None
        else get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id)
    )
    if not endpoint.is_enabled:
        raise WebhookEndpointDisabled(id=endpoint.id)
    now = utc_now()
    if since > now:
        raise InvalidInput(detail="since: must not be in the future")
    records = list(
        session.scalars(
            select(ActivityRecord)
            .where(ActivityRecord.partner_id == partner_id, ActivityRecord.created_at >= since)
            .order_by(ActivityRecord.created_at, ActivityRecord.id)
            .limit(MAX_REPLAY * 4)
        )
    )
    count = deliveries_for_records(
        session, records, [endpoint], base_url=config.public_url, now=now, restart_existing=True, limit=MAX_REPLAY
    )
    _record(
        session,
        actor,
        endpoint,
        Operation.REPLAY_WEBHOOKS,
        old=None,
        new={"since": since.isoformat(), "events": count},
        now=now,
    )
    return count

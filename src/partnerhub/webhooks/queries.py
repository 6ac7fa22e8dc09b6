"""Scoped reads of webhook endpoints and deliveries: always within one partner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from partnerhub.errors.webhooks import (
    ValidationEventNotFound,
    WebhookDeliveryNotFound,
    WebhookEndpointNotFound,
    WebhookRegistrationNotFound,
)
from partnerhub.ids import normalize_id
from partnerhub.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def list_endpoints(session: Session, *, partner_id: str) -> list[WebhookEndpoint]:
    """The partner's endpoints, its registration first, then oldest first."""
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.partner_id == partner_id)
            .order_by(WebhookEndpoint.is_registration.desc(), WebhookEndpoint.created_at)
        )
    )


def get_endpoint(session: Session, *, partner_id: str, endpoint_id: str, lock: bool = False) -> WebhookEndpoint:
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.id == normalize_id(endpoint_id), WebhookEndpoint.partner_id == partner_id
    )
    found = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if found is None:
        raise WebhookEndpointNotFound(id=endpoint_id)
    return found


def find_registration(session: Session, *, partner_id: str, lock: bool = False) -> WebhookEndpoint | None:
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.partner_id == partner_id, WebhookEndpoint.is_registration.is_(True)
    )
    return session.scalars(stmt.with_for_update() if lock else stmt).first()


def get_registration(session: Session, *, partner_id: str, lock: bool = False) -> WebhookEndpoint:
    found = find_registration(session, partner_id=partner_id, lock=lock)
    if found is None:
        raise WebhookRegistrationNotFound()
    return found


def get_delivery(session: Session, *, partner_id: str, delivery_id: str) -> WebhookDelivery:
    found = session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.id == normalize_id(delivery_id), WebhookDelivery.partner_id == partner_id
        )
    ).first()
    if found is None:
        raise WebhookDeliveryNotFound(id=delivery_id)
    return found


def get_validation_event(session: Session, *, partner_id: str, correlation_id: str) -> WebhookDelivery:
    found = session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.correlation_id == correlation_id.strip(), WebhookDelivery.partner_id == partner_id
        )
    ).first()
    if found is None:
        raise ValidationEventNotFound(id=correlation_id)
    return found


@dataclass(frozen=True)
class DeliveryPage:
    items: list[WebhookDelivery]
    attempts: dict[str, list[WebhookAttempt]]
    next_cursor: tuple[datetime, str] | None


def list_deliveries(
    session: Session,
    *,
    partner_id: str,
    endpoint_id: str,
    status: str | None = None,
    event: str | None = None,
    size: int = 50,
    after: tuple[datetime, str] | None = None,
) -> DeliveryPage:
    """An endpoint's deliveries, newest first, by status and event name, keyset-paged on (created, id), with
    their attempts (two statements whatever the page's size)."""
    endpoint = get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id)
    conds = [WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.partner_id == partner_id]
    if status:
        conds.append(WebhookDelivery.status == status)
    if event:
        conds.append(WebhookDelivery.event_name == event.strip().lower())
    if after is not None:
        at, did = after
        conds.append(
            or_(WebhookDelivery.created_at < at, and_(WebhookDelivery.created_at == at, WebhookDelivery.id < did))
        )
    rows = list(
        session.scalars(
            select(WebhookDelivery)
            .where(*conds)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(size + 1)
        )
    )
    nxt = None
    if len(rows) > size:
        rows = rows[:size]
        nxt = (rows[-1].created_at, rows[-1].id)
    return DeliveryPage(rows, attempts_of(session, partner_id=partner_id, deliveries=rows), nxt)


def attempts_of(
    session: Session, *, partner_id: str, deliveries: Sequence[WebhookDelivery]
) -> dict[str, list[WebhookAttempt]]:
    """The attempts of the partner's `deliveries`, oldest first, by delivery id."""
    ids = [d.id for d in deliveries if d.partner_id == partner_id]
    out: dict[str, list[WebhookAttempt]] = {i: [] for i in ids}
    if ids:
        for a in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(ids))
            .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
        ):
            out[a.delivery_id].append(a)
    return out


def failing_endpoints(session: Session, *, partner_id: str) -> list[WebhookEndpoint]:
    """The partner's endpoints that partnerhub disabled (410, or failures after every retry)."""
    return [
        e
        for e in list_endpoints(session, partner_id=partner_id)
        if not e.is_enabled and e.disabled_reason in ("gone", "failing")
    ]

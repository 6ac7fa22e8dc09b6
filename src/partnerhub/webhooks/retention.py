"""Retention: the outbox rows already fanned out and the finished deliveries (with their attempts) older than
PARTNERHUB_WEBHOOK_RETENTION_DAYS are purged by a scheduled job, so the tables stay bounded."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from partnerhub.audit.models import OutboxEvent
from partnerhub.clock import utc_now
from partnerhub.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery

BATCH = 1000


def purge_webhook_log(session: Session, *, retention_days: int, now: datetime | None = None) -> int:
    """Delete up to a thousand delivered outbox events and a thousand finished deliveries older than the
    retention; returns how many rows went (call again until 0). Pending deliveries are never purged."""
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    events = list(session.scalars(select(OutboxEvent.id).where(OutboxEvent.delivered_at < cutoff).limit(BATCH)))
    if events:
        session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(events)))
    finished = list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status != DeliveryStatus.PENDING, WebhookDelivery.finished_at < cutoff)
            .limit(BATCH)
        )
    )
    if finished:
        session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(finished)))
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(finished)))
    return len(events) + len(finished)

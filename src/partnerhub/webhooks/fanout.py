"""Fan-out: the deliveries that activity records raise, one per event and subscribing endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.audit.operations import Operation
from partnerhub.auth.models import User
from partnerhub.ids import new_id
from partnerhub.webhooks.bodies import event_body
from partnerhub.webhooks.events import RecordFacts, events_for
from partnerhub.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def _by_the_customer(session: Session, rec: ActivityRecord) -> bool:
    if rec.operation_type != Operation.ADD_PARTNER_CUSTOMER_RELATIONSHIP or not rec.user_id or not rec.customer_id:
        return False
    return session.scalar(select(User.tenant_id).where(User.id == rec.user_id)) == rec.customer_id


def record_events(session: Session, rec: ActivityRecord) -> tuple[str, ...]:
    """The events one activity record raises."""
    return events_for(RecordFacts(rec.operation_type, rec.old_value, rec.new_value, _by_the_customer(session, rec)))


def deliveries_for_records(
    session: Session,
    records: Sequence[ActivityRecord],
    endpoints: Sequence[WebhookEndpoint],
    *,
    base_url: str,
    now: datetime,
    restart_existing: bool = False,
    limit: int | None = None,
) -> int:
    """Add a delivery for every event of `records` that an enabled endpoint of the record's partner
    subscribes to, in the records' order (so first attempts go in commit order). With `restart_existing`
    (a replay), a delivery that already exists for the same record, event and endpoint starts again instead.
    Returns how many deliveries were made or restarted."""
    by_partner: dict[str, list[WebhookEndpoint]] = {}
    for e in endpoints:
        if e.is_enabled:
            by_partner.setdefault(e.partner_id, []).append(e)
    count = 0
    ties: dict[tuple[str, datetime], int] = {}  # deliveries made per endpoint and record time in this batch
    for rec in records:
        subscribed = by_partner.get(rec.partner_id or "")
        if not subscribed:
            continue
        for event in record_events(session, rec):
            for endpoint in subscribed:
                if event not in endpoint.events:
                    continue
                if limit is not None and count >= limit:
                    return count
                count += 1
                existing = (
                    session.scalars(
                        select(WebhookDelivery).where(
                            WebhookDelivery.endpoint_id == endpoint.id,
                            WebhookDelivery.activity_record_id == rec.id,
                            WebhookDelivery.event_name == event,
                        )
                    ).first()
                    if restart_existing
                    else None
                )
                if existing is not None:
                    existing.restart(now=now)
                    continue
                # An endpoint's queue runs in (created_at, id) order: the record's time, plus a microsecond per
                # delivery already made at that time, keeps one transaction's events in the order written.
                tie = ties.get((endpoint.id, rec.created_at), 0)
                ties[(endpoint.id, rec.created_at)] = tie + 1
                session.add(
                    WebhookDelivery(
                        id=new_id(),
                        partner_id=endpoint.partner_id,
                        endpoint_id=endpoint.id,
                        event_name=event,
                        activity_record_id=rec.id,
                        correlation_id=None,
                        body=event_body(session, rec, event, base_url=base_url, full=endpoint.full_body),
                        status=DeliveryStatus.PENDING,
                        attempts=0,
                        next_attempt_at=now,
                        lease_owner=None,
                        lease_expires_at=None,
                        last_status_code=None,
                        last_error=None,
                        created_at=rec.created_at + timedelta(microseconds=tie),
                        finished_at=None,
                    )
                )
    session.flush()
    return count

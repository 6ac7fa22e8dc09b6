"""The operator's reads of a tenant's data (issue 12): the platform's operator may read any tenant's data, for
support, and each such read is recorded in that tenant's activity log as `operator_read`, so the tenant sees
who read what and when. The one place that decides and records it; the reads call it where they take the
operator's branch. A tenant's own reads record nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now


def record_operator_read_of_customer(
    session: Session, actor: Actor, *, customer_id: str, customer_name: str, partner_ids: Sequence[str], what: str
) -> None:
    """The operator read a customer's data (`what`: customer, subscriptions...): one record in the log of each
    partner related to the customer, or the customer's own when none is."""
    if not actor.reads_are_recorded:
        return
    now = utc_now()
    logs: list[str | None] = [*partner_ids] or [None]
    for partner_id in logs:
        record(
            session,
            actor,
            operation=Operation.OPERATOR_READ,
            resource_type=ResourceType.CUSTOMER,
            resource_id=customer_id,
            partner_id=partner_id,
            customer_id=customer_id,
            customer_name=customer_name,
            new={"read": what},
            now=now,
        )


def record_operator_read_of_activity(session: Session, actor: Actor, *, shown: Iterable[ActivityRecord]) -> None:
    """The operator read activity records: one record in the log of each tenant whose records were shown (a
    partner's, else a customer's)."""
    if not actor.reads_are_recorded:
        return
    tenants = sorted(
        {(r.partner_id, None if r.partner_id else r.customer_id) for r in shown if r.partner_id or r.customer_id},
        key=lambda t: (t[0] or "", t[1] or ""),
    )
    now = utc_now()
    for partner_id, customer_id in tenants:
        record(
            session,
            actor,
            operation=Operation.OPERATOR_READ,
            resource_type=ResourceType.ACTIVITY_LOG,
            resource_id=None,
            partner_id=partner_id,
            customer_id=customer_id,
            new={"read": "activity log"},
            now=now,
        )

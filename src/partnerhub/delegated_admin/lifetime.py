"""How GDAP admin relationships end without anyone asking: the scheduled clock that extends or expires them,
and their ending together with the reseller relationship."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation
from partnerhub.auth.actor import Actor
from partnerhub.delegated_admin.gdap import record_relationship_change
from partnerhub.delegated_admin.models import (
    OPEN_STATUSES,
    REQUEST_LIFETIME,
    REQUEST_STATUSES,
    AdminRelationship,
    AdminRelationshipStatus,
)


def end_admin_relationships_for(
    session: Session, actor: Actor, *, partner_id: str, customer_id: str, now: datetime, by: str = "partner"
) -> list[AdminRelationship]:
    """Terminate every open GDAP relationship of a partner with a customer (created, approvalPending,
    active → terminated, ended by `by`: the side that ends the reseller relationship), one activity record each.
    Called by the removal of the reseller relationship, which has authorized the actor and holds the lock on
    that relationship."""
    stmt = (
        select(AdminRelationship)
        .where(
            AdminRelationship.partner_id == partner_id,
            AdminRelationship.customer_id == customer_id.lower(),
            AdminRelationship.status.in_(OPEN_STATUSES),
        )
        .order_by(AdminRelationship.created_at, AdminRelationship.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    ended: list[AdminRelationship] = []
    for rel in session.scalars(stmt):
        old = rel.status
        rel.end(now=now, by=by)
        record_relationship_change(
            session,
            actor,
            rel,
            Operation.TERMINATE_GRANULAR_ADMIN_RELATIONSHIP,
            now=now,
            old={"status": old},
            new={"status": rel.status, "endedBy": by, "reason": "remove_partner_customer_relationship"},
        )
        ended.append(rel)
    return ended


def apply_gdap_clock(session: Session, *, now: datetime, limit: int = 1000) -> dict[str, int]:
    """The scheduled clock of GDAP: an active relationship past its end is auto-extended (its end moves on
    by 180 days and it stays active) or, without auto-extend, expires; a request (created or approvalPending)
    unapproved 90 days after its creation expires. One activity record per change, by the system.

    Idempotent, and safe when two processes run it at once: the rows are locked (skipping rows another run
    holds) and re-checked under the lock, so nothing is extended or recorded twice. Returns the counts."""
    system = Actor.system(application="gdap-clock")
    counts = {"extended": 0, "expired": 0, "requestsExpired": 0}
    due = ((AdminRelationship.status == AdminRelationshipStatus.ACTIVE) & (AdminRelationship.end_at <= now)) | (
        AdminRelationship.status.in_(REQUEST_STATUSES) & (AdminRelationship.created_at <= now - REQUEST_LIFETIME)
    )
    stmt = (
        select(AdminRelationship)
        .where(due)
        .order_by(AdminRelationship.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)  # trust only the locked rows, not the identity map
    )
    for rel in session.scalars(stmt).all():
        old = {"status": rel.status, "endDateTime": rel.end_at.isoformat() if rel.end_at else None}
        if rel.status == AdminRelationshipStatus.ACTIVE and rel.auto_extend_days and rel.is_past_end(now):
            rel.auto_extend(now=now)
            operation, key = Operation.AUTO_EXTEND_GRANULAR_ADMIN_RELATIONSHIP, "extended"
        elif rel.status_at(now) == AdminRelationshipStatus.EXPIRED:
            key = "requestsExpired" if rel.status in REQUEST_STATUSES else "expired"
            rel.expire(now=now)
            operation = Operation.EXPIRE_GRANULAR_ADMIN_RELATIONSHIP
        else:
            continue  # another run got there first
        record_relationship_change(
            session,
            system,
            rel,
            operation,
            now=now,
            old=old,
            new={"status": rel.status, "endDateTime": rel.end_at.isoformat() if rel.end_at else None},
        )
        counts[key] += 1
    session.flush()
    return counts

"""The scheduled expiry of invitations, and its job (listed in partnerhub.jobs.registry)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.db import transaction
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest
from partnerhub.jobs.runner import JobContext

EXPIRE_INVITATIONS = "expire-relationship-requests"


def run_expire_invitations(ctx: JobContext) -> dict[str, Any]:
    """Mark sent invitations past their expiry as expired, in batches, checkpointing each batch."""
    total = int(ctx.checkpoint_data.get("expired", 0))
    while True:
        with transaction(ctx.engine) as session:
            n = expire_invitations(session, limit=500)
        total += n
        ctx.checkpoint(done=total, total=total, data={"expired": total})
        if n == 0:
            return {"expired": total}


def expire_invitations(session: Session, *, now: datetime | None = None, limit: int = 1000) -> int:
    """Persist the expiry of sent invitations past their date (a scheduled job), each with its activity
    record; returns how many. Rows another scheduler holds are skipped, not waited for."""
    now = now or utc_now()
    rows = list(
        session.scalars(
            select(RelationshipRequest)
            .where(RelationshipRequest.status == InvitationStatus.SENT, RelationshipRequest.expires_at <= now)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    system = Actor.system("scheduler")
    for r in rows:
        r.status = InvitationStatus.EXPIRED
        record(
            session,
            system,
            operation=Operation.EXPIRE_RELATIONSHIP_REQUEST,
            resource_type=ResourceType.RELATIONSHIP_REQUEST,
            resource_id=r.id,
            partner_id=r.partner_id,
            customer_id=r.customer_id,
            old={"status": InvitationStatus.SENT},
            new={"status": InvitationStatus.EXPIRED, "expiresAt": r.expires_at.isoformat()},
            now=now,
        )
    return len(rows)

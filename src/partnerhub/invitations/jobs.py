"""The scheduled expiry of invitations, as a job (listed in partnerhub.jobs.registry)."""

from __future__ import annotations

from typing import Any

from partnerhub.db import transaction
from partnerhub.invitations.service import expire_invitations
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

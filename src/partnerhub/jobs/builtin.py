"""Built-in jobs: scheduled housekeeping, and the import that registers every feature's job handlers."""

from __future__ import annotations

from typing import Any

from partnerhub.db import transaction
from partnerhub.delegated_admin import jobs as gdap_jobs
from partnerhub.invitations.service import expire_invitations
from partnerhub.jobs.runner import JobContext, job_handler, periodic
from partnerhub.offboarding import bulk  # noqa: F401  (registers the bulk offboarding handler)

EXPIRE_INVITATIONS = "expire-relationship-requests"
periodic(EXPIRE_INVITATIONS, every_seconds=3600)
periodic(gdap_jobs.GDAP_CLOCK, every_seconds=300)  # expiry, auto-extend and request expiry of GDAP


@job_handler(EXPIRE_INVITATIONS)
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

"""The housekeeping job that forgets stored idempotent answers once they are older than a day."""

from __future__ import annotations

from typing import Any

from partnerhub.db import transaction
from partnerhub.idempotency.service import purge_answers
from partnerhub.jobs.runner import JobContext, job_handler, periodic

PURGE_IDEMPOTENCY_KEYS = "purge-idempotency-keys"
periodic(PURGE_IDEMPOTENCY_KEYS, every_seconds=3600)


@job_handler(PURGE_IDEMPOTENCY_KEYS)
def run_purge_idempotency_keys(ctx: JobContext) -> dict[str, Any]:
    """Delete answers kept longer than the retention (24 hours)."""
    with transaction(ctx.engine) as session:
        purged = purge_answers(session)
    ctx.checkpoint(done=purged, total=purged)
    return {"purged": purged}

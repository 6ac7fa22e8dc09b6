"""The scheduled GDAP jobs: the clock (extends or expires admin relationships whose time has come) and the
expiry warnings (queues the mails to Global admins 30 and 7 days before a relationship ends)."""

from __future__ import annotations

from typing import Any

from partnerhub.clock import utc_now
from partnerhub.db import transaction
from partnerhub.delegated_admin.expiry import queue_expiry_warnings
from partnerhub.delegated_admin.lifetime import apply_gdap_clock
from partnerhub.jobs.runner import JobContext
from partnerhub.settings import Settings

GDAP_CLOCK = "gdap-clock"
GDAP_EXPIRY_WARNINGS = "gdap-expiry-warnings"


def run_gdap_clock(ctx: JobContext) -> dict[str, Any]:
    """Apply the GDAP clock in one transaction and report how many relationships changed."""
    with transaction(ctx.engine) as session:
        counts = apply_gdap_clock(session, now=utc_now(), limit=100_000)
    done = sum(counts.values())
    ctx.checkpoint(done=done, total=done, data=dict(counts))
    return dict(counts)


def run_gdap_expiry_warnings(ctx: JobContext) -> dict[str, Any]:
    """Queue the warnings of relationships that crossed their 30- or 7-day mark, in one transaction (the
    mails themselves go out with the `send-mail` job, after commit). The dashboard link uses
    PARTNERHUB_PUBLIC_URL, read when the job runs."""
    base_url = str(ctx.payload.get("baseUrl") or Settings().resolved_public_url)
    with transaction(ctx.engine) as session:
        queued = queue_expiry_warnings(session, now=utc_now(), base_url=base_url)
    ctx.checkpoint(done=queued, total=queued, data={"queued": queued})
    return {"queued": queued}

"""The scheduled GDAP clock as a job: extends or expires admin relationships whose time has come."""

from __future__ import annotations

from typing import Any

from partnerhub.clock import utc_now
from partnerhub.db import transaction
from partnerhub.delegated_admin.gdap import apply_gdap_clock
from partnerhub.jobs.runner import JobContext

GDAP_CLOCK = "gdap-clock"


def run_gdap_clock(ctx: JobContext) -> dict[str, Any]:
    """Apply the GDAP clock in one transaction and report how many relationships changed."""
    with transaction(ctx.engine) as session:
        counts = apply_gdap_clock(session, now=utc_now(), limit=100_000)
    done = sum(counts.values())
    ctx.checkpoint(done=done, total=done, data=dict(counts))
    return dict(counts)

"""Every job kind partnerhub runs, and the schedule of its housekeeping: the one registry.

The server's worker (`partnerhub serve`) and the CLI (`partnerhub jobs work`) both run jobs from this list,
so a job queued by one process is always known to the process that claims it. A new kind is added here."""

from __future__ import annotations

from typing import Any

from partnerhub.auth.attempts import purge_old_attempts
from partnerhub.auth.web_sessions import purge_ended_sessions
from partnerhub.db import transaction
from partnerhub.delegated_admin.jobs import GDAP_CLOCK, GDAP_EXPIRY_WARNINGS, run_gdap_clock, run_gdap_expiry_warnings
from partnerhub.idempotency.service import purge_answers
from partnerhub.invitations.jobs import EXPIRE_INVITATIONS, run_expire_invitations
from partnerhub.jobs.kinds import JobKind, JobRegistry
from partnerhub.jobs.runner import JobContext
from partnerhub.mail.jobs import SEND_MAIL, run_send_mail
from partnerhub.settings import Settings
from partnerhub.usecases.bulk_offboarding import BULK_OFFBOARD, run_bulk_offboarding
from partnerhub.usecases.gdap_bulk import (
    GDAP_BULK_RENEW,
    GDAP_BULK_REQUEST,
    GDAP_BULK_TERMINATE,
    run_gdap_bulk_renew,
    run_gdap_bulk_request,
    run_gdap_bulk_terminate,
)
from partnerhub.webhooks.retention import purge_webhook_log

PURGE_IDEMPOTENCY_KEYS = "purge-idempotency-keys"
PURGE_WEB_SESSIONS = "purge-web-sessions"
PURGE_SIGN_IN_ATTEMPTS = "purge-sign-in-attempts"
PURGE_WEBHOOK_LOG = "purge-webhook-log"
HOUR = 3600


def run_purge_idempotency_keys(ctx: JobContext) -> dict[str, Any]:
    """Delete stored idempotent answers older than their retention (24 hours)."""
    with transaction(ctx.engine) as session:
        purged = purge_answers(session)
    ctx.checkpoint(done=purged, total=purged)
    return {"purged": purged}


def run_purge_web_sessions(ctx: JobContext) -> dict[str, Any]:
    """Forget web sessions that ended or expired more than 30 days ago, a thousand per transaction."""
    total = int(ctx.checkpoint_data.get("purged", 0))
    while True:
        with transaction(ctx.engine) as session:
            n = purge_ended_sessions(session)
        total += n
        ctx.checkpoint(done=total, total=total, data={"purged": total})
        if n == 0:
            return {"purged": total}


def run_purge_sign_in_attempts(ctx: JobContext) -> dict[str, Any]:
    """Forget the sign-in attempts counted in windows that ended over an hour ago."""
    with transaction(ctx.engine) as session:
        purged = purge_old_attempts(session)
    ctx.checkpoint(done=purged, total=purged)
    return {"purged": purged}


def run_purge_webhook_log(ctx: JobContext) -> dict[str, Any]:
    """Forget outbox events fanned out and webhook deliveries finished longer ago than
    PARTNERHUB_WEBHOOK_RETENTION_DAYS (read when the job runs), a thousand of each per transaction."""
    days = int(ctx.payload.get("retentionDays") or Settings().webhook_retention_days)
    total = int(ctx.checkpoint_data.get("purged", 0))
    while True:
        with transaction(ctx.engine) as session:
            n = purge_webhook_log(session, retention_days=days)
        total += n
        ctx.checkpoint(done=total, total=total, data={"purged": total})
        if n == 0:
            return {"purged": total, "retentionDays": days}


REGISTRY = JobRegistry(
    JobKind(BULK_OFFBOARD, run_bulk_offboarding, "Offboard a selection of customers (POST /v1/offboardings)"),
    JobKind(GDAP_CLOCK, run_gdap_clock, "Extend or expire GDAP relationships whose time has come", 300),
    JobKind(
        GDAP_EXPIRY_WARNINGS,
        run_gdap_expiry_warnings,
        "Queue the warning mails of GDAP relationships 30 and 7 days before they end",
        HOUR,
    ),
    JobKind(SEND_MAIL, run_send_mail, "Send the queued mails through PARTNERHUB_SMTP_URL", 60),
    JobKind(EXPIRE_INVITATIONS, run_expire_invitations, "Mark invitations past their expiry as expired", HOUR),
    JobKind(PURGE_IDEMPOTENCY_KEYS, run_purge_idempotency_keys, "Forget idempotent answers older than 24 hours", HOUR),
    JobKind(PURGE_WEB_SESSIONS, run_purge_web_sessions, "Forget web sessions ended over 30 days ago", HOUR),
    JobKind(PURGE_SIGN_IN_ATTEMPTS, run_purge_sign_in_attempts, "Forget sign-in attempt counts over an hour old", HOUR),
    JobKind(
        PURGE_WEBHOOK_LOG,
        run_purge_webhook_log,
        "Forget delivered outbox events and finished webhook deliveries past their retention",
        HOUR,
    ),
    JobKind(
        GDAP_BULK_REQUEST,
        run_gdap_bulk_request,
        "Request GDAP relationships from a template for a selection of customers (POST /v1/gdapBulkJobs)",
    ),
    JobKind(
        GDAP_BULK_RENEW,
        run_gdap_bulk_renew,
        "Renew the active GDAP relationships of a selection of customers (POST /v1/gdapBulkJobs)",
    ),
    JobKind(
        GDAP_BULK_TERMINATE,
        run_gdap_bulk_terminate,
        "End the active GDAP relationships of a selection of customers (POST /v1/gdapBulkJobs)",
    ),
)

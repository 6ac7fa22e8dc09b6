"""`partnerhub operator mail`: the mail outbox as the operator sees it (what was sent, what waits and why, what
failed), and sending what is due now."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.cli.acting import as_system
from partnerhub.cli.acting import runtime as get_runtime
from partnerhub.cli.output import JsonOption, console, fmt_time, print_json, print_table
from partnerhub.mail.jobs import mail_config
from partnerhub.mail.models import MailStatus
from partnerhub.mail.outbox import list_mails, send_due

NOT_CONFIGURED = "not configured (PARTNERHUB_SMTP_URL is not set)"


def operator_mail(
    status: Annotated[str | None, typer.Option(help="Only mails in this status: queued, sent or failed.")] = None,
    send: Annotated[bool, typer.Option(help="First send the mails that are due now.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many mails to list, newest first.")] = 50,
    json_: JsonOption = False,
) -> None:
    """List the outgoing mail (GDAP expiry warnings, invitations): recipient, status, attempts, last error."""
    rt = get_runtime()
    config = mail_config(rt.settings)
    sent: dict[str, int] | None = send_due(rt.engine, config) if send else None
    with as_system(write=False) as (session, actor):
        mails = list_mails(session, actor, status=status, limit=limit)
        rows: list[dict[str, Any]] = [
            {
                "id": m.id,
                "key": m.key,
                "kind": m.kind,
                "to": m.to_address,
                "language": m.language,
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "lastError": m.last_error,
                "nextAttemptAt": m.next_attempt_at,
                "createdAt": m.created_at,
                "sentAt": m.sent_at,
            }
            for m in mails
        ]
    smtp = "configured" if config.smtp else NOT_CONFIGURED
    if json_:
        print_json(
            {
                "smtp": "configured" if config.smtp else "notConfigured",
                "value": rows,
                **({"sent": sent} if sent is not None else {}),
            }
        )
        return
    if sent is not None:
        console.print(
            f"Sent now: {sent.get('sent', 0)}, failed: {sent.get('failed', 0)}, to retry: {sent.get('retrying', 0)}."
        )
    print_table(
        "Outgoing mail",
        ["Created", "To", "Subject", "Status", "Attempts", "Last error / next attempt"],
        [
            (
                fmt_time(r["createdAt"]),
                r["to"],
                r["subject"],
                _status(r["status"], config.smtp is not None),
                r["attempts"],
                r["lastError"] or (fmt_time(r["nextAttemptAt"]) if r["status"] == "queued" else ""),
            )
            for r in rows
        ],
        caption=f"SMTP: {smtp}",
    )


def _status(status: str, configured: bool) -> str:
    return f"{status} ({NOT_CONFIGURED})" if status == MailStatus.QUEUED and not configured else status

"""The mail sender as a scheduled job: sends the outbox's due mails through PARTNERHUB_SMTP_URL."""

from __future__ import annotations

from typing import Any

from partnerhub.jobs.runner import JobContext
from partnerhub.mail.outbox import MailConfig, send_due
from partnerhub.mail.smtp import parse_smtp_url
from partnerhub.settings import Settings

SEND_MAIL = "send-mail"


def mail_config(settings: Settings) -> MailConfig:
    """The mail settings of this process (PARTNERHUB_SMTP_URL, PARTNERHUB_MAIL_FROM)."""
    return MailConfig(smtp=parse_smtp_url(settings.smtp_url), sender=settings.mail_from)


def run_send_mail(ctx: JobContext) -> dict[str, Any]:
    """Send every due mail (read the settings when the job runs, so a restart is not needed to add SMTP)."""
    total: dict[str, int] = {}
    config = mail_config(Settings())
    while True:
        counts = send_due(ctx.engine, config)
        for name, n in counts.items():
            total[name] = total.get(name, 0) + n
        done = total.get("sent", 0) + total.get("failed", 0)
        ctx.checkpoint(done=done, total=done, data=dict(total))
        if config.smtp is None or not (counts.get("sent", 0) + counts.get("failed", 0) + counts.get("retrying", 0)):
            return total

"""OutboxMail: one e-mail to send, recorded under a unique key so that it is queued once, whoever queues it,
and held by one sender at a time (a lease) so that it is sent once."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime

REDACTED = "(removed once sent: it held a secret)"


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for its first or next attempt
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # refused for good, or still failing after every retry


class OutboxMail(Base):
    """An e-mail written in the same transaction as the change it reports; a sender delivers it after commit.
    `key` says what the mail is about (`gdap-expiry:{relationship}:{30|7}:{user}`): a second attempt to queue
    the same mail finds the key taken and queues nothing. A mail that carries a secret (an invitation code)
    loses its body once sent, or once it failed for good."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
        Index("ix_mail_outbox_partner", "partner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[str | None] = mapped_column(String(36))
    to_address: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    is_secret: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def sent(self, *, now: datetime) -> None:
        self.status, self.sent_at, self.next_attempt_at, self.last_error = MailStatus.SENT, now, None, None
        self._forget_secret()

    def failed(self, error: str, *, now: datetime, retry_in: timedelta | None) -> None:
        """One more failed attempt: try again after `retry_in`, or (None) give up."""
        self.attempts += 1
        self.last_error = error[:500]
        if retry_in is None:
            self.status, self.next_attempt_at = MailStatus.FAILED, None
            self._forget_secret()
        else:
            self.status, self.next_attempt_at = MailStatus.QUEUED, now + retry_in

    def _forget_secret(self) -> None:
        if self.is_secret:
            self.body = REDACTED

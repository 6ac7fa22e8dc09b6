"""Webhook endpoints, the deliveries of events to them (one per event and endpoint: its id is the
`webhook-id` every retry repeats) and each delivery's attempts; pure transitions of a delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SUCCEEDED = "succeeded"  # the receiver answered 2xx
    FAILED = "failed"  # refused for good (4xx other than 429, 410) or out of retries


class DisabledReason(StrEnum):
    BY_USER = "by-user"
    GONE = "gone"  # the receiver answered 410
    FAILING = "failing"  # a delivery still failed after every retry


class WebhookEndpoint(Base):
    """Where a partner wants its events: a URL, the event names, a signing secret (stored encrypted with the
    instance's secret key), and whether it is enabled. A partner's Partner Center *registration* is the one
    endpoint marked `is_registration` (a partial unique index holds one per partner); the others are ours."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        Index(
            "uq_webhook_endpoints_one_registration",
            "partner_id",
            unique=True,
            sqlite_where=text("is_registration = 1"),
            postgresql_where=text("is_registration"),
        ),
        Index("ix_webhook_endpoints_partner", "partner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    is_registration: Mapped[bool] = mapped_column(Boolean)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON)
    is_enabled: Mapped[bool] = mapped_column(Boolean)
    full_body: Mapped[bool] = mapped_column(Boolean)
    disabled_reason: Mapped[str | None] = mapped_column(String(16))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    secret_encrypted: Mapped[str] = mapped_column(Text)
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def enable(self, *, now: datetime) -> None:
        self.is_enabled, self.disabled_reason, self.disabled_at, self.updated_at = True, None, None, now

    def disable(self, reason: DisabledReason, *, now: datetime) -> None:
        self.is_enabled, self.disabled_reason, self.disabled_at, self.updated_at = False, reason, now, now


class WebhookDelivery(Base):
    """One event for one endpoint: its body is fixed when the event is fanned out, so every attempt sends
    the same bytes under the same `webhook-id` (this row's id). A dispatcher holds it while sending
    (`lease_owner`, `lease_expires_at`); a dispatcher that dies leaves the lease to expire and the next one
    sends it again."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at", "id"),
        Index("ix_webhook_deliveries_queue", "endpoint_id", "status", "created_at", "id"),  # each endpoint's head
        Index("ix_webhook_deliveries_correlation", "correlation_id"),
        Index("ix_webhook_deliveries_finished", "finished_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_name: Mapped[str] = mapped_column(String(80))
    activity_record_id: Mapped[str | None] = mapped_column(String(36))
    correlation_id: Mapped[str | None] = mapped_column(String(64))  # a test event's (validationEvents)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def succeed(self, *, now: datetime) -> None:
        self.status, self.next_attempt_at, self.finished_at = DeliveryStatus.SUCCEEDED, None, now

    def fail(self, *, now: datetime) -> None:
        self.status, self.next_attempt_at, self.finished_at = DeliveryStatus.FAILED, None, now

    def retry_after(self, delay: timedelta, *, now: datetime) -> None:
        self.status, self.next_attempt_at = DeliveryStatus.PENDING, now + delay

    def restart(self, *, now: datetime) -> None:
        """Send again from the start (a redelivery): same id, same body, a fresh retry schedule."""
        self.status, self.attempts, self.next_attempt_at, self.finished_at = DeliveryStatus.PENDING, 0, now, None
        self.lease_owner = self.lease_expires_at = None


class WebhookAttempt(Base):
    """One POST of a delivery: when, the receiver's status code (none after a timeout or a refused
    connection), what went wrong, and the start of the receiver's answer."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "attempted_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    answer: Mapped[str | None] = mapped_column(String(2000))
    duration_ms: Mapped[int] = mapped_column(Integer)

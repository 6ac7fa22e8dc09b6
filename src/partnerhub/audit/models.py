"""ActivityRecord (append-only) and OutboxEvent (for webhooks, sent after commit by a later sender)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class ActivityRecord(Base):
    __tablename__ = "activity_records"
    __table_args__ = (
        Index("ix_activity_records_partner_time", "partner_id", "created_at", "id"),
        Index("ix_activity_records_customer_time", "customer_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    partner_id: Mapped[str | None] = mapped_column(String(36))
    customer_id: Mapped[str | None] = mapped_column(String(36))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(36))
    user_principal_name: Mapped[str] = mapped_column(String(320))
    application_id: Mapped[str] = mapped_column(String(100))
    resource_type: Mapped[str] = mapped_column(String(50))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    operation_type: Mapped[str] = mapped_column(String(80))
    operation_status: Mapped[str] = mapped_column(String(16), default="succeeded")
    old_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    correlation_id: Mapped[str] = mapped_column(String(64))


class OutboxEvent(Base):
    """An event to deliver after commit (webhooks come later); written with its activity record."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_undelivered", "delivered_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    partner_id: Mapped[str | None] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(80))
    activity_record_id: Mapped[str] = mapped_column(String(36))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

"""Partnership: an indirect provider ↔ indirect reseller relationship (invited → active → ended)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class PartnershipStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    ENDED = "ended"


class Partnership(Base):
    """One episode of a provider ↔ reseller partnership; ended rows stay as history."""

    __tablename__ = "partnerships"
    __table_args__ = (
        Index(
            "uq_partnerships_one_open",
            "provider_id",
            "reseller_id",
            unique=True,
            sqlite_where=text("status IN ('invited', 'active')"),
            postgresql_where=text("status IN ('invited', 'active')"),
        ),
        Index("ix_partnerships_reseller_status", "reseller_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    reseller_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    invited_by_user_id: Mapped[str | None] = mapped_column(String(36))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_partner_id: Mapped[str | None] = mapped_column(String(36))

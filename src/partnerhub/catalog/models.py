"""Offer: what can be bought, in which unit, billing cycles and terms; add-ons name their parent offer."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base


class OfferKind(StrEnum):
    LICENSE = "license"  # seat-based or usage-based subscription: suspendable
    RESERVATION = "reservation"  # reserved instances, software: not suspendable, cancellable, blocks removal


class Offer(Base):
    """One catalog entry."""

    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    unit_type: Mapped[str] = mapped_column(String(32), default="Licenses")
    kind: Mapped[str] = mapped_column(String(16), default=OfferKind.LICENSE)
    billing_cycles: Mapped[list[str]] = mapped_column(JSON, default=list)
    term_durations: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_offer_id: Mapped[str | None] = mapped_column(String(64))
    min_quantity: Mapped[int] = mapped_column(default=1)
    max_quantity: Mapped[int] = mapped_column(default=10000)
    is_available: Mapped[bool] = mapped_column(default=True)

    @property
    def default_term(self) -> str:
        return self.term_durations[0] if self.term_durations else "P1M"

    @property
    def default_billing_cycle(self) -> str:
        return self.billing_cycles[0] if self.billing_cycles else "monthly"

"""Subscription and its pure state transitions (DOMAIN.md §3)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime
from partnerhub.errors import (
    AddonParentNotActive,
    QuantityWhileSuspended,
    ReservationNotSuspendable,
    SubscriptionDeleted,
    SubscriptionSuspendedChange,
)


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    PENDING = "pending"
    EXPIRED = "expired"
    DISABLED = "disabled"
    DELETED = "deleted"


# Statuses that block removing the reseller relationship (DOMAIN.md §2).
BLOCKING_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING)
# Statuses after which nothing changes any more.
FINAL_STATUSES = (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED, SubscriptionStatus.DISABLED)


class Subscription(Base):
    """A subscription of a customer, transacted by `partner_id` (direct partner or indirect provider),
    optionally held by an indirect reseller of record."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_customer_partner_status", "customer_id", "partner_id", "status"),
        Index("ix_subscriptions_customer_reseller", "customer_id", "reseller_partner_id"),
        Index("ix_subscriptions_parent", "parent_subscription_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    reseller_partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    order_id: Mapped[str] = mapped_column(String(36))
    offer_id: Mapped[str] = mapped_column(String(64))
    offer_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="license")
    friendly_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    auto_renew_enabled: Mapped[bool] = mapped_column(default=True)
    billing_cycle: Mapped[str] = mapped_column(String(16))
    term_duration: Mapped[str] = mapped_column(String(8))
    parent_subscription_id: Mapped[str | None] = mapped_column(ForeignKey("subscriptions.id"))
    suspension_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The designated support contact; None means the default (the provider or the direct partner).
    support_contact_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    commitment_end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    def _require_changeable(self) -> None:
        if self.status in FINAL_STATUSES:
            raise SubscriptionDeleted(id=self.id, status=self.status)

    def suspend(self, reason: str = "ResellerInitiated") -> bool:
        """Suspend (turns auto-renew off). Returns False when it was already suspended."""
        self._require_changeable()
        if self.kind == "reservation":
            raise ReservationNotSuspendable(id=self.id)
        if self.status == SubscriptionStatus.SUSPENDED:
            return False
        self.status = SubscriptionStatus.SUSPENDED
        self.auto_renew_enabled = False
        self.suspension_reasons = [reason]
        self.version += 1
        return True

    def reactivate(self, parent: Subscription | None) -> bool:
        """Back to active; an add-on only under an active parent. Auto-renew stays off."""
        self._require_changeable()
        if self.status == SubscriptionStatus.ACTIVE:
            return False
        if parent is not None and parent.status != SubscriptionStatus.ACTIVE:
            raise AddonParentNotActive(parent_id=parent.id, status=parent.status)
        self.status = SubscriptionStatus.ACTIVE
        self.suspension_reasons = []
        self.version += 1
        return True

    def cancel(self) -> bool:
        """Cancel (reservations and software): the subscription is deleted and no longer blocks removal."""
        self._require_changeable()
        self.status = SubscriptionStatus.DELETED
        self.auto_renew_enabled = False
        self.version += 1
        return True

    def change_quantity(self, quantity: int) -> bool:
        self._require_changeable()
        if quantity == self.quantity:
            return False
        if self.status == SubscriptionStatus.SUSPENDED:
            raise QuantityWhileSuspended()
        self.quantity = quantity
        self.version += 1
        return True

    def rename(self, friendly_name: str) -> bool:
        self._require_changeable()
        if friendly_name == self.friendly_name:
            return False
        self.friendly_name = friendly_name
        self.version += 1
        return True

    def set_auto_renew(self, enabled: bool) -> bool:
        self._require_changeable()
        if enabled == self.auto_renew_enabled:
            return False
        if self.status == SubscriptionStatus.SUSPENDED:
            raise SubscriptionSuspendedChange()
        self.auto_renew_enabled = enabled
        self.version += 1
        return True

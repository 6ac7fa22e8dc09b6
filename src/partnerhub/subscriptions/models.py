"""Subscription and its pure state transitions (DOMAIN.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime
from partnerhub.errors import (
    AddonParentNotActive,
    QuantityWhileSuspended,
    ReservationNotSuspendable,
    SubscriptionDeleted,
    SubscriptionSuspendedChange,
    SuspendedByAnotherParty,
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


class SuspensionReason(StrEnum):
    """Why a subscription is suspended (Google Channel API's reasons, Partner Center's `suspensionReasons`)."""

    RESELLER_INITIATED = "ResellerInitiated"  # the partner of record, or the reseller of record
    PROVIDER_INITIATED = "ProviderInitiated"  # the indirect provider, on a subscription sold through a reseller
    PARENT_SUSPENDED = "ParentSuspended"  # an add-on whose parent subscription is suspended


@dataclass(frozen=True)
class Suspension:
    """One reason a subscription is suspended: who suspended it (partner and user), when, and why."""

    reason: str
    initiator_partner_id: str
    initiated_by: str
    at: datetime
    note: str = ""

    def stored(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "initiatorPartnerId": self.initiator_partner_id,
            "initiatedBy": self.initiated_by,
            "at": self.at.isoformat(),
            "note": self.note,
        }

    @classmethod
    def from_stored(cls, raw: dict[str, Any]) -> Suspension:
        return cls(
            str(raw["reason"]),
            str(raw["initiatorPartnerId"]),
            str(raw.get("initiatedBy") or ""),
            datetime.fromisoformat(str(raw["at"])),
            str(raw.get("note") or ""),
        )

    def is_held_by(self, partner_id: str) -> bool:
        return self.initiator_partner_id == partner_id and self.reason != SuspensionReason.PARENT_SUSPENDED


def suspension_reason_of(sub: Subscription, partner_id: str) -> SuspensionReason:
    """The reason a partner suspends a subscription for: the indirect provider of a subscription sold through
    a reseller suspends it as `ProviderInitiated`; the partner or the reseller of record as `ResellerInitiated`."""
    if sub.reseller_partner_id is not None and partner_id == sub.partner_id:
        return SuspensionReason.PROVIDER_INITIATED
    return SuspensionReason.RESELLER_INITIATED


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
    # Partner Center's `suspensionReasons` (the names, which listings and raw reports read) and the detail of
    # each (`Suspension.stored()`); both are written only by `_set_suspensions`
    suspension_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    suspensions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # The designated support contact; None means the default (the provider or the direct partner).
    support_contact_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    commitment_end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    def _require_changeable(self) -> None:
        if self.status in FINAL_STATUSES:
            raise SubscriptionDeleted(id=self.id, status=self.status)

    @property
    def suspension_details(self) -> list[Suspension]:
        return [Suspension.from_stored(raw) for raw in self.suspensions or []]

    def _set_suspensions(self, suspensions: list[Suspension]) -> None:
        self.suspensions = [s.stored() for s in suspensions]
        self.suspension_reasons = [s.reason for s in suspensions]

    def suspend(self, suspension: Suspension) -> bool:
        """Suspend for one party's reason (turns auto-renew off). A suspended subscription takes the reason
        beside the others it holds; False when that party already holds that reason (no change)."""
        self._require_changeable()
        if self.kind == "reservation":
            raise ReservationNotSuspendable(id=self.id)
        held = self.suspension_details if self.status == SubscriptionStatus.SUSPENDED else []
        if any(
            s.reason == suspension.reason and s.initiator_partner_id == suspension.initiator_partner_id for s in held
        ):
            return False
        self.status = SubscriptionStatus.SUSPENDED
        self.auto_renew_enabled = False
        self._set_suspensions([*held, suspension])
        self.version += 1
        return True

    def reactivate(self, parent: Subscription | None, *, partner_id: str, names: dict[str, str] | None = None) -> bool:
        """Lift the reasons `partner_id` holds (and `ParentSuspended`, which no longer holds once the parent is
        active); back to active only when no reason is left, else it stays suspended with the others'. Refused
        when every remaining reason is another party's. An add-on only under an active parent. Auto-renew
        stays off."""
        self._require_changeable()
        if self.status == SubscriptionStatus.ACTIVE:
            return False
        if parent is not None and parent.status != SubscriptionStatus.ACTIVE:
            raise AddonParentNotActive(parent_id=parent.id, status=parent.status)
        held = self.suspension_details if self.status == SubscriptionStatus.SUSPENDED else []
        remaining = [s for s in held if not s.is_held_by(partner_id) and s.reason != SuspensionReason.PARENT_SUSPENDED]
        if remaining and len(remaining) == len(held):
            raise SuspendedByAnotherParty.naming(
                self.id, [(s.reason, s.initiator_partner_id) for s in remaining], names or {}
            )
        if not remaining:
            self.status = SubscriptionStatus.ACTIVE
        self._set_suspensions(remaining)
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

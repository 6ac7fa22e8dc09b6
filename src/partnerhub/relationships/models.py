"""ResellerRelationship: one episode (active → removed) of a partner ↔ customer relationship."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class RelationshipStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class ResellerRelationship(Base):
    """One episode of a relationship. Re-establishing adds a new row; removed rows stay as history.

    The partial unique index holds "at most one active relationship per partner and customer" in the
    database, whatever the interleaving of requests.
    """

    __tablename__ = "reseller_relationships"
    __table_args__ = (
        Index(
            "uq_reseller_relationships_one_active",
            "partner_id",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_reseller_relationships_partner_status", "partner_id", "status", "customer_id"),
        Index("ix_reseller_relationships_customer", "customer_id", "status"),
        # the customer list is a range scan of these, whatever the size of the rest of the platform
        Index("ix_reseller_relationships_list_by_name", "partner_id", "status", "customer_name_key", "customer_id"),
        Index("ix_reseller_relationships_list_by_domain", "partner_id", "status", "customer_domain", "customer_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[str] = mapped_column(String(16))
    has_delegated_admin: Mapped[bool] = mapped_column(default=False)
    # copies of the customer's sort keys (a company name and domain never change after creation), so that a
    # partner's customer list needs no walk over every customer of the platform
    customer_name_key: Mapped[str] = mapped_column(String(200), default="", server_default="")
    customer_domain: Mapped[str] = mapped_column(String(253), default="", server_default="")
    associated_partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    origin: Mapped[str] = mapped_column(String(32))  # customer-created | invitation
    invitation_id: Mapped[str | None] = mapped_column(String(36))
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_user_id: Mapped[str | None] = mapped_column(String(36))
    removed_by: Mapped[str | None] = mapped_column(String(16))  # the side that ended it: partner | customer
    version: Mapped[int] = mapped_column(default=1)

    @property
    def is_active(self) -> bool:
        return self.status == RelationshipStatus.ACTIVE

    def remove(self, *, now: datetime, user_id: str | None, by: str = "partner") -> None:
        """End the episode: the relationship is removed and its delegated admin privileges end with it.
        `by` is the side that ended it: the partner (the seed's removal, offboarding) or the customer."""
        self.status = RelationshipStatus.REMOVED
        self.has_delegated_admin = False
        self.removed_at = now
        self.removed_by_user_id = user_id
        self.removed_by = by
        self.version += 1

"""RelationshipRequest: a tracked invitation with its status (sent, accepted, declined, expired, revoked)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class InvitationStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    REVOKED = "revoked"


class RelationshipRequest(Base):
    """A tracked invitation. Its code is a bearer secret: only its SHA-256 is kept (`code_hash`); the code
    itself is shown once, in the answer that creates the request."""

    __tablename__ = "relationship_requests"
    __table_args__ = (
        Index("ix_relationship_requests_partner_created", "partner_id", "created_at"),
        # a customer's inbox: the requests addressed to it, by status
        Index("ix_relationship_requests_customer_status", "customer_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    indirect_reseller_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    include_delegated_admin: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=InvitationStatus.SENT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[str | None] = mapped_column(String(36))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_user_id: Mapped[str | None] = mapped_column(String(36))
    accepted_customer_id: Mapped[str | None] = mapped_column(String(36))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_by_user_id: Mapped[str | None] = mapped_column(String(36))

    def status_at(self, now: datetime) -> str:
        """The status as a user sees it: a sent request past its expiry is expired."""
        if self.status == InvitationStatus.SENT and now >= self.expires_at:
            return InvitationStatus.EXPIRED
        return self.status

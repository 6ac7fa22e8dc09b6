"""Tenant, Partner and their types."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime
from partnerhub.ids import new_code

NONCE_BYTES = 12  # 16 URL-safe characters
NONCE_LENGTH = 16


def new_link_nonce() -> str:
    """The random part of a partner's reusable invitation link (invitations/partner_link.py derives the rest)."""
    nonce = new_code(NONCE_BYTES)
    assert len(nonce) == NONCE_LENGTH
    return nonce


class TenantKind(StrEnum):
    PARTNER = "partner"
    CUSTOMER = "customer"


class PartnerType(StrEnum):
    DIRECT = "direct"
    INDIRECT_PROVIDER = "indirect-provider"
    INDIRECT_RESELLER = "indirect-reseller"


class Tenant(Base):
    """An organisation: a partner or a customer. Its domain is unique across all tenants."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "Require MFA for every user": on for partners from the start (as Partner Center requires), set by the
    # tenant's Global admin.
    requires_mfa: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


class Partner(Base):
    """A partner tenant: its type, its MPN id and what its reusable invitation link is made of.

    The link's code is derived from the instance's secret key and `invitation_nonce` (see
    `invitations/partner_link.py`), so the database alone does not reveal it; a new nonce rotates the link.
    `legacy_invitation_code_hash` is the SHA-256 of a clear code kept before migration 0007: that link keeps
    working until the partner first rotates its link."""

    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    partner_type: Mapped[str] = mapped_column(String(32))
    mpn_id: Mapped[str] = mapped_column(String(16), unique=True)
    invitation_nonce: Mapped[str] = mapped_column(String(32), unique=True)
    legacy_invitation_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    admin_agents_may_remove: Mapped[bool] = mapped_column(default=False)


class PartnerDomain(Base):
    """A domain the operator verified as the partner's own: its users' e-mail addresses end in one of them
    (issue 12, F5). A domain is verified for one partner at most, and is never a customer's domain."""

    __tablename__ = "partner_domains"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

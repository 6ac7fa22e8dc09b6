"""The Customer: a customer tenant's company and billing profile, with a version behind its etag."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class Customer(Base):
    """A customer tenant's profile. `id` is the tenant id ("Microsoft ID")."""

    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_company_key_id", "company_name_key", "id"),)

    id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    company_name: Mapped[str] = mapped_column(String(200))
    company_name_key: Mapped[str] = mapped_column(String(200))  # lower-cased, for prefix search and order
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    organization_registration_number: Mapped[str] = mapped_column(String(64), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    culture: Mapped[str] = mapped_column(String(16), default="en-US")
    language: Mapped[str] = mapped_column(String(8), default="en")
    billing_company_name: Mapped[str] = mapped_column(String(200), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="US")
    phone_number: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

"""A tenant's own OpenID Connect identity provider: where it is, partnerhub's client id there, the client secret
(encrypted with the instance's secret key, never shown back) and whether its users sign in through it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime

SECRET_PURPOSE = "oidc-client-secret"  # noqa: S105 (the crypto.py purpose of the stored secret, not a secret)


class SingleSignOn(Base):
    """One per tenant (partner or customer). Users are matched by the verified e-mail the provider asserts, only
    among the tenant's own active users."""

    __tablename__ = "tenant_single_sign_on"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_encrypted: Mapped[str] = mapped_column(Text)
    is_enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""Users with roles, and API tokens stored only as hashes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class Role(StrEnum):
    GLOBAL_ADMIN = "global-admin"
    ADMIN_AGENT = "admin-agent"
    SALES_AGENT = "sales-agent"
    HELPDESK_AGENT = "helpdesk-agent"
    OPERATOR = "operator"
    USER = "user"  # a customer tenant's ordinary user (created by the customer or a delegated admin)


PARTNER_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT, Role.HELPDESK_AGENT)
CUSTOMER_ROLES = (Role.GLOBAL_ADMIN, Role.USER)


class User(Base):
    """A person who signs in. Operators belong to no tenant."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A generated password works once: the first sign-in must replace it (issue 12, F1).
    password_is_one_time: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # TOTP multi-factor sign-in: the shared key (base32), when it was enrolled, and the last time step used
    # (a code is accepted once: the same step cannot sign in twice).
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def has_mfa(self) -> bool:
        return self.mfa_enabled_at is not None and self.mfa_secret is not None


class RecoveryCode(Base):
    """A one-time MFA recovery code: only its SHA-256 is stored (the codes are random, shown once)."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInAttempts(Base):
    """How many sign-in attempts one key (an e-mail address, a client address, a user's code step) made in one
    window of time. Counted in the database, so every worker process and host sees the same count."""

    __tablename__ = "sign_in_attempts"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class ApiToken(Base):
    """A bearer token: only its SHA-256 is stored; revocable and expiring."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # created by a session signed in with a second factor (what a GDAP approval by this token needs)
    is_mfa: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of the cookie value is stored. It ends at sign-out, after
    `idle` minutes without a request, or at `expires_at` whatever happens."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_mfa: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

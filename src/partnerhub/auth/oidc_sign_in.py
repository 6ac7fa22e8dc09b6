"""Who a single sign-on signs in, and what it leaves to do.

- The provider's ID token must carry an `email` with `email_verified` true; that e-mail must be in one of the
  configuring tenant's domains (its own, or one the operator verified for a partner) and belong to an active
  user of THAT tenant. Every other case (nobody, a disabled
  user, a user of another tenant) gets the same refusal, which names no tenant.
- Multi-factor: the provider is trusted for it when the token's `amr` (RFC 8176) lists "mfa". Otherwise
  partnerhub's own second factor still applies: the code of an enrolled user, or the enrolment that the tenant's
  policy requires.
- Passwords: a single sign-on never asks for one. It voids a generated (one-time) password the user still has,
  so whoever saw that password can no longer use it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.models import User
from partnerhub.auth.oidc import email_domain, tenant_of_domain
from partnerhub.auth.oidc_models import SingleSignOn
from partnerhub.auth.passwords import hash_password
from partnerhub.errors.sso import SsoEmailNotVerified, SsoNotAvailable, SsoUnknownUser
from partnerhub.tenants.models import Tenant

MFA_METHOD = "mfa"


@dataclass(frozen=True)
class SsoIdentity:
    """The user a provider's ID token signs in, and whether the provider did a second factor."""

    user: User
    mfa_at_provider: bool


def email_is_verified(claims: dict[str, Any]) -> bool:
    """`email_verified` true (some providers send the string "true")."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def provider_did_mfa(claims: dict[str, Any]) -> bool:
    amr = claims.get("amr")
    return isinstance(amr, list) and MFA_METHOD in amr


def identify(session: Session, *, tenant_id: str, claims: dict[str, Any]) -> SsoIdentity:
    """The active user of `tenant_id` that the verified e-mail of the ID token names (see the module)."""
    row = session.get(SingleSignOn, tenant_id)
    tenant = session.get(Tenant, tenant_id)
    if row is None or not row.is_enabled or tenant is None:  # turned off while the user was at the provider
        raise SsoNotAvailable()
    raw = claims.get("email")
    email = raw.strip().lower() if isinstance(raw, str) else ""
    if not email_is_verified(claims):
        raise SsoEmailNotVerified()
    user = session.scalar(select(User).where(User.email == email)) if email else None
    if (
        user is None
        or user.tenant_id != tenant.id
        or not user.is_active
        or tenant_of_domain(session, email_domain(email)) != tenant.id
    ):
        raise SsoUnknownUser(email=email or "-")
    return SsoIdentity(user, provider_did_mfa(claims))


def sign_in_details(session: Session, user: User) -> dict[str, object]:
    """What the activity record of the sign-in says about the provider; voids a one-time password (see the
    module). Called when the session is opened, after every step."""
    row = session.get(SingleSignOn, user.tenant_id) if user.tenant_id else None
    details: dict[str, object] = {"issuer": row.issuer if row else None}
    if user.password_is_one_time:
        user.password_hash = hash_password(secrets.token_urlsafe(32))
        details["voidedOneTimePassword"] = True
    return details

"""Single sign-on settings of a tenant: its Global admin (or the operator) connects the tenant's own OpenID
Connect identity provider (issuer, client id, client secret) and turns it on or off. The client secret is stored
encrypted with the instance's secret key and is never shown back; every change writes an activity record
without it. The sign-in finds a tenant's provider by the domain of the e-mail typed (public information, like a
domain's mail server): it names the organisation and its provider, never a user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub import crypto
from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.auth.oidc_models import SECRET_PURPOSE, SingleSignOn
from partnerhub.auth.service import _scope_kwargs
from partnerhub.clock import utc_now
from partnerhub.errors import Forbidden, NotFound
from partnerhub.errors.sso import (
    SsoClientIdInvalid,
    SsoIssuerInvalid,
    SsoNotAvailable,
    SsoNotConfigured,
    SsoSecretRequired,
    SsoSecretUnreadable,
)
from partnerhub.tenants.models import PartnerDomain, Tenant

MAX_ISSUER = 500
MAX_CLIENT_ID = 255
MAX_CLIENT_SECRET = 1000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
OPERATION = "configure single sign-on"


@dataclass(frozen=True)
class SingleSignOnView:
    """What a page or a command may show of a tenant's settings: everything but the secret."""

    tenant_id: str
    tenant_name: str
    domain: str
    issuer: str
    client_id: str
    is_enabled: bool
    has_secret: bool
    updated_at: datetime | None


@dataclass(frozen=True)
class SignInProvider:
    """The identity provider that signs in the users of one tenant, as the sign-in needs it."""

    tenant_id: str
    tenant_name: str
    domain: str
    issuer: str
    client_id: str


@dataclass(frozen=True)
class ProviderCredentials:
    issuer: str
    client_id: str
    client_secret: str


def normalize_issuer(value: str) -> str:
    """An issuer is an https:// URL (http:// only on a loopback address, for a provider on the same machine),
    without query, fragment or credentials. Kept as typed otherwise: the ID token's `iss` must equal it."""
    issuer = value.strip()
    try:
        parts = urlsplit(issuer)
        host = parts.hostname
    except ValueError:
        raise SsoIssuerInvalid() from None
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)
    if (
        not secure
        or not host
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
        or len(issuer) > MAX_ISSUER
        or any(c.isspace() for c in issuer)
    ):
        raise SsoIssuerInvalid()
    return issuer


def _tenant_for(session: Session, actor: Actor, tenant_id: str) -> Tenant:
    """The tenant whose settings `actor` may change: its own, as its Global admin; any, as the operator.
    Another tenant is "not found", never "forbidden"."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None or not (actor.is_operator or actor.tenant_id == tenant.id):
        raise NotFound(resource="Tenant", id=tenant_id)
    if not actor.is_operator and Role.GLOBAL_ADMIN not in actor.roles:
        raise Forbidden(operation=OPERATION)
    return tenant


def _view(tenant: Tenant, row: SingleSignOn | None) -> SingleSignOnView | None:
    if row is None:
        return None
    return SingleSignOnView(
        tenant.id,
        tenant.name,
        tenant.domain,
        row.issuer,
        row.client_id,
        row.is_enabled,
        bool(row.client_secret_encrypted),
        row.updated_at,
    )


def _shown(row: SingleSignOn) -> dict[str, object]:
    return {"issuer": row.issuer, "clientId": row.client_id, "enabled": row.is_enabled}


def get_single_sign_on(session: Session, actor: Actor, *, tenant_id: str) -> SingleSignOnView | None:
    """The tenant's settings (None: never set up), for its Global admin or the operator."""
    tenant = _tenant_for(session, actor, tenant_id)
    return _view(tenant, session.get(SingleSignOn, tenant.id))


def set_single_sign_on(
    session: Session,
    actor: Actor,
    *,
    tenant_id: str,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    enabled: bool,
    secret_key: str,
) -> SingleSignOnView:
    """Connect (or change) the tenant's identity provider. The first time a client secret is required; later an
    empty one keeps the stored secret. The secret is encrypted with the instance's secret key; the activity
    record says only whether it changed."""
    tenant = _tenant_for(session, actor, tenant_id)
    issuer = normalize_issuer(issuer)
    client_id = client_id.strip()
    if not client_id or len(client_id) > MAX_CLIENT_ID or any(c.isspace() for c in client_id):
        raise SsoClientIdInvalid(limit=MAX_CLIENT_ID)
    secret = (client_secret or "").strip()
    if len(secret) > MAX_CLIENT_SECRET:
        raise SsoSecretRequired()
    row = session.get(SingleSignOn, tenant.id, with_for_update=True)
    if row is None and not secret:
        raise SsoSecretRequired()
    now = utc_now()
    old = _shown(row) if row is not None else None
    if row is None:
        row = SingleSignOn(
            tenant_id=tenant.id,
            issuer=issuer,
            client_id=client_id,
            client_secret_encrypted="",
            is_enabled=enabled,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    row.issuer, row.client_id, row.is_enabled = issuer, client_id, enabled
    if secret:
        row.client_secret_encrypted = crypto.encrypt(secret_key, SECRET_PURPOSE, secret)
    new = _shown(row)
    if old != new or secret:
        row.updated_at = now
        record(
            session,
            actor,
            operation=Operation.UPDATE_TENANT_SINGLE_SIGN_ON,
            resource_type=_kind(tenant),
            resource_id=tenant.id,
            **_scope_kwargs(session, tenant.id),
            old=old,
            new={**new, "clientSecretChanged": bool(secret)},
            now=now,
        )
    session.flush()
    view = _view(tenant, row)
    assert view is not None
    return view


def disable_single_sign_on(session: Session, actor: Actor, *, tenant_id: str) -> SingleSignOnView:
    """Turn single sign-on off (the settings stay, to turn it on again). The tenant's users sign in with their
    password; sign-ins already under way at the provider are refused when they come back."""
    tenant = _tenant_for(session, actor, tenant_id)
    row = session.get(SingleSignOn, tenant.id, with_for_update=True)
    if row is None:
        raise SsoNotConfigured(tenant=tenant.name)
    if row.is_enabled:
        now = utc_now()
        old = _shown(row)
        row.is_enabled = False
        row.updated_at = now
        record(
            session,
            actor,
            operation=Operation.UPDATE_TENANT_SINGLE_SIGN_ON,
            resource_type=_kind(tenant),
            resource_id=tenant.id,
            **_scope_kwargs(session, tenant.id),
            old=old,
            new={**_shown(row), "clientSecretChanged": False},
            now=now,
        )
    view = _view(tenant, row)
    assert view is not None
    return view


def tenant_id_by_domain(session: Session, actor: Actor, *, domain: str) -> str:
    """The operator names a tenant by its domain (the CLI)."""
    actor.require_operator("configure single sign-on")
    tenant_id = session.scalar(select(Tenant.id).where(Tenant.domain == domain.strip().lower()))
    if tenant_id is None:
        raise NotFound(resource="Tenant", id=domain)
    return tenant_id


def _kind(tenant: Tenant) -> ResourceType:
    return ResourceType.PARTNER if tenant.kind == "partner" else ResourceType.CUSTOMER


# --- what the sign-in needs --------------------------------------------------------------------------------


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def tenant_of_domain(session: Session, domain: str) -> str | None:
    """The tenant whose domain this is: its own domain, or one the operator verified for a partner (F5)."""
    found = session.scalar(select(Tenant.id).where(Tenant.domain == domain))
    return found or session.scalar(select(PartnerDomain.partner_id).where(PartnerDomain.domain == domain))


def find_sign_in_provider(session: Session, *, email: str) -> SignInProvider | None:
    """The identity provider of the organisation whose domain the e-mail is in, if it has single sign-on on.
    It says nothing about whether a user with that e-mail exists."""
    domain = email_domain(email)
    if not domain:
        return None
    tenant_id = tenant_of_domain(session, domain)
    found = session.execute(
        select(Tenant, SingleSignOn)
        .join(SingleSignOn, SingleSignOn.tenant_id == Tenant.id)
        .where(Tenant.id == tenant_id, SingleSignOn.is_enabled.is_(True))
    ).first()
    if found is None:
        return None
    tenant, row = found
    return SignInProvider(tenant.id, tenant.name, tenant.domain, row.issuer, row.client_id)


def provider_credentials(session: Session, *, tenant_id: str, secret_key: str) -> ProviderCredentials:
    """The tenant's provider with its client secret decrypted, while single sign-on is on."""
    row = session.get(SingleSignOn, tenant_id)
    if row is None or not row.is_enabled:
        raise SsoNotAvailable()
    try:
        secret = crypto.decrypt(secret_key, SECRET_PURPOSE, row.client_secret_encrypted)
    except crypto.SecretUnreadable:
        raise SsoSecretUnreadable() from None
    return ProviderCredentials(row.issuer, row.client_id, secret)

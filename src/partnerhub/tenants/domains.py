"""Partners' verified domains (issue 12, F5): the domains the operator has verified as a partner's own. A
partner's users have e-mail addresses in them; a verified domain belongs to one partner and is never a
customer's. Single sign-on matches users within them (`verified_domains`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.clock import utc_now
from partnerhub.errors import (
    DomainAlreadyVerified,
    DomainHasOtherTenantsUsers,
    EmailOutsideVerifiedDomains,
    InvalidInput,
    LastVerifiedDomain,
    PartnerDomainNotFound,
    PartnerNotFound,
)
from partnerhub.ids import normalize_id
from partnerhub.tenants.models import Partner, PartnerDomain, Tenant
from partnerhub.tenants.names import normalize_domain


def verified_domains(session: Session, partner_id: str) -> list[str]:
    """The partner's verified domains, in alphabetical order (empty for a tenant that is not a partner)."""
    stmt = select(PartnerDomain.domain).where(PartnerDomain.partner_id == partner_id).order_by(PartnerDomain.domain)
    return list(session.scalars(stmt))


def domain_of(email: str) -> str:
    """The domain part of an e-mail address, lower-cased ("" when there is none)."""
    return email.rsplit("@", 1)[1].strip().lower() if "@" in email else ""


def require_partner_email_domain(session: Session, partner_id: str, email: str) -> None:
    """A partner's user has an e-mail address in one of the partner's verified domains. The refusal names the
    partner's own domains only, whoever else may use the address: it never tells whether it exists."""
    domains = verified_domains(session, partner_id)
    if domain_of(email) not in domains:
        raise EmailOutsideVerifiedDomains(email=email, domains=", ".join(domains) or "—")


def is_domain_taken(session: Session, domain: str) -> bool:
    """Whether a domain is already a tenant's domain or verified for a partner (a new tenant cannot have it)."""
    tenant = select(Tenant.id).where(Tenant.domain == domain)
    verified = select(PartnerDomain.domain).where(PartnerDomain.domain == domain)
    return session.scalar(tenant) is not None or session.scalar(verified) is not None


def verify_onboarding_domains(session: Session, *, partner_id: str, domains: list[str], now: datetime) -> None:
    """At onboarding: the partner's own domain and its Global admin's become its first verified domains (the
    caller has checked that no other tenant has them)."""
    for domain in sorted(set(domains)):
        session.add(PartnerDomain(domain=domain, partner_id=partner_id, created_at=now))
    session.flush()


def _partner(session: Session, partner_id: str) -> Partner:
    partner = session.get(Partner, normalize_id(partner_id))
    if partner is None:
        raise PartnerNotFound(id=partner_id)
    return partner


def list_partner_domains(session: Session, actor: Actor, *, partner_id: str) -> list[PartnerDomain]:
    """A partner's verified domains, for the operator."""
    actor.require_operator("list verified domains")
    partner = _partner(session, partner_id)
    stmt = select(PartnerDomain).where(PartnerDomain.partner_id == partner.id).order_by(PartnerDomain.domain)
    return list(session.scalars(stmt))


def add_partner_domain(session: Session, actor: Actor, *, partner_id: str, domain: str) -> PartnerDomain:
    """The operator verifies a domain as the partner's: refused when it is already a tenant's domain or another
    partner's, or when users of other tenants have addresses in it (the partner would then learn of them)."""
    actor.require_operator("verify a domain")
    partner = _partner(session, partner_id)
    value = normalize_domain(domain)
    owner = session.get(PartnerDomain, value)
    tenant = session.scalar(select(Tenant.id).where(Tenant.domain == value))
    if owner is not None or (tenant is not None and tenant != partner.id):
        raise DomainAlreadyVerified(domain=value)
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.email.like(f"%@{_escape_like(value)}", escape="\\"),
            (User.tenant_id != partner.id) | User.tenant_id.is_(None),
        )
    )
    if others:
        raise DomainHasOtherTenantsUsers(domain=value, count=others)
    row = PartnerDomain(domain=value, partner_id=partner.id, created_at=utc_now())
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        operation=Operation.ADD_PARTNER_DOMAIN,
        resource_type=ResourceType.PARTNER_DOMAIN,
        resource_id=value,
        partner_id=partner.id,
        new={"domain": value},
        now=row.created_at,
    )
    return row


def remove_partner_domain(session: Session, actor: Actor, *, partner_id: str, domain: str) -> None:
    """The operator removes a verified domain; a partner keeps at least one. Its users keep their addresses,
    but no new user gets one there."""
    actor.require_operator("remove a verified domain")
    partner = _partner(session, partner_id)
    try:
        value = normalize_domain(domain)
    except InvalidInput:
        raise PartnerDomainNotFound(domain=domain) from None
    row = session.get(PartnerDomain, value, with_for_update=True)
    if row is None or row.partner_id != partner.id:
        raise PartnerDomainNotFound(domain=value)
    if verified_domains(session, partner.id) == [value]:
        raise LastVerifiedDomain(domain=value)
    session.delete(row)
    session.flush()
    record(
        session,
        actor,
        operation=Operation.REMOVE_PARTNER_DOMAIN,
        resource_type=ResourceType.PARTNER_DOMAIN,
        resource_id=value,
        partner_id=partner.id,
        old={"domain": value},
    )


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

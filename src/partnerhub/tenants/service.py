"""Partner onboarding by the operator, and operator accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role, User
from partnerhub.auth.service import new_user, normalize_email
from partnerhub.clock import utc_now
from partnerhub.errors import DuplicateDomain, InvalidInput, PartnerNotFound
from partnerhub.ids import new_id, new_mpn_id, normalize_id
from partnerhub.tenants.domains import domain_of, is_domain_taken, verify_onboarding_domains
from partnerhub.tenants.models import Partner, PartnerType, Tenant, TenantKind, new_link_nonce
from partnerhub.tenants.names import normalize_domain

__all__ = [
    "CreatedPartner",
    "create_operator_account",
    "create_partner",
    "list_partners",
    "new_tenant",
    "normalize_domain",
    "parse_partner_type",
    "tenant_name_of_partner",
    "tenant_name_unscoped",
]


def parse_partner_type(value: str) -> PartnerType:
    key = value.strip().lower().replace("_", "-").replace(" ", "-")
    aliases = {"direct-bill": "direct", "provider": "indirect-provider", "reseller": "indirect-reseller"}
    key = aliases.get(key, key)
    try:
        return PartnerType(key)
    except ValueError:
        raise InvalidInput(
            detail=f"unknown partner type '{value}'; choose direct, indirect-provider or indirect-reseller"
        ) from None


def new_tenant(session: Session, *, kind: TenantKind, name: str, domain: str) -> Tenant:
    domain = normalize_domain(domain)
    if is_domain_taken(session, domain):  # another tenant's domain, or a partner's verified domain
        raise DuplicateDomain(domain=domain)
    tenant = Tenant(id=new_id(), kind=kind.value, name=name.strip(), domain=domain, created_at=utc_now())
    session.add(tenant)
    session.flush()  # rows that reference the tenant are inserted after it
    return tenant


@dataclass(frozen=True)
class CreatedPartner:
    partner: Partner
    tenant: Tenant
    admin: User
    password: str


def create_partner(
    session: Session,
    actor: Actor,
    *,
    name: str,
    partner_type: str,
    domain: str,
    admin_email: str,
    mpn_id: str | None = None,
) -> CreatedPartner:
    """The operator onboards a partner: tenant, MPN id, reusable invitation link, and a Global admin. The
    partner's domain and its Global admin's e-mail domain become its first verified domains (F5): neither may
    be another tenant's."""
    actor.require_operator("create partner")
    if not name.strip():
        raise InvalidInput(detail="a partner needs a name")
    ptype = parse_partner_type(partner_type)
    admin_domain = normalize_domain(domain_of(normalize_email(admin_email)))
    if admin_domain != normalize_domain(domain) and is_domain_taken(session, admin_domain):
        raise DuplicateDomain(domain=admin_domain)
    tenant = new_tenant(session, kind=TenantKind.PARTNER, name=name, domain=domain)
    tenant.requires_mfa = True  # every partner user signs in with MFA unless the Global admin says otherwise
    if mpn_id is not None and not mpn_id.isdigit():
        raise InvalidInput(detail="an MPN id is digits only")
    mpn = mpn_id or new_mpn_id()
    while session.scalar(select(Partner.id).where(Partner.mpn_id == mpn)) is not None:
        if mpn_id is not None:
            raise InvalidInput(detail=f"MPN id {mpn_id} is already taken")
        mpn = new_mpn_id()
    # the reusable link is derived from this nonce and the instance's key (invitations/partner_link.py)
    partner = Partner(id=tenant.id, partner_type=ptype.value, mpn_id=mpn, invitation_nonce=new_link_nonce())
    session.add(partner)
    session.flush()
    verify_onboarding_domains(
        session, partner_id=partner.id, domains=[tenant.domain, admin_domain], now=tenant.created_at
    )
    admin, password = new_user(session, tenant_id=tenant.id, email=admin_email, roles=[Role.GLOBAL_ADMIN.value])
    record(
        session,
        actor,
        operation=Operation.ADD_PARTNER,
        resource_type=ResourceType.PARTNER,
        resource_id=tenant.id,
        partner_id=tenant.id,
        new={
            "name": tenant.name,
            "type": ptype.value,
            "domain": tenant.domain,
            "mpnId": mpn,
            "adminEmail": admin.email,
        },
    )
    return CreatedPartner(partner, tenant, admin, password)


def create_operator_account(session: Session, actor: Actor, *, email: str) -> tuple[User, str]:
    """An operator account that can sign in (the shell on the server is the first operator)."""
    actor.require_operator("create operator")
    user, password = new_user(session, tenant_id=None, email=email, roles=[Role.OPERATOR.value])
    record(
        session,
        actor,
        operation=Operation.ADD_USER,
        resource_type=ResourceType.USER,
        resource_id=user.id,
        partner_id=None,
        new={"email": user.email, "roles": [Role.OPERATOR.value]},
    )
    return user, password


def list_partners(session: Session, actor: Actor) -> list[tuple[Tenant, Partner]]:
    actor.require_operator("list partners")
    stmt = select(Tenant, Partner).join(Partner, Partner.id == Tenant.id).order_by(Tenant.name)
    return [(t, p) for t, p in session.execute(stmt)]


def tenant_name_of_partner(session: Session, actor: Actor, *, partner_id: str) -> str:
    """A partner's name, for the operator."""
    actor.require_operator("list partners")
    partner = session.get(Tenant, normalize_id(partner_id))
    if partner is None or partner.kind != TenantKind.PARTNER:
        raise PartnerNotFound(id=partner_id)
    return partner.name


def tenant_name_unscoped(session: Session, tenant_id: str | None) -> str:
    """The display name of a tenant (the page header shows whose portal this is); "" for the operator."""
    if tenant_id is None:
        return ""
    tenant = session.get(Tenant, tenant_id)
    return tenant.name if tenant else ""

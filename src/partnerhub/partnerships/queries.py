"""Reads of provider ↔ reseller partnerships and of the partners they name, with the locks commerce takes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.errors import (
    NoActivePartnership,
    NotAnIndirectProvider,
    NotAnIndirectReseller,
    PartnerNotFound,
    PartnerReferenceMismatch,
    PartnerReferenceMissing,
)
from partnerhub.partnerships.models import Partnership, PartnershipStatus
from partnerhub.tenants.models import Partner, PartnerType, Tenant

OPEN_PARTNERSHIP_STATUSES = (PartnershipStatus.INVITED.value, PartnershipStatus.ACTIVE.value)


def find_open_partnership(session: Session, *, provider_id: str, reseller_id: str) -> Partnership | None:
    """The invited or active partnership of a pair (the partial unique index allows one at most)."""
    stmt = select(Partnership).where(
        Partnership.provider_id == provider_id,
        Partnership.reseller_id == reseller_id,
        Partnership.status.in_(OPEN_PARTNERSHIP_STATUSES),
    )
    return session.scalars(stmt).first()


def find_active_partnership(
    session: Session, *, provider_id: str, reseller_id: str, lock: bool = False
) -> Partnership | None:
    """The active partnership of a pair, locked FOR UPDATE when `lock` (so that it cannot end meanwhile)."""
    stmt = select(Partnership).where(
        Partnership.provider_id == provider_id,
        Partnership.reseller_id == reseller_id,
        Partnership.status == PartnershipStatus.ACTIVE,
    )
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def partner_name_unscoped(session: Session, partner_id: str) -> str:
    tenant = session.get(Tenant, partner_id)
    return tenant.name if tenant else partner_id


def resolve_partner(session: Session, *, tenant_id: str | None = None, mpn_id: str | None = None) -> Partner:
    """The partner named by its tenant id, its MPN id or both (then they must agree)."""
    tenant_id = (tenant_id or "").strip().lower() or None
    mpn_id = (mpn_id or "").strip() or None
    if tenant_id is None and mpn_id is None:
        raise PartnerReferenceMissing()
    by_id = session.get(Partner, tenant_id) if tenant_id else None
    by_mpn = session.scalars(select(Partner).where(Partner.mpn_id == mpn_id)).first() if mpn_id else None
    if tenant_id and by_id is None:
        raise PartnerNotFound(id=tenant_id)
    if mpn_id and by_mpn is None:
        raise PartnerNotFound(id=mpn_id)
    if by_id is not None and by_mpn is not None and by_id.id != by_mpn.id:
        raise PartnerReferenceMismatch(tenant_id=tenant_id, mpn_id=mpn_id)
    found = by_id or by_mpn
    assert found is not None
    return found


def require_indirect_provider(session: Session, partner_id: str, operation: str) -> Partner:
    """The acting partner, if it is an indirect provider (read from the database, not the sign-in)."""
    partner = session.get(Partner, partner_id)
    if partner is None or partner.partner_type != PartnerType.INDIRECT_PROVIDER:
        raise NotAnIndirectProvider(operation=operation)
    return partner


def require_indirect_reseller(session: Session, partner: Partner) -> Partner:
    if partner.partner_type != PartnerType.INDIRECT_RESELLER:
        raise NotAnIndirectReseller(name=partner_name_unscoped(session, partner.id), mpn_id=partner.mpn_id)
    return partner


def require_active_partnership(
    session: Session, *, provider_id: str, reseller_id: str, lock: bool = True
) -> Partnership:
    """The active partnership of a provider and a reseller (locked by default: the caller relies on it
    until commit), else NoActivePartnership naming both."""
    partnership = find_active_partnership(session, provider_id=provider_id, reseller_id=reseller_id, lock=lock)
    if partnership is None:
        raise NoActivePartnership(
            reseller=partner_name_unscoped(session, reseller_id), provider=partner_name_unscoped(session, provider_id)
        )
    return partnership


def require_reseller_of(session: Session, *, provider_id: str, reseller_id: str, operation: str) -> Partner:
    """For a provider acting for one of its resellers: the provider must be an indirect provider, the
    reseller an indirect reseller in an ACTIVE partnership with it (the partnership row stays locked)."""
    require_indirect_provider(session, provider_id, operation)
    reseller = require_indirect_reseller(session, resolve_partner(session, tenant_id=reseller_id))
    require_active_partnership(session, provider_id=provider_id, reseller_id=reseller.id)
    return reseller

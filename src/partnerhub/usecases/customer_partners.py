"""A customer's view of its partners: who resells to it, with delegated admin or not, and what each partner may do
in its tenant through GDAP. It spans the reseller relationships, the partners and delegated admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.delegated_admin.gdap import list_admin_relationships
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.read_models import is_sent_to_customer
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.tenants.models import Partner, Tenant
from partnerhub.tenants.service import tenant_name_unscoped


@dataclass(frozen=True)
class PartnerOfCustomer:
    partner_id: str
    name: str
    partner_type: str
    relationship: ResellerRelationship


def list_partners_of_customer(session: Session, actor: Actor) -> list[PartnerOfCustomer]:
    """A customer's Global admin sees each partner with an active relationship and what it may do."""
    customer_id = actor.require_customer_admin("partner relationships")
    stmt = (
        select(ResellerRelationship, Tenant, Partner)
        .join(Tenant, Tenant.id == ResellerRelationship.partner_id)
        .join(Partner, Partner.id == ResellerRelationship.partner_id)
        .where(ResellerRelationship.customer_id == customer_id, ResellerRelationship.status == "active")
        .order_by(Tenant.name)
    )
    return [PartnerOfCustomer(p.id, t.name, p.partner_type, r) for r, t, p in session.execute(stmt)]


@dataclass(frozen=True)
class PartnerAccess:
    """What one partner may do in the customer's tenant: its reseller relationship (with DAP), if active, and
    the GDAP relationships it has sent to the customer, oldest first."""

    partner_id: str
    name: str
    reseller: ResellerRelationship | None
    admin_relationships: list[AdminRelationship]


def partner_access_of_customer(session: Session, actor: Actor) -> list[PartnerAccess]:
    """A customer's Global admin sees every partner with an active reseller relationship or a GDAP relationship
    sent to the customer (a former partner's ended relationships stay visible as history), by partner name."""
    partners = {
        p.partner_id: PartnerAccess(p.partner_id, p.name, p.relationship, [])
        for p in list_partners_of_customer(session, actor)
    }
    for rel in list_admin_relationships(session, actor):
        if not is_sent_to_customer(rel):
            continue
        if rel.partner_id not in partners:
            partners[rel.partner_id] = PartnerAccess(
                rel.partner_id, tenant_name_unscoped(session, rel.partner_id), None, []
            )
        partners[rel.partner_id].admin_relationships.append(rel)
    return sorted(partners.values(), key=lambda p: (p.name.lower(), p.partner_id))

"""Starting relationship episodes that follow from another one: an indirect reseller related to a customer
through its provider."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.customers.models import Customer
from partnerhub.ids import new_id
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.relationships.queries import find_active_relationship


def relate_indirect_reseller(
    session: Session,
    actor: Actor,
    *,
    reseller_id: str,
    provider_id: str,
    customer: Customer,
    origin: str,
    now: datetime,
) -> ResellerRelationship:
    """The indirect reseller's own active relationship with a customer its provider serves for it (never
    with DAP), with its activity record; an already active one is returned unchanged."""
    existing = find_active_relationship(session, partner_id=reseller_id, customer_id=customer.id, lock=True)
    if existing is not None:
        return existing
    rel = ResellerRelationship(
        id=new_id(),
        partner_id=reseller_id,
        customer_id=customer.id,
        status=RelationshipStatus.ACTIVE,
        has_delegated_admin=False,
        origin=origin,
        activated_at=now,
        version=1,
        customer_name_key=customer.company_name_key,
        customer_domain=customer.domain,
    )
    session.add(rel)
    record(
        session,
        actor,
        operation=Operation.ADD_PARTNER_CUSTOMER_RELATIONSHIP,
        resource_type=ResourceType.RELATIONSHIP,
        resource_id=rel.id,
        partner_id=reseller_id,
        customer_id=customer.id,
        customer_name=customer.company_name,
        new={"relationshipToPartner": "reseller", "allowDelegatedAccess": False, "indirectProviderId": provider_id},
        now=now,
    )
    return rel

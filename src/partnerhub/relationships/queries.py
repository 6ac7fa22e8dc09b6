"""Scoped reads of reseller relationships, including the row lock every commerce operation takes."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from partnerhub.errors import CustomerNotFound, NoCommerceRelationship
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship

# Built once (so is its cache key): every commerce call and every scoped read asks this.
_ACTIVE_RELATIONSHIP = select(ResellerRelationship).where(
    ResellerRelationship.partner_id == bindparam("partner_id"),
    ResellerRelationship.customer_id == bindparam("customer_id"),
    ResellerRelationship.status == RelationshipStatus.ACTIVE,
)
_ACTIVE_RELATIONSHIP_LOCKED = _ACTIVE_RELATIONSHIP.with_for_update()


def find_active_relationship(
    session: Session, *, partner_id: str, customer_id: str, lock: bool = False
) -> ResellerRelationship | None:
    """The active relationship episode, locked FOR UPDATE when `lock` (orders, reactivation, removal)."""
    stmt = _ACTIVE_RELATIONSHIP_LOCKED if lock else _ACTIVE_RELATIONSHIP
    return session.scalars(stmt, {"partner_id": partner_id, "customer_id": customer_id}).first()


def had_relationship(session: Session, *, partner_id: str, customer_id: str) -> bool:
    """Whether the partner ever had a relationship with the customer (any episode, any status)."""
    stmt = select(ResellerRelationship.id).where(
        ResellerRelationship.partner_id == partner_id, ResellerRelationship.customer_id == customer_id
    )
    return session.scalars(stmt.limit(1)).first() is not None


def require_active_relationship(
    session: Session, *, partner_id: str, customer_id: str, lock: bool = False, commerce: bool = False
) -> ResellerRelationship:
    """The active relationship, or the error the contract prescribes: a former partner gets 20002 on
    commerce (orders), 404 elsewhere; a partner that never had the customer always gets 404."""
    rel = find_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=lock)
    if rel is not None:
        return rel
    if commerce and had_relationship(session, partner_id=partner_id, customer_id=customer_id):
        raise NoCommerceRelationship(customer_id=customer_id)
    raise CustomerNotFound(id=customer_id)


def relationship_history(session: Session, *, partner_id: str, customer_id: str) -> list[ResellerRelationship]:
    stmt = (
        select(ResellerRelationship)
        .where(ResellerRelationship.partner_id == partner_id, ResellerRelationship.customer_id == customer_id)
        .order_by(ResellerRelationship.activated_at)
    )
    return list(session.scalars(stmt))

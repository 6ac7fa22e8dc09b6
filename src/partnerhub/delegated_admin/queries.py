"""Scoped reads of admin relationships, security groups and access assignments (a foreign one is "not found")."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.customers.models import Customer
from partnerhub.delegated_admin.models import AccessAssignment, AdminRelationship, SecurityGroup
from partnerhub.errors import AccessAssignmentNotFound, AdminRelationshipNotFound, SecurityGroupNotFound
from partnerhub.ids import normalize_id

GDAP_MANAGERS = (Role.ADMIN_AGENT,)  # with Global admin, who may do everything


def require_gdap_manager(actor: Actor, operation: str) -> str:
    """The partner id of a partner Global admin or Admin agent."""
    return actor.require_partner(operation, *GDAP_MANAGERS)


def get_admin_relationship_scoped(
    session: Session,
    actor: Actor,
    *,
    admin_relationship_id: str,
    operation: str,
    lock: bool = False,
    partner_only: bool = False,
    customer_only: bool = False,
) -> AdminRelationship:
    """An admin relationship the actor may see: the partner's own (Global admin, Admin agent), or one in the
    tenant of a customer Global admin. Anything else is "not found"; `lock` takes the row lock."""
    stmt = select(AdminRelationship).where(AdminRelationship.id == normalize_id(admin_relationship_id))
    if actor.is_customer_user and not partner_only:
        stmt = stmt.where(AdminRelationship.customer_id == actor.require_customer_admin(operation))
    elif actor.is_partner_user and not customer_only:
        stmt = stmt.where(AdminRelationship.partner_id == require_gdap_manager(actor, operation))
    else:
        raise AdminRelationshipNotFound(id=admin_relationship_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    rel = session.scalars(stmt).first()
    if rel is None:
        raise AdminRelationshipNotFound(id=admin_relationship_id)
    return rel


def get_security_group_scoped(
    session: Session, *, partner_id: str, security_group_id: str, lock: bool = False
) -> SecurityGroup:
    """One of the partner's security groups, else "not found"."""
    stmt = select(SecurityGroup).where(
        SecurityGroup.id == normalize_id(security_group_id), SecurityGroup.partner_id == partner_id
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    group = session.scalars(stmt).first()
    if group is None:
        raise SecurityGroupNotFound(id=security_group_id)
    return group


def get_access_assignment_scoped(
    session: Session, *, partner_id: str, access_assignment_id: str, lock: bool = False
) -> tuple[AccessAssignment, AdminRelationship]:
    """One of the partner's live access assignments (deleted ones are "not found") and its relationship."""
    stmt = (
        select(AccessAssignment, AdminRelationship)
        .join(AdminRelationship, AdminRelationship.id == AccessAssignment.admin_relationship_id)
        .where(
            AccessAssignment.id == normalize_id(access_assignment_id),
            AccessAssignment.status == "active",
            AdminRelationship.partner_id == partner_id,
        )
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = session.execute(stmt).first()
    if row is None:
        raise AccessAssignmentNotFound(id=access_assignment_id)
    return row[0], row[1]


def customer_name_unscoped(session: Session, customer_id: str) -> str:
    customer = session.get(Customer, customer_id)
    return customer.company_name if customer else ""

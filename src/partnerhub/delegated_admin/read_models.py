"""Read models of the delegated admin pages: a partner's GDAP relationships with one customer, one relationship
with its access assignments, and a customer Global admin's view of what each partner may do in its tenant."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.customers.models import Customer
from partnerhub.customers.queries import find_visible_customer
from partnerhub.delegated_admin.access import (
    AccessAssignmentView,
    SecurityGroupWithMembers,
    list_access_assignments,
    list_security_groups,
)
from partnerhub.delegated_admin.gdap import get_admin_relationship, list_admin_relationships
from partnerhub.delegated_admin.models import AdminRelationship, AdminRelationshipStatus
from partnerhub.delegated_admin.queries import get_security_group_scoped, require_gdap_manager
from partnerhub.errors import AdminRelationshipNotFound, CustomerNotFound
from partnerhub.ids import normalize_id
from partnerhub.tenants.service import tenant_name_unscoped


def _resold_customer(session: Session, partner_id: str, customer_id: str) -> Customer:
    """A customer the partner resells to now; any other is "not found"."""
    found = find_visible_customer(session, partner_id=partner_id, customer_id=normalize_id(customer_id))
    if found is None:
        raise CustomerNotFound(id=customer_id)
    return found[0]


@dataclass(frozen=True)
class CustomerAdminRelationships:
    """A partner's GDAP relationships with one of its customers, oldest first."""

    customer: Customer
    relationships: list[AdminRelationship]


def customer_admin_relationships(session: Session, actor: Actor, *, customer_id: str) -> CustomerAdminRelationships:
    """The partner's side of GDAP for one customer. Only a partner Global admin or Admin agent may see it (a
    customer's user or another partner role is refused), and only for a customer it resells to (else "not
    found")."""
    customer = _resold_customer(session, require_gdap_manager(actor, "list admin relationships"), customer_id)
    return CustomerAdminRelationships(customer, list_admin_relationships(session, actor, customer_id=customer.id))


@dataclass(frozen=True)
class AdminRelationshipDetail:
    """One of the partner's admin relationships, its live access assignments and the partner's groups."""

    customer: Customer
    relationship: AdminRelationship
    assignments: list[AccessAssignmentView]
    groups: list[SecurityGroupWithMembers]


def admin_relationship_detail(
    session: Session, actor: Actor, *, customer_id: str, admin_relationship_id: str
) -> AdminRelationshipDetail:
    """One admin relationship as its partner sees it. The relationship must be the partner's own and with the
    customer named in the address: any other is "not found", like another tenant's."""
    customer = _resold_customer(session, require_gdap_manager(actor, "get admin relationship"), customer_id)
    rel = get_admin_relationship(session, actor, admin_relationship_id=admin_relationship_id)
    if rel.customer_id != customer.id:
        raise AdminRelationshipNotFound(id=admin_relationship_id)
    return AdminRelationshipDetail(
        customer,
        rel,
        list_access_assignments(session, actor, admin_relationship_id=rel.id),
        list_security_groups(session, actor),
    )


def is_sent_to_customer(rel: AdminRelationship) -> bool:
    """A draft the partner has not locked for approval yet is the partner's business, not the customer's."""
    return rel.status != AdminRelationshipStatus.CREATED


@dataclass(frozen=True)
class AdminRelationshipRequest:
    """A GDAP relationship as the customer's Global admin reviews it, with the name of the partner asking."""

    relationship: AdminRelationship
    partner_name: str


def admin_relationship_for_customer(
    session: Session, actor: Actor, *, admin_relationship_id: str
) -> AdminRelationshipRequest:
    """One GDAP relationship in the customer's tenant, for its Global admin (a partner user is refused). A
    draft the partner has not sent yet, or another tenant's relationship, is "not found"."""
    actor.require_customer_admin("get admin relationship")
    rel = get_admin_relationship(session, actor, admin_relationship_id=admin_relationship_id)
    if not is_sent_to_customer(rel):
        raise AdminRelationshipNotFound(id=admin_relationship_id)
    return AdminRelationshipRequest(rel, tenant_name_unscoped(session, rel.partner_id))


def security_group_detail(session: Session, actor: Actor, *, security_group_id: str) -> SecurityGroupWithMembers:
    """One of the partner's security groups with its members (Global admin, Admin agent); another partner's
    group is "not found"."""
    group = get_security_group_scoped(
        session, partner_id=require_gdap_manager(actor, "get security group"), security_group_id=security_group_id
    )
    return next(g for g in list_security_groups(session, actor) if g.group.id == group.id)

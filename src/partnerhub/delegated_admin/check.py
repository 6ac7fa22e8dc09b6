"""The delegated admin check: which Microsoft Entra roles a user holds in a customer tenant, from DAP and
GDAP (GDAP alone when both cover the user), and the guard every action inside a customer tenant uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role, User
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.models import (
    AccessAssignment,
    AdminRelationship,
    AdminRelationshipStatus,
    SecurityGroupMember,
)
from partnerhub.delegated_admin.roles import ALL_ROLE_IDS, GLOBAL_ADMINISTRATOR, HELPDESK_ADMINISTRATOR, resolve_role
from partnerhub.errors import CustomerNotFound, DelegatedRoleRequired, InvalidInput
from partnerhub.ids import normalize_id
from partnerhub.relationships.queries import find_active_relationship
from partnerhub.tenants.models import Tenant


@dataclass(frozen=True)
class _Principal:
    user_id: str | None
    tenant_id: str | None
    tenant_kind: str | None
    roles: frozenset[str]


def _principal(session: Session, actor: Actor | None, user_id: str | None) -> _Principal:
    if actor is not None:
        return _Principal(actor.user_id, actor.tenant_id, actor.tenant_kind, actor.roles)
    if user_id is None:
        raise InvalidInput(detail="delegated_roles needs a user or an actor")
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return _Principal(None, None, None, frozenset())
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id else None
    return _Principal(user.id, user.tenant_id, tenant.kind if tenant else None, frozenset(user.roles))


def gdap_roles(session: Session, *, user_id: str, partner_id: str, customer_id: str, now: datetime) -> frozenset[str]:
    """Roles from every live access assignment whose security group has the user as a member, in an admin
    relationship of the partner with the customer that is active and within its time."""
    stmt = (
        select(AccessAssignment.role_ids, AdminRelationship)
        .join(AdminRelationship, AdminRelationship.id == AccessAssignment.admin_relationship_id)
        .join(SecurityGroupMember, SecurityGroupMember.group_id == AccessAssignment.security_group_id)
        .where(
            SecurityGroupMember.user_id == user_id,
            AccessAssignment.status == "active",
            AdminRelationship.partner_id == partner_id,
            AdminRelationship.customer_id == customer_id,
            AdminRelationship.status == AdminRelationshipStatus.ACTIVE,
        )
    )
    roles: set[str] = set()
    for role_ids, rel in session.execute(stmt):
        if rel.grants_access_at(now):
            roles.update(r for r in role_ids if r in rel.role_ids)
    return frozenset(roles)


def dap_roles(session: Session, *, partner_roles: frozenset[str], partner_id: str, customer_id: str) -> frozenset[str]:
    """DAP: with an active reseller relationship that has delegated admin privileges, the partner's Global
    admins and Admin agents are Global Administrators of the customer, its Helpdesk agents Helpdesk
    Administrators."""
    rel = find_active_relationship(session, partner_id=partner_id, customer_id=customer_id)
    if rel is None or not rel.has_delegated_admin:
        return frozenset()
    roles: set[str] = set()
    if Role.GLOBAL_ADMIN in partner_roles or Role.ADMIN_AGENT in partner_roles:
        roles.add(GLOBAL_ADMINISTRATOR)
    if Role.HELPDESK_AGENT in partner_roles:
        roles.add(HELPDESK_ADMINISTRATOR)
    return frozenset(roles)


def delegated_roles(
    session: Session,
    *,
    customer_id: str,
    actor: Actor | None = None,
    user_id: str | None = None,
    now: datetime | None = None,
) -> frozenset[str]:
    """The role template ids a user (given as an actor or a user id) holds in a customer tenant.

    A Global admin of the customer tenant itself holds every role there. A partner user holds the roles
    GDAP gives it (see `gdap_roles`); if GDAP gives it none, the roles DAP gives it (see `dap_roles`): when
    both cover the user, the GDAP roles alone apply (Partner Center's precedence). Anyone else holds none.
    """
    who = _principal(session, actor, user_id)
    customer_id = normalize_id(customer_id)
    if who.tenant_kind == "customer":
        if who.tenant_id == customer_id and Role.GLOBAL_ADMIN in who.roles:
            return ALL_ROLE_IDS
        return frozenset()
    if who.tenant_kind != "partner" or who.tenant_id is None or who.user_id is None:
        return frozenset()
    granular = gdap_roles(
        session, user_id=who.user_id, partner_id=who.tenant_id, customer_id=customer_id, now=now or utc_now()
    )
    if granular:
        return granular
    return dap_roles(session, partner_roles=who.roles, partner_id=who.tenant_id, customer_id=customer_id)


def may_act(session: Session, actor: Actor, *, customer_id: str, role_id: str) -> bool:
    """Whether the actor may act with a role (template id or name) in the customer tenant."""
    return resolve_role(role_id) in delegated_roles(session, actor=actor, customer_id=customer_id)


def partner_knows_customer(session: Session, *, partner_id: str, customer_id: str, now: datetime) -> bool:
    """Whether the partner has any live relationship with the customer: reseller, or active GDAP."""
    if find_active_relationship(session, partner_id=partner_id, customer_id=customer_id) is not None:
        return True
    stmt = select(AdminRelationship).where(
        AdminRelationship.partner_id == partner_id,
        AdminRelationship.customer_id == customer_id,
        AdminRelationship.status == AdminRelationshipStatus.ACTIVE,
    )
    return any(rel.grants_access_at(now) for rel in session.scalars(stmt))


def require_delegated_role(
    session: Session, actor: Actor, *, customer_id: str, any_of: tuple[str, ...], operation: str
) -> frozenset[str]:
    """Guard an action inside a customer tenant: the actor must hold one of `any_of` there; returns the
    roles it holds. A partner with no live relationship with the customer (or a user of another customer)
    learns nothing: the customer is not found. Otherwise a missing role is DelegatedRoleRequired."""
    customer_id = normalize_id(customer_id)
    now = utc_now()
    if actor.is_partner_user and actor.tenant_id is not None:
        if not partner_knows_customer(session, partner_id=actor.tenant_id, customer_id=customer_id, now=now):
            raise CustomerNotFound(id=customer_id)
    elif actor.is_customer_user:
        if actor.tenant_id != customer_id:
            raise CustomerNotFound(id=customer_id)
    else:
        raise DelegatedRoleRequired(customer_id=customer_id, operation=operation)
    held = delegated_roles(session, actor=actor, customer_id=customer_id, now=now)
    if not held & {resolve_role(r) for r in any_of}:
        raise DelegatedRoleRequired(customer_id=customer_id, operation=operation)
    return held

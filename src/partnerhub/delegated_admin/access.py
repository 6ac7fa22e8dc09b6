"""Partner security groups and their members, and GDAP access assignments of a group to a subset of an
admin relationship's roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.clock import utc_now
from partnerhub.customers.schemas import etag_matches, make_etag
from partnerhub.delegated_admin.history import OperationType, keep_operation
from partnerhub.delegated_admin.models import (
    ASSIGNABLE_STATUSES,
    AccessAssignment,
    AdminRelationship,
    SecurityGroup,
    SecurityGroupMember,
)
from partnerhub.delegated_admin.queries import (
    customer_name_unscoped,
    get_access_assignment_scoped,
    get_admin_relationship_scoped,
    get_security_group_scoped,
    require_gdap_manager,
)
from partnerhub.delegated_admin.role_catalog import refresh_role_catalog
from partnerhub.delegated_admin.roles import resolve_roles
from partnerhub.errors import (
    AccessAssignmentExists,
    AccessAssignmentRolesNotInRelationship,
    AdminRelationshipInvalidState,
    AdminRelationshipRolesRequired,
    SecurityGroupNameInvalid,
    SecurityGroupNameTaken,
    StaleEtag,
    UserNotFound,
)
from partnerhub.ids import new_id

# --- security groups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecurityGroupWithMembers:
    group: SecurityGroup
    members: list[User]


def create_security_group(session: Session, actor: Actor, *, display_name: str) -> SecurityGroup:
    """A partner Global admin or Admin agent creates a security group in its own tenant: a name of 1–100
    characters, unique among the partner's groups."""
    partner_id = require_gdap_manager(actor, "create security group")
    name = display_name.strip()
    if not 1 <= len(name) <= 100:
        raise SecurityGroupNameInvalid()
    taken = select(SecurityGroup.id).where(
        SecurityGroup.partner_id == partner_id, func.lower(SecurityGroup.display_name) == name.lower()
    )
    if session.scalars(taken.limit(1)).first() is not None:
        raise SecurityGroupNameTaken(name=name)
    now = utc_now()
    group = SecurityGroup(id=new_id(), partner_id=partner_id, display_name=name, created_at=now)
    try:
        with session.begin_nested():
            session.add(group)
            session.flush()
    except IntegrityError:
        raise SecurityGroupNameTaken(name=name) from None
    record(
        session,
        actor,
        operation=Operation.CREATE_SECURITY_GROUP,
        resource_type=ResourceType.SECURITY_GROUP,
        resource_id=group.id,
        partner_id=partner_id,
        new={"displayName": name},
        now=now,
    )
    return group


def _partner_user(session: Session, *, partner_id: str, user: str) -> User:
    """A user of the partner's own tenant, by e-mail or id; a user of any other tenant is not found."""
    key = user.strip().lower()
    found = session.scalars(select(User).where((User.email == key) | (User.id == key))).first()
    if found is None or found.tenant_id != partner_id:
        raise UserNotFound(id=user)
    return found


def _members(session: Session, group_id: str) -> list[User]:
    stmt = (
        select(User)
        .join(SecurityGroupMember, SecurityGroupMember.user_id == User.id)
        .where(SecurityGroupMember.group_id == group_id)
        .order_by(User.email)
    )
    return list(session.scalars(stmt))


def _require_current(group: SecurityGroup, etag: str | None) -> None:
    if etag is not None and not etag_matches(etag, make_etag(group.id, group.version)):
        raise StaleEtag(resource="SecurityGroup", id=group.id)


def add_group_member(
    session: Session, actor: Actor, *, security_group_id: str, user: str, etag: str | None = None
) -> SecurityGroup:
    """Add a user (e-mail or id) of the partner's own tenant to one of its security groups; adding a
    member again changes nothing. Members get the roles of the group's access assignments.
    With an etag (the group as read), a group changed since is refused (2055); a change moves its version."""
    partner_id = require_gdap_manager(actor, "add security group member")
    group = get_security_group_scoped(session, partner_id=partner_id, security_group_id=security_group_id, lock=True)
    _require_current(group, etag)
    member = _partner_user(session, partner_id=partner_id, user=user)
    if session.get(SecurityGroupMember, (group.id, member.id)) is None:
        session.add(SecurityGroupMember(group_id=group.id, user_id=member.id))
        group.version += 1
        record(
            session,
            actor,
            operation=Operation.ADD_SECURITY_GROUP_MEMBER,
            resource_type=ResourceType.SECURITY_GROUP,
            resource_id=group.id,
            partner_id=partner_id,
            new={"userId": member.id, "userPrincipalName": member.email},
        )
        session.flush()
    return group


def remove_group_member(
    session: Session, actor: Actor, *, security_group_id: str, user: str, etag: str | None = None
) -> SecurityGroup:
    """Remove a user from one of the partner's security groups: it loses the group's roles at once.
    Removing a non-member changes nothing.
    With an etag (the group as read), a group changed since is refused (2055); a change moves its version."""
    partner_id = require_gdap_manager(actor, "remove security group member")
    group = get_security_group_scoped(session, partner_id=partner_id, security_group_id=security_group_id, lock=True)
    _require_current(group, etag)
    member = _partner_user(session, partner_id=partner_id, user=user)
    row = session.get(SecurityGroupMember, (group.id, member.id))
    if row is not None:
        session.delete(row)
        group.version += 1
        record(
            session,
            actor,
            operation=Operation.REMOVE_SECURITY_GROUP_MEMBER,
            resource_type=ResourceType.SECURITY_GROUP,
            resource_id=group.id,
            partner_id=partner_id,
            old={"userId": member.id, "userPrincipalName": member.email},
        )
        session.flush()
    return group


def list_security_groups(session: Session, actor: Actor) -> list[SecurityGroupWithMembers]:
    """The partner's security groups with their members (Global admin, Admin agent), by name."""
    partner_id = require_gdap_manager(actor, "list security groups")
    groups = session.scalars(
        select(SecurityGroup)
        .where(SecurityGroup.partner_id == partner_id)
        .order_by(SecurityGroup.display_name, SecurityGroup.id)
    )
    return [SecurityGroupWithMembers(g, _members(session, g.id)) for g in groups]


# --- access assignments -------------------------------------------------------------------------------


def _assignment_roles(session: Session, rel: AdminRelationship, role_ids: list[str]) -> list[str]:
    refresh_role_catalog(session)
    roles = resolve_roles(role_ids)
    if not roles:
        raise AdminRelationshipRolesRequired()
    outside = [r for r in roles if r not in rel.role_ids]
    if outside:
        raise AccessAssignmentRolesNotInRelationship(roles=", ".join(outside), id=rel.id)
    return roles


def _require_assignable(rel: AdminRelationship) -> None:
    if rel.status not in ASSIGNABLE_STATUSES:
        raise AdminRelationshipInvalidState(id=rel.id, status=rel.status)


_CHANGES = {
    Operation.CREATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: "create",
    Operation.UPDATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: "update",
    Operation.DELETE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: "delete",
}


def _record_assignment(
    session: Session,
    actor: Actor,
    a: AccessAssignment,
    rel: AdminRelationship,
    operation: Operation,
    *,
    old: dict[str, object] | None,
    new: dict[str, object] | None,
) -> None:
    """The activity record of an assignment's change, and the relationship's operation (Graph's
    delegatedAdminAccessAssignmentUpdate) carrying the assignment as it now is."""
    record(
        session,
        actor,
        operation=operation,
        resource_type=ResourceType.GRANULAR_ADMIN_ACCESS_ASSIGNMENT,
        resource_id=a.id,
        partner_id=rel.partner_id,
        customer_id=rel.customer_id,
        customer_name=customer_name_unscoped(session, rel.customer_id),
        old=old,
        new=new,
        now=a.last_modified_at,
    )
    keep_operation(
        session,
        rel,
        OperationType.ACCESS_ASSIGNMENT_UPDATE,
        {
            "accessAssignmentId": a.id,
            "change": _CHANGES[operation],
            "status": a.status,
            "accessContainer": {"accessContainerId": a.security_group_id, "accessContainerType": "securityGroup"},
            "unifiedRoles": [{"roleDefinitionId": r} for r in a.role_ids],
        },
        now=a.last_modified_at,
    )


def create_access_assignment(
    session: Session, actor: Actor, *, admin_relationship_id: str, security_group_id: str, role_ids: list[str]
) -> AccessAssignment:
    """Give one of the partner's security groups a subset of an admin relationship's roles (Global admin,
    Admin agent). The relationship must be created, approvalPending or active (it is locked); the roles must
    be non-empty and all among the relationship's; a group has at most one live assignment per
    relationship. Without any assignment, nobody gets access through the relationship."""
    partner_id = require_gdap_manager(actor, "create access assignment")
    rel = get_admin_relationship_scoped(
        session,
        actor,
        admin_relationship_id=admin_relationship_id,
        operation="create access assignment",
        lock=True,
        partner_only=True,
    )
    _require_assignable(rel)
    group = get_security_group_scoped(session, partner_id=partner_id, security_group_id=security_group_id)
    roles = _assignment_roles(session, rel, role_ids)
    existing = select(AccessAssignment.id).where(
        AccessAssignment.admin_relationship_id == rel.id,
        AccessAssignment.security_group_id == group.id,
        AccessAssignment.status == "active",
    )
    if session.scalars(existing.limit(1)).first() is not None:
        raise AccessAssignmentExists(group=group.display_name, id=rel.id)
    now = utc_now()
    a = AccessAssignment(
        id=new_id(),
        admin_relationship_id=rel.id,
        security_group_id=group.id,
        role_ids=roles,
        status="active",
        created_at=now,
        last_modified_at=now,
    )
    session.add(a)
    _record_assignment(
        session,
        actor,
        a,
        rel,
        Operation.CREATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT,
        old=None,
        new={"adminRelationshipId": rel.id, "securityGroupId": group.id, "roles": roles},
    )
    session.flush()
    return a


def update_access_assignment(
    session: Session, actor: Actor, *, access_assignment_id: str, role_ids: list[str]
) -> AccessAssignment:
    """Change the roles of an access assignment (same rules as creating one); the same roles are no change."""
    partner_id = require_gdap_manager(actor, "update access assignment")
    a, rel = get_access_assignment_scoped(
        session, partner_id=partner_id, access_assignment_id=access_assignment_id, lock=True
    )
    _require_assignable(rel)
    roles = _assignment_roles(session, rel, role_ids)
    if sorted(roles) != sorted(a.role_ids):
        old = list(a.role_ids)
        a.role_ids = roles
        a.last_modified_at = utc_now()
        _record_assignment(
            session,
            actor,
            a,
            rel,
            Operation.UPDATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT,
            old={"roles": old},
            new={"roles": roles},
        )
        session.flush()
    return a


def delete_access_assignment(session: Session, actor: Actor, *, access_assignment_id: str) -> AccessAssignment:
    """Delete an access assignment: the group's members lose its roles at once (the row stays as history)."""
    partner_id = require_gdap_manager(actor, "delete access assignment")
    a, rel = get_access_assignment_scoped(
        session, partner_id=partner_id, access_assignment_id=access_assignment_id, lock=True
    )
    a.status = "deleted"
    a.last_modified_at = utc_now()
    _record_assignment(
        session,
        actor,
        a,
        rel,
        Operation.DELETE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT,
        old={"status": "active", "roles": list(a.role_ids)},
        new={"status": "deleted"},
    )
    session.flush()
    return a


def create_planned_assignments(session: Session, rel: AdminRelationship, *, now: datetime) -> list[AccessAssignment]:
    """On approval: the access assignments planned when the relationship was requested from a template, each
    with its activity record (by the platform, on the partner's behalf) and its operation, in the approval's
    transaction. A planned group the partner no longer has, or roles outside the relationship, are skipped."""
    system = Actor.system(application="gdap-template")
    created: list[AccessAssignment] = []
    for plan in rel.planned_assignments or []:
        group = session.get(SecurityGroup, plan["securityGroupId"])
        roles = [r for r in plan["roleIds"] if r in rel.role_ids]
        if group is None or group.partner_id != rel.partner_id or not roles:
            continue
        a = AccessAssignment(
            id=new_id(),
            admin_relationship_id=rel.id,
            security_group_id=group.id,
            role_ids=roles,
            status="active",
            created_at=now,
            last_modified_at=now,
        )
        session.add(a)
        _record_assignment(
            session,
            system,
            a,
            rel,
            Operation.CREATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT,
            old=None,
            new={
                "adminRelationshipId": rel.id,
                "securityGroupId": group.id,
                "roles": roles,
                "templateId": rel.template_id,
            },
        )
        created.append(a)
    session.flush()
    return created


@dataclass(frozen=True)
class AccessAssignmentView:
    assignment: AccessAssignment
    group_name: str


def list_access_assignments(
    session: Session, actor: Actor, *, admin_relationship_id: str
) -> list[AccessAssignmentView]:
    """The live access assignments of an admin relationship, for the partner (Global admin, Admin agent) or
    the customer's Global admin, oldest first."""
    rel = get_admin_relationship_scoped(
        session, actor, admin_relationship_id=admin_relationship_id, operation="list access assignments"
    )
    stmt = (
        select(AccessAssignment, SecurityGroup.display_name)
        .join(SecurityGroup, SecurityGroup.id == AccessAssignment.security_group_id)
        .where(AccessAssignment.admin_relationship_id == rel.id, AccessAssignment.status == "active")
        .order_by(AccessAssignment.created_at, AccessAssignment.id)
    )
    return [AccessAssignmentView(a, name) for a, name in session.execute(stmt)]

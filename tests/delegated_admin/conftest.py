"""Helpers of the delegated admin tests: activity records, and a GDAP relationship walked to active."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.delegated_admin.models import AccessAssignment, AdminRelationship, SecurityGroup
from partnerhub.delegated_admin.service import (
    add_group_member,
    approve_admin_relationship,
    create_access_assignment,
    create_admin_relationship,
    create_security_group,
    lock_for_approval,
)
from tests.activity import activity


def records(session: Session, operation: str, resource_id: str | None = None) -> list[ActivityRecord]:
    """The activity records of one operation (on one resource), oldest first."""
    return activity(session, operation=operation, resource_id=resource_id)


@dataclass
class Gdap:
    relationship: AdminRelationship
    group: SecurityGroup
    assignment: AccessAssignment


_names = iter(range(1, 10_000))


def active_gdap(
    session: Session,
    partner: Actor,
    customer_admin: Actor,
    *,
    customer_id: str,
    roles: list[str],
    assigned: list[str] | None = None,
    members: list[Actor] | None = None,
    auto_extend_days: int = 0,
    duration_days: int = 730,
) -> Gdap:
    """An approved GDAP relationship with `roles`, and one security group with `members` assigned
    `assigned` (default: every role)."""
    n = next(_names)
    rel = create_admin_relationship(
        session,
        partner,
        customer_id=customer_id,
        display_name=f"GDAP {n}",
        role_ids=roles,
        duration_days=duration_days,
        auto_extend_days=auto_extend_days,
    )
    group = create_security_group(session, partner, display_name=f"Group {n}")
    for member in members or []:
        assert member.email
        add_group_member(session, partner, security_group_id=group.id, user=member.email)
    assignment = create_access_assignment(
        session, partner, admin_relationship_id=rel.id, security_group_id=group.id, role_ids=assigned or roles
    )
    lock_for_approval(session, partner, admin_relationship_id=rel.id)
    approve_admin_relationship(session, customer_admin, admin_relationship_id=rel.id)
    return Gdap(rel, group, assignment)

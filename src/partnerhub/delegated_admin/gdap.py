"""GDAP admin relationships: create, lock for approval, approve, reject, terminate, list. The clock that
extends or expires them, and their ending with the reseller relationship, are in `lifetime.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.sign_in import require_own_sign_in
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.access import create_planned_assignments
from partnerhub.delegated_admin.expiry import status_condition
from partnerhub.delegated_admin.history import (
    OperationType,
    RequestAction,
    forget_history,
    keep_operation,
    keep_request,
    latest_request,
)
from partnerhub.delegated_admin.models import (
    AccessAssignment,
    AdminRelationship,
    AdminRelationshipActionRequest,
    AdminRelationshipStatus,
)
from partnerhub.delegated_admin.queries import (
    customer_name_unscoped,
    get_admin_relationship_scoped,
    require_gdap_manager,
)
from partnerhub.delegated_admin.role_catalog import refresh_role_catalog
from partnerhub.delegated_admin.roles import GLOBAL_ADMINISTRATOR, require_requestable, resolve_roles
from partnerhub.delegated_admin.schemas import iso_days
from partnerhub.errors import (
    AdminRelationshipDurationInvalid,
    AdminRelationshipInvalidState,
    AdminRelationshipNameInvalid,
    AdminRelationshipNameTaken,
    AdminRelationshipRolesRequired,
    AdminRelationshipWithoutReseller,
    AutoExtendDurationInvalid,
    AutoExtendWithGlobalAdministrator,
    Forbidden,
    StaleEtag,
)
from partnerhub.ids import new_id, normalize_id
from partnerhub.relationships.queries import find_active_relationship, require_active_relationship

MAX_DURATION_DAYS = 730
AUTO_EXTEND_DAYS = (0, 180)


def record_relationship_change(
    session: Session,
    actor: Actor,
    rel: AdminRelationship,
    operation: Operation,
    *,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    now: datetime,
) -> None:
    record(
        session,
        actor,
        operation=operation,
        resource_type=ResourceType.GRANULAR_ADMIN_RELATIONSHIP,
        resource_id=rel.id,
        partner_id=rel.partner_id,
        customer_id=rel.customer_id,
        customer_name=customer_name_unscoped(session, rel.customer_id),
        old=old,
        new=new,
        now=now,
    )


def validate_admin_relationship(
    *, display_name: str, duration_days: int, role_ids: list[str], auto_extend_days: int
) -> tuple[str, list[str]]:
    """The rules of a new admin relationship; returns the trimmed name and the role template ids."""
    name = display_name.strip()
    if not 1 <= len(name) <= 50:
        raise AdminRelationshipNameInvalid()
    return name, validate_terms(duration_days=duration_days, role_ids=role_ids, auto_extend_days=auto_extend_days)


def validate_terms(*, duration_days: int, role_ids: list[str], auto_extend_days: int) -> list[str]:
    """The terms of a relationship or template: 1 to 730 days, at least one role, auto-extend 0 or 180 days
    and none with Global Administrator. Returns the role template ids."""
    if not 1 <= duration_days <= MAX_DURATION_DAYS:
        raise AdminRelationshipDurationInvalid(days=duration_days)
    roles = resolve_roles(role_ids)
    if not roles:
        raise AdminRelationshipRolesRequired()
    if auto_extend_days not in AUTO_EXTEND_DAYS:
        raise AutoExtendDurationInvalid(days=auto_extend_days)
    if auto_extend_days and GLOBAL_ADMINISTRATOR in roles:
        raise AutoExtendWithGlobalAdministrator()
    return roles


def create_admin_relationship(
    session: Session,
    actor: Actor,
    *,
    customer_id: str,
    display_name: str,
    role_ids: list[str],
    duration_days: int = MAX_DURATION_DAYS,
    auto_extend_days: int = 0,
    template_id: str | None = None,
    planned_assignments: list[dict[str, Any]] | None = None,
    renewed_from_id: str | None = None,
) -> AdminRelationship:
    """A partner Global admin or Admin agent drafts a GDAP relationship with a customer it resells to.

    Rules: an active reseller relationship with the customer (locked, so a removal cannot slip in); a display
    name of 1–50 characters unique among the partner's relationships; a duration of 1 to 730 days; at least
    one built-in role (ids or names); auto-extend 0 or 180 days, and none when Global Administrator is asked
    for; no role the operator retired from the catalog. The relationship starts in `created`: nothing is
    granted until the customer approves it. A template's request (templates.py) also gives the template, the
    access assignments to create on approval, and the relationship it renews, if any.
    """
    partner_id = require_gdap_manager(actor, "create admin relationship")
    customer_id = normalize_id(customer_id)
    refresh_role_catalog(session)
    name, roles = validate_admin_relationship(
        display_name=display_name, duration_days=duration_days, role_ids=role_ids, auto_extend_days=auto_extend_days
    )
    require_requestable(roles)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=True)
    taken = select(AdminRelationship.id).where(
        AdminRelationship.partner_id == partner_id, func.lower(AdminRelationship.display_name) == name.lower()
    )
    if session.scalars(taken.limit(1)).first() is not None:
        raise AdminRelationshipNameTaken(name=name)
    now = utc_now()
    rel = AdminRelationship(
        id=new_id(),
        partner_id=partner_id,
        customer_id=customer_id,
        display_name=name,
        duration_days=duration_days,
        auto_extend_days=auto_extend_days,
        role_ids=roles,
        status=AdminRelationshipStatus.CREATED,
        created_at=now,
        last_modified_at=now,
        version=1,
        template_id=template_id,
        planned_assignments=planned_assignments or None,
        renewed_from_id=renewed_from_id,
    )
    try:
        with session.begin_nested():  # a concurrent create with the same name loses here, cleanly
            session.add(rel)
            session.flush()
    except IntegrityError:
        raise AdminRelationshipNameTaken(name=name) from None
    created: dict[str, Any] = {
        "displayName": name,
        "duration": iso_days(duration_days),
        "roles": roles,
        "autoExtendDuration": iso_days(auto_extend_days),
        "status": rel.status,
    }
    if template_id:
        created["templateId"] = template_id
    if renewed_from_id:
        created["renewedFrom"] = renewed_from_id
    record_relationship_change(
        session, actor, rel, Operation.CREATE_GRANULAR_ADMIN_RELATIONSHIP, old=None, now=now, new=created
    )
    return rel


def update_admin_relationship(
    session: Session,
    actor: Actor,
    *,
    admin_relationship_id: str,
    display_name: str | None = None,
    duration_days: int | None = None,
    role_ids: list[str] | None = None,
    auto_extend_days: int | None = None,
    version: int | None = None,
) -> AdminRelationship:
    """Change a relationship as Microsoft Graph allows: while `created`, its display name, duration, roles and
    auto-extend; once active, only its auto-extend. The rules of creation hold for the result; a stale
    `version` (from the client's etag) is refused; unchanged values are no change (no activity record)."""
    require_gdap_manager(actor, "update admin relationship")
    refresh_role_catalog(session)
    rel = get_admin_relationship_scoped(
        session,
        actor,
        admin_relationship_id=admin_relationship_id,
        operation="update admin relationship",
        lock=True,
        partner_only=True,
    )
    if version is not None and version != rel.version:
        raise StaleEtag(resource="delegatedAdminRelationship", id=rel.id)
    name = display_name.strip() if display_name is not None else rel.display_name
    duration = duration_days if duration_days is not None else rel.duration_days
    roles = resolve_roles(role_ids) if role_ids is not None else list(rel.role_ids)
    extend = auto_extend_days if auto_extend_days is not None else rel.auto_extend_days
    old = {
        "displayName": rel.display_name,
        "duration": iso_days(rel.duration_days),
        "roles": sorted(rel.role_ids),
        "autoExtendDuration": iso_days(rel.auto_extend_days),
    }
    new = {
        "displayName": name,
        "duration": iso_days(duration),
        "roles": sorted(roles),
        "autoExtendDuration": iso_days(extend),
    }
    changed = {k for k in new if new[k] != old[k]}
    if not changed:
        return rel
    editable = (
        set(new)
        if rel.status == AdminRelationshipStatus.CREATED
        else {"autoExtendDuration"}
        if rel.status == AdminRelationshipStatus.ACTIVE
        else set()
    )
    if changed - editable:
        raise AdminRelationshipInvalidState(id=rel.id, status=rel.status)
    name, roles = validate_admin_relationship(
        display_name=name, duration_days=duration, role_ids=roles, auto_extend_days=extend
    )
    if "roles" in changed:
        require_requestable(roles)
    if "displayName" in changed:
        taken = select(AdminRelationship.id).where(
            AdminRelationship.partner_id == rel.partner_id,
            AdminRelationship.id != rel.id,
            func.lower(AdminRelationship.display_name) == name.lower(),
        )
        if session.scalars(taken.limit(1)).first() is not None:
            raise AdminRelationshipNameTaken(name=name)
    now = utc_now()
    rel.amend(display_name=name, role_ids=roles, duration_days=duration, auto_extend_days=extend, now=now)
    record_relationship_change(
        session,
        actor,
        rel,
        Operation.UPDATE_GRANULAR_ADMIN_RELATIONSHIP,
        now=now,
        old={k: old[k] for k in sorted(changed)},
        new={k: new[k] for k in sorted(changed)},
    )
    keep_operation(session, rel, OperationType.RELATIONSHIP_UPDATE, {k: new[k] for k in sorted(changed)}, now=now)
    return rel


def lock_for_approval(session: Session, actor: Actor, *, admin_relationship_id: str) -> AdminRelationship:
    """The partner locks a `created` relationship for approval (→ approvalPending): from now on its roles
    and duration are fixed and the customer's Global admin can approve or reject it."""
    rel = get_admin_relationship_scoped(
        session,
        actor,
        admin_relationship_id=admin_relationship_id,
        operation="lock admin relationship for approval",
        lock=True,
        partner_only=True,
    )
    now = utc_now()
    old = rel.status
    rel.lock_for_approval(now=now)
    record_relationship_change(
        session,
        actor,
        rel,
        Operation.LOCK_GRANULAR_ADMIN_RELATIONSHIP_FOR_APPROVAL,
        now=now,
        old={"status": old},
        new={"status": rel.status},
    )
    keep_request(session, actor, rel, RequestAction.LOCK_FOR_APPROVAL, now=now)
    return rel


def approve_admin_relationship(session: Session, actor: Actor, *, admin_relationship_id: str) -> AdminRelationship:
    """The customer's Global admin approves a pending request (→ active): it ends after its duration.

    The partner's reseller relationship is locked first (as a removal does), and must still be active. A
    relationship requested from a template gets the template's access assignments in the same transaction."""
    customer_id = actor.require_customer_admin("approve admin relationship")
    require_own_sign_in(session, actor)
    peek = get_admin_relationship_scoped(
        session,
        actor,
        admin_relationship_id=admin_relationship_id,
        operation="approve admin relationship",
        customer_only=True,
    )
    reseller = find_active_relationship(session, partner_id=peek.partner_id, customer_id=customer_id, lock=True)
    rel = get_admin_relationship_scoped(
        session,
        actor,
        admin_relationship_id=admin_relationship_id,
        operation="approve admin relationship",
        lock=True,
        customer_only=True,
    )
    if reseller is None and rel.status == AdminRelationshipStatus.APPROVAL_PENDING:
        raise AdminRelationshipWithoutReseller(id=rel.id)
    now = utc_now()
    rel.approve(now=now)
    record_relationship_change(
        session,
        actor,
        rel,
        Operation.APPROVE_GRANULAR_ADMIN_RELATIONSHIP,
        now=now,
        old={"status": AdminRelationshipStatus.APPROVAL_PENDING},
        new={
            "status": rel.status,
            "activatedDateTime": now.isoformat(),
            "endDateTime": rel.end_at.isoformat() if rel.end_at else None,
        },
    )
    keep_request(session, actor, rel, RequestAction.APPROVE, now=now)
    create_planned_assignments(session, rel, now=now)
    return rel


def reject_admin_relationship(session: Session, actor: Actor, *, admin_relationship_id: str) -> AdminRelationship:
    """The customer's Global admin declines a pending request (→ terminated, ended by the customer)."""
    rel = get_admin_relationship_scoped(
        session,
        actor,
        admin_relationship_id=admin_relationship_id,
        operation="reject admin relationship",
        lock=True,
        customer_only=True,
    )
    now = utc_now()
    rel.reject(now=now)
    record_relationship_change(
        session,
        actor,
        rel,
        Operation.REJECT_GRANULAR_ADMIN_RELATIONSHIP,
        now=now,
        old={"status": AdminRelationshipStatus.APPROVAL_PENDING},
        new={"status": rel.status, "endedBy": rel.ended_by},
    )
    keep_request(session, actor, rel, RequestAction.REJECT, now=now)
    return rel


def terminate_admin_relationship(session: Session, actor: Actor, *, admin_relationship_id: str) -> AdminRelationship:
    """Either side ends an active relationship at once (active → terminationRequested → terminated): the
    partner (Global admin or Admin agent) or the customer's Global admin. The reseller relationship stays."""
    rel = get_admin_relationship_scoped(
        session, actor, admin_relationship_id=admin_relationship_id, operation="terminate admin relationship", lock=True
    )
    now = utc_now()
    old = rel.status
    by = "customer" if actor.is_customer_user else "partner"
    rel.terminate(now=now, by=by)
    record_relationship_change(
        session,
        actor,
        rel,
        Operation.TERMINATE_GRANULAR_ADMIN_RELATIONSHIP,
        now=now,
        old={"status": old},
        new={
            "status": rel.status,
            "statusHistory": [
                AdminRelationshipStatus.TERMINATION_REQUESTED.value,
                AdminRelationshipStatus.TERMINATED.value,
            ],
            "endedBy": by,
        },
    )
    keep_request(session, actor, rel, RequestAction.TERMINATE, now=now)
    return rel


REQUESTS = {
    RequestAction.LOCK_FOR_APPROVAL: lock_for_approval,
    RequestAction.APPROVE: approve_admin_relationship,
    RequestAction.REJECT: reject_admin_relationship,
    RequestAction.TERMINATE: terminate_admin_relationship,
}


def request_admin_relationship_action(
    session: Session, actor: Actor, *, admin_relationship_id: str, action: RequestAction
) -> tuple[AdminRelationship, AdminRelationshipActionRequest]:
    """A request on a relationship, as Microsoft Graph takes it (`POST .../requests {"action"}`): carried out
    at once by the use case of its action, under that use case's rules; returns the relationship and the
    request as kept."""
    rel = REQUESTS[action](session, actor, admin_relationship_id=admin_relationship_id)
    return rel, latest_request(session, rel, action)


def delete_admin_relationship(
    session: Session, actor: Actor, *, admin_relationship_id: str, version: int | None = None
) -> AdminRelationship:
    """The partner (Global admin, Admin agent) deletes a relationship still in `created`, as Microsoft Graph
    allows: one sent to the customer, or past its 90 days, cannot be. A stale `version` (from the client's etag)
    is refused. The draft goes with the access assignments prepared on it; its name is free again."""
    rel = get_admin_relationship_scoped(
        session,
        actor,
        admin_relationship_id=admin_relationship_id,
        operation="delete admin relationship",
        lock=True,
        partner_only=True,
    )
    if version is not None and version != rel.version:
        raise StaleEtag(resource="delegatedAdminRelationship", id=rel.id)
    now = utc_now()
    if rel.status_at(now) != AdminRelationshipStatus.CREATED:
        raise AdminRelationshipInvalidState(id=rel.id, status=rel.status_at(now))
    record_relationship_change(
        session,
        actor,
        rel,
        Operation.DELETE_GRANULAR_ADMIN_RELATIONSHIP,
        now=now,
        new=None,
        old={
            "displayName": rel.display_name,
            "duration": iso_days(rel.duration_days),
            "roles": rel.role_ids,
            "autoExtendDuration": iso_days(rel.auto_extend_days),
            "status": rel.status,
        },
    )
    forget_history(session, rel)
    session.execute(delete(AccessAssignment).where(AccessAssignment.admin_relationship_id == rel.id))
    session.delete(rel)
    session.flush()
    return rel


def list_admin_relationships(
    session: Session, actor: Actor, *, customer_id: str | None = None, status: str | None = None
) -> list[AdminRelationship]:
    """A partner's own relationships (Global admin, Admin agent), optionally for one customer; a customer's
    Global admin sees every partner's relationships in its tenant. Oldest first."""
    stmt = select(AdminRelationship)
    if actor.is_customer_user:
        stmt = stmt.where(AdminRelationship.customer_id == actor.require_customer_admin("list admin relationships"))
    elif actor.is_partner_user:
        stmt = stmt.where(AdminRelationship.partner_id == require_gdap_manager(actor, "list admin relationships"))
        if customer_id:
            stmt = stmt.where(AdminRelationship.customer_id == normalize_id(customer_id))
    else:
        raise Forbidden(operation="list admin relationships")
    if status:  # the status as shown: `expiring` is an active relationship ending within 30 days
        stmt = stmt.where(status_condition(status, utc_now()))
    return list(session.scalars(stmt.order_by(AdminRelationship.created_at, AdminRelationship.id)))


def get_admin_relationship(session: Session, actor: Actor, *, admin_relationship_id: str) -> AdminRelationship:
    """One relationship of the acting partner or in the acting customer's tenant; any other is not found."""
    return get_admin_relationship_scoped(
        session, actor, admin_relationship_id=admin_relationship_id, operation="get admin relationship"
    )

"""What happened to an admin relationship, kept as rows: the requests made on it (lockForApproval, approve,
reject, terminate) and the operations that changed it or its access assignments, as Microsoft Graph lists
them under `.../requests` and `.../operations`. The use cases that act write them in their own transaction;
here they are written and read."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.delegated_admin.models import (
    AdminRelationship,
    AdminRelationshipActionRequest,
    AdminRelationshipOperation,
)
from partnerhub.delegated_admin.queries import get_admin_relationship_scoped
from partnerhub.errors import AdminRelationshipOperationNotFound, AdminRelationshipRequestNotFound
from partnerhub.ids import new_id, normalize_id

SUCCEEDED = "succeeded"  # partnerhub carries out each request and operation at once


class RequestAction(StrEnum):
    LOCK_FOR_APPROVAL = "lockForApproval"
    APPROVE = "approve"
    REJECT = "reject"
    TERMINATE = "terminate"


LIFECYCLE: dict[str, int] = {
    RequestAction.LOCK_FOR_APPROVAL: 0,
    RequestAction.APPROVE: 1,
    RequestAction.REJECT: 1,
    RequestAction.TERMINATE: 2,
}


class OperationType(StrEnum):
    ACCESS_ASSIGNMENT_UPDATE = "delegatedAdminAccessAssignmentUpdate"
    RELATIONSHIP_UPDATE = "delegatedAdminRelationshipUpdate"


def keep_request(
    session: Session, actor: Actor, rel: AdminRelationship, action: RequestAction, *, now: datetime
) -> AdminRelationshipActionRequest:
    """The request that just took effect on `rel`, by `actor`, kept in the caller's transaction."""
    kept = AdminRelationshipActionRequest(
        id=new_id(),
        admin_relationship_id=rel.id,
        action=action.value,
        status=SUCCEEDED,
        requested_by=actor.user_id,
        created_at=now,
        last_modified_at=now,
    )
    session.add(kept)
    return kept


def keep_operation(
    session: Session, rel: AdminRelationship, operation_type: OperationType, data: dict[str, Any], *, now: datetime
) -> AdminRelationshipOperation:
    """A change just made to `rel` or one of its access assignments, with the change as `data`."""
    kept = AdminRelationshipOperation(
        id=new_id(),
        admin_relationship_id=rel.id,
        operation_type=operation_type.value,
        status=SUCCEEDED,
        data=data,
        created_at=now,
        last_modified_at=now,
    )
    session.add(kept)
    return kept


def forget_history(session: Session, rel: AdminRelationship) -> None:
    """Drop the requests and operations of a relationship that is deleted itself (a draft)."""
    for table in (AdminRelationshipActionRequest, AdminRelationshipOperation):
        session.execute(delete(table).where(table.admin_relationship_id == rel.id))


def latest_request(session: Session, rel: AdminRelationship, action: RequestAction) -> AdminRelationshipActionRequest:
    """The request of `action` kept on `rel` (each action takes effect at most once in a relationship's life)."""
    session.flush()
    stmt = (
        select(AdminRelationshipActionRequest)
        .where(
            AdminRelationshipActionRequest.admin_relationship_id == rel.id,
            AdminRelationshipActionRequest.action == action.value,
        )
        .order_by(AdminRelationshipActionRequest.created_at.desc(), AdminRelationshipActionRequest.id.desc())
    )
    found = session.scalars(stmt.limit(1)).first()
    if found is None:
        raise AdminRelationshipRequestNotFound(id=action.value)
    return found


def list_relationship_requests(
    session: Session, actor: Actor, *, admin_relationship_id: str
) -> list[AdminRelationshipActionRequest]:
    """The requests made on a relationship the actor may see (its partner's Global admin or Admin agent, or
    the customer's Global admin), oldest first."""
    rel = get_admin_relationship_scoped(
        session, actor, admin_relationship_id=admin_relationship_id, operation="list admin relationship requests"
    )
    stmt = select(AdminRelationshipActionRequest).where(AdminRelationshipActionRequest.admin_relationship_id == rel.id)
    # at one instant (a frozen clock) the lifecycle's own order decides
    return sorted(session.scalars(stmt), key=lambda r: (r.created_at, LIFECYCLE.get(r.action, 9), r.id))


def get_relationship_request(
    session: Session, actor: Actor, *, admin_relationship_id: str, request_id: str
) -> AdminRelationshipActionRequest:
    """One request of the relationship in the address; one of another relationship is not found here."""
    for kept in list_relationship_requests(session, actor, admin_relationship_id=admin_relationship_id):
        if kept.id == normalize_id(request_id):
            return kept
    raise AdminRelationshipRequestNotFound(id=request_id)


def list_relationship_operations(
    session: Session, actor: Actor, *, admin_relationship_id: str
) -> list[AdminRelationshipOperation]:
    """The operations on a relationship the actor may see (as its requests), oldest first."""
    rel = get_admin_relationship_scoped(
        session, actor, admin_relationship_id=admin_relationship_id, operation="list admin relationship operations"
    )
    stmt = (
        select(AdminRelationshipOperation)
        .where(AdminRelationshipOperation.admin_relationship_id == rel.id)
        .order_by(AdminRelationshipOperation.created_at, AdminRelationshipOperation.id)
    )
    return list(session.scalars(stmt))


def get_relationship_operation(
    session: Session, actor: Actor, *, admin_relationship_id: str, operation_id: str
) -> AdminRelationshipOperation:
    """One operation of the relationship in the address; one of another relationship is not found here."""
    for kept in list_relationship_operations(session, actor, admin_relationship_id=admin_relationship_id):
        if kept.id == normalize_id(operation_id):
            return kept
    raise AdminRelationshipOperationNotFound(id=operation_id)

"""Reads of relationship requests shared by both sides: the status filter (a sent request past its expiry
counts as expired, as `RelationshipRequest.status_at` says) and the request addressed to a customer by its id."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, and_, or_, select

from partnerhub.errors import InvalidInput
from partnerhub.ids import normalize_id
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest

Stmt = TypeVar("Stmt", bound=Select)  # type: ignore[type-arg]  # any select, whatever its columns

STATUSES = (
    InvitationStatus.SENT,
    InvitationStatus.ACCEPTED,
    InvitationStatus.DECLINED,
    InvitationStatus.EXPIRED,
    InvitationStatus.REVOKED,
)


def parse_status(value: str | None) -> InvitationStatus | None:
    """A status filter as a user types it (any case, spaces around), None for no filter; anything else is refused
    naming the statuses."""
    wanted = (value or "").strip().lower()
    if not wanted:
        return None
    for status in STATUSES:
        if status.value == wanted:
            return status
    raise InvalidInput(
        data=[{"field": "status", "message": "is not a status"}], detail=f"status must be one of: {', '.join(STATUSES)}"
    )


def where_status(stmt: Stmt, status: InvitationStatus | None, now: datetime) -> Stmt:
    """`stmt` narrowed to the requests whose effective status at `now` is `status` (in the database)."""
    if status is None:
        return stmt
    sent = RelationshipRequest.status == InvitationStatus.SENT
    if status == InvitationStatus.SENT:
        return stmt.where(sent, RelationshipRequest.expires_at > now)
    if status == InvitationStatus.EXPIRED:
        return stmt.where(
            or_(
                RelationshipRequest.status == InvitationStatus.EXPIRED,
                and_(sent, RelationshipRequest.expires_at <= now),
            )
        )
    return stmt.where(RelationshipRequest.status == status)


def addressed_request_stmt(request_id: str, customer_id: str) -> Select[RelationshipRequest]:
    """The request with this id addressed to this customer (its inbox); an id that is not a request's, or one
    addressed to nobody or to another customer, finds nothing."""
    return select(RelationshipRequest).where(
        RelationshipRequest.id == normalize_id(request_id), RelationshipRequest.customer_id == customer_id
    )

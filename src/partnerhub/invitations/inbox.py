"""A customer's inbox: the relationship requests addressed to its tenant, from any partner, as its Global admin
sees them (who asks, for what, until when). They are answered by id from here: only the customer a request is
addressed to could accept it anyway, so its id is no bearer secret to that customer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.errors import InvitationNotFound
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest
from partnerhub.invitations.queries import addressed_request_stmt, parse_status, where_status
from partnerhub.tenants.models import Partner, Tenant


@dataclass(frozen=True)
class ReceivedInvitation:
    """A request addressed to the customer, with the partner that sent it and its effective status."""

    request: RelationshipRequest
    partner_id: str
    partner_name: str
    partner_type: str
    status: str


def list_received_invitations(session: Session, actor: Actor, *, status: str | None = None) -> list[ReceivedInvitation]:
    """The requests addressed to the acting customer's tenant, from any partner, newest first: the pending ones
    (sent and not expired) by default, or those of one status (sent, accepted, declined, expired, revoked).
    A request addressed to no customer in particular is in nobody's inbox."""
    customer_id = actor.require_customer_admin("relationship requests")
    wanted = parse_status(status) or InvitationStatus.SENT
    stmt = (
        select(RelationshipRequest, Tenant.name, Partner.partner_type)
        .join(Tenant, Tenant.id == RelationshipRequest.partner_id)
        .join(Partner, Partner.id == RelationshipRequest.partner_id)
        .where(RelationshipRequest.customer_id == customer_id)
    )
    now = utc_now()
    stmt = where_status(stmt, wanted, now).order_by(RelationshipRequest.created_at.desc(), RelationshipRequest.id)
    return [
        ReceivedInvitation(r, r.partner_id, name, partner_type, r.status_at(now))
        for r, name, partner_type in session.execute(stmt)
    ]


def get_received_invitation(session: Session, actor: Actor, *, invitation_id: str) -> ReceivedInvitation:
    """One request addressed to the acting customer's tenant; any other id is not found."""
    customer_id = actor.require_customer_admin("relationship requests")
    req = session.scalars(addressed_request_stmt(invitation_id, customer_id)).first()
    if req is None:
        raise InvitationNotFound(id=invitation_id)
    return as_received(session, req)


def as_received(session: Session, req: RelationshipRequest) -> ReceivedInvitation:
    """A request the customer has already found (in its inbox, or by the code it was sent) as it sees it."""
    tenant, partner = session.get(Tenant, req.partner_id), session.get(Partner, req.partner_id)
    assert tenant is not None and partner is not None
    return ReceivedInvitation(req, req.partner_id, tenant.name, partner.partner_type, req.status_at(utc_now()))

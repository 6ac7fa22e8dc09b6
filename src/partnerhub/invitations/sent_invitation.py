"""One tracked invitation as its partner sees it again: its terms and status. Its code and link are not
shown again (the database keeps only the code's hash): a partner who needs them resends the invitation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.errors import InvitationNotFound
from partnerhub.ids import normalize_id
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest
from partnerhub.invitations.schemas import invitation_etag
from partnerhub.invitations.service import may_invite
from partnerhub.relationships.models import ResellerRelationship

RESENDABLE = (InvitationStatus.SENT, InvitationStatus.EXPIRED)


@dataclass(frozen=True)
class SentInvitation:
    """A tracked invitation with its effective status (a sent request past its expiry is expired), and whether
    the acting user may resend it (a new code) or revoke it."""

    request: RelationshipRequest
    status: str
    may_resend: bool
    may_revoke: bool

    @property
    def etag(self) -> str:
        """What a resend or revoke from the page that shows it sends back (If-Match)."""
        return invitation_etag(self.request, self.status)


def sent_invitation_actions(actor: Actor, status: str) -> tuple[bool, bool]:
    """(may resend, may revoke) for the acting user and an invitation of its partner in `status`."""
    inviter = may_invite(actor)
    return inviter and status in RESENDABLE, inviter and status == InvitationStatus.SENT


def get_sent_invitation(session: Session, actor: Actor, *, invitation_id: str) -> SentInvitation:
    """One of the acting partner's invitations (another partner's is not found), without its code."""
    partner_id = actor.require_partner("relationship requests", *Role)
    req = session.scalars(
        select(RelationshipRequest).where(
            RelationshipRequest.id == normalize_id(invitation_id), RelationshipRequest.partner_id == partner_id
        )
    ).first()
    if req is None:
        raise InvitationNotFound(id=invitation_id)
    status = req.status_at(utc_now())
    return SentInvitation(req, status, *sent_invitation_actions(actor, status))


def names_of_invited_customers(
    session: Session, actor: Actor, invitations: list[RelationshipRequest]
) -> dict[str, str]:
    """The company names of the customers the acting partner's invitations name, for its list of sent
    invitations: only customers it has (or had) a relationship with, in one query."""
    partner_id = actor.require_partner("relationship requests", *Role)
    ids = {r.customer_id for r in invitations if r.customer_id and r.partner_id == partner_id}
    if not ids:
        return {}
    rows = session.execute(
        select(Customer.id, Customer.company_name)
        .join(ResellerRelationship, ResellerRelationship.customer_id == Customer.id)
        .where(Customer.id.in_(ids), ResellerRelationship.partner_id == partner_id)
        .distinct()
    )
    return {str(cid): str(name) for cid, name in rows}

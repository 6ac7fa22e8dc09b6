"""One tracked invitation as its partner sees it again: its status, personalised link and draft e-mail."""

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
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.service import email_text, invitation_url, may_invite
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.tenants.service import tenant_name


@dataclass(frozen=True)
class SentInvitation:
    """A tracked invitation with what the partner sends: the link and the e-mail (subject and body) in the
    customer's language; `status` is the effective one (a sent request past its expiry is expired)."""

    request: RelationshipRequest
    status: str
    url: str
    subject: str
    body: str

    @property
    def email_text(self) -> str:
        return f"{self.subject}\n\n{self.body}"


def get_sent_invitation(session: Session, actor: Actor, *, invitation_id: str, base_url: str) -> SentInvitation:
    """One of the acting partner's invitations (another partner's is not found), with the same link and
    e-mail text it had when created, so the partner can copy or send it again."""
    partner_id = actor.require_partner("relationship requests", *Role)
    req = session.scalars(select(RelationshipRequest).where(
        RelationshipRequest.id == normalize_id(invitation_id), RelationshipRequest.partner_id == partner_id
    )).first()
    if req is None:
        raise InvitationNotFound(id=invitation_id)
    if not may_invite(actor):  # the link is a bearer secret, shown only to roles that may invite
        return SentInvitation(req, req.status_at(utc_now()), "", "", "")
    url = invitation_url(base_url, req.code)
    text = email_text(partner_name=tenant_name(session, partner_id), url=url, language=req.language,
                      expires_at=req.expires_at, include_delegated_admin=req.include_delegated_admin)
    subject, _, body = text.partition("\n\n")  # email_text() writes the subject, a blank line, the body
    return SentInvitation(req, req.status_at(utc_now()), url, subject, body)


def names_of_invited_customers(session: Session, actor: Actor, invitations: list[RelationshipRequest]
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
        .where(Customer.id.in_(ids), ResellerRelationship.partner_id == partner_id).distinct()
    )
    return {str(cid): str(name) for cid, name in rows}

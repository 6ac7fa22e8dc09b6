"""Sending a new invitation's e-mail through partnerhub's mail outbox, when the partner asks for it (otherwise
the partner copies the text and sends it from its own mailbox)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.errors.mail import MailNotConfigured
from partnerhub.invitations.service import INVITERS, CreatedInvitation
from partnerhub.mail.models import OutboxMail
from partnerhub.mail.outbox import queue_mail, require_mail_address

INVITATION_MAIL = "invitation"


def check_invitation_mail(to: str, *, mail_configured: bool) -> str:
    """The address to send an invitation to, checked before anything is made: refused when this partnerhub
    sends no mail, or when `to` is not an e-mail address."""
    if not mail_configured:
        raise MailNotConfigured()
    return require_mail_address(to)


def mail_invitation(
    session: Session, actor: Actor, *, invitation: CreatedInvitation, to: str, mail_configured: bool
) -> OutboxMail:
    """Queue the new invitation's e-mail (its text in the customer's language, as shown to the partner) to `to`,
    in the transaction that created the invitation: its code exists nowhere else. The code is a bearer secret,
    so the outbox forgets the mail's body once it is sent (or has failed for good)."""
    partner_id = actor.require_partner("request relationship", *INVITERS)
    address = check_invitation_mail(to, mail_configured=mail_configured)
    req = invitation.request
    subject, _, body = invitation.email_text.partition("\n\n")  # email_text(): the subject, a blank line, the body
    mail = queue_mail(
        session,
        key=f"{INVITATION_MAIL}:{req.id}",
        kind=INVITATION_MAIL,
        partner_id=partner_id,
        to=address,
        language=req.language,
        subject=subject,
        body=body,
        secret=True,
    )
    assert mail is not None  # a new request's id: no mail has its key yet
    record(
        session,
        actor,
        operation=Operation.SEND_RELATIONSHIP_REQUEST_EMAIL,
        resource_type=ResourceType.RELATIONSHIP_REQUEST,
        resource_id=req.id,
        partner_id=partner_id,
        customer_id=req.customer_id,
        new={"to": address, "language": req.language, "mailId": mail.id},
    )
    return mail

"""Relationship requests: tracked single-use invitations (create, resend, revoke, expire), their acceptance or
decline by the customer, and acceptance of a partner's reusable link (`partner_link.py`). A code is a bearer
secret: the database keeps only its SHA-256, and the code itself is shown once, in the answer that makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import etag_matches
from partnerhub.errors import (
    AlreadyRelated,
    CustomerNotFound,
    InvalidInput,
    InvitationAlreadyUsed,
    InvitationDeclined,
    InvitationExpired,
    InvitationForAnotherCustomer,
    InvitationNotFound,
    InvitationNotPending,
    InvitationRevoked,
    LinkCannotBeDeclined,
    NotCustomerGlobalAdmin,
    NotCustomerGlobalAdminToDecline,
    StaleEtag,
)
from partnerhub.ids import new_code, new_id, normalize_id
from partnerhub.invitations.email_text import email_text
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest
from partnerhub.invitations.partner_link import find_partner_by_link_code, hash_code, invitation_url
from partnerhub.invitations.queries import addressed_request_stmt, parse_status, where_status
from partnerhub.invitations.schemas import invitation_etag
from partnerhub.locale import SUPPORTED, normalize_locale
from partnerhub.partnerships.queries import require_reseller_of
from partnerhub.relationships.episodes import relate_indirect_reseller
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.relationships.queries import find_active_relationship, had_relationship
from partnerhub.tenants.models import Partner, Tenant

INVITERS = (Role.ADMIN_AGENT, Role.SALES_AGENT)


def may_invite(actor: Actor) -> bool:
    """Invitation codes and links are bearer secrets: only the roles that may invite (Global admin, Admin
    and Sales agents) see them; a Helpdesk agent sees the invitations without them."""
    return actor.is_partner_user and (Role.GLOBAL_ADMIN in actor.roles or actor.has_any(*INVITERS))


@dataclass(frozen=True)
class CreatedInvitation:
    """A new invitation with its code, link and e-mail: the only time the code exists outside the customer's
    mailbox (the database keeps its hash)."""

    request: RelationshipRequest
    code: str
    url: str
    email_text: str


def create_invitation(
    session: Session,
    actor: Actor,
    *,
    base_url: str,
    customer_id: str | None = None,
    language: str | None = None,
    include_delegated_admin: bool = False,
    indirect_reseller_id: str | None = None,
    valid_days: int = 90,
) -> CreatedInvitation:
    """Create a tracked single-use invitation with its personalised link and draft e-mail.
    Addressed to a known customer (one the partner had a relationship with: the way to re-establish it),
    only that customer's Global admin may accept it."""
    partner_id = actor.require_partner("request relationship", *INVITERS)
    if not 1 <= valid_days <= 365:
        raise InvalidInput(detail="an invitation is valid for 1 to 365 days")
    lang = None
    if customer_id:
        customer_id = normalize_id(customer_id)
        customer = session.get(Customer, customer_id)
        if customer is None or not had_relationship(session, partner_id=partner_id, customer_id=customer_id):
            raise CustomerNotFound(id=customer_id)
        lang = customer.language
    if language:
        if language.split("-")[0].lower() not in SUPPORTED:
            raise InvalidInput(detail=f"language must be one of: {', '.join(SUPPORTED)}")
        lang = language
    lang = normalize_locale(lang)
    if indirect_reseller_id:
        # Only an indirect provider invites for one of its resellers, in an active partnership.
        indirect_reseller_id = require_reseller_of(
            session,
            provider_id=partner_id,
            reseller_id=indirect_reseller_id,
            operation="request relationship for an indirect reseller",
        ).id
    return _issue(
        session,
        actor,
        partner_id,
        base_url=base_url,
        customer_id=customer_id or None,
        language=lang,
        include_delegated_admin=include_delegated_admin,
        indirect_reseller_id=indirect_reseller_id,
        valid_days=valid_days,
        operation=Operation.CREATE_RELATIONSHIP_REQUEST,
        old=None,
    )


def _issue(
    session: Session,
    actor: Actor,
    partner_id: str,
    *,
    base_url: str,
    customer_id: str | None,
    language: str,
    include_delegated_admin: bool,
    indirect_reseller_id: str | None,
    valid_days: int,
    operation: Operation,
    old: dict[str, object] | None,
) -> CreatedInvitation:
    """A new request with a new code; only the code's hash is stored, and the activity record holds none."""
    now = utc_now()
    code = new_code()
    req = RelationshipRequest(
        id=new_id(),
        code_hash=hash_code(code),
        partner_id=partner_id,
        customer_id=customer_id,
        indirect_reseller_id=indirect_reseller_id,
        language=language,
        include_delegated_admin=include_delegated_admin,
        status=InvitationStatus.SENT,
        created_at=now,
        created_by_user_id=actor.user_id,
        expires_at=now + timedelta(days=valid_days),
    )
    session.add(req)
    tenant = session.get(Tenant, partner_id)
    assert tenant is not None
    url = invitation_url(base_url, code)
    record(
        session,
        actor,
        operation=operation,
        resource_type=ResourceType.RELATIONSHIP_REQUEST,
        resource_id=req.id,
        partner_id=partner_id,
        customer_id=req.customer_id,
        old=old,
        new={
            "id": req.id,
            "language": language,
            "includeDelegatedAdmin": include_delegated_admin,
            "expiresAt": req.expires_at.isoformat(),
        },
        now=now,
    )
    text = email_text(
        partner_name=tenant.name,
        url=url,
        language=language,
        expires_at=req.expires_at,
        include_delegated_admin=include_delegated_admin,
    )
    return CreatedInvitation(req, code, url, text)


def resend_invitation(
    session: Session,
    actor: Actor,
    *,
    invitation_id: str,
    base_url: str,
    valid_days: int | None = None,
    etag: str | None = None,
) -> CreatedInvitation:
    """A code cannot be shown again, so a partner who needs the link again resends the invitation: a new
    request with the same terms, a new code and a fresh expiry (by default as long as the old one's), and
    the old request, if still sent, is revoked at once. An expired request is resent as it is; an accepted
    or revoked one is not resent. With an etag (If-Match), the invitation must be as the caller read it."""
    partner_id = actor.require_partner("resend relationship request", *INVITERS)
    if valid_days is not None and not 1 <= valid_days <= 365:
        raise InvalidInput(detail="an invitation is valid for 1 to 365 days")
    old = _locked_request(session, partner_id, invitation_id)
    now = utc_now()
    status = old.status_at(now)
    _require_etag(old, status, etag)
    if status not in (InvitationStatus.SENT, InvitationStatus.EXPIRED):
        raise InvitationNotPending(id=old.id, status=status)
    if old.indirect_reseller_id is not None:  # the partnership must still be active
        require_reseller_of(
            session,
            provider_id=partner_id,
            reseller_id=old.indirect_reseller_id,
            operation="request relationship for an indirect reseller",
        )
    if status == InvitationStatus.SENT:
        _revoke(session, actor, old, now)
    days = valid_days or min(365, max(1, round((old.expires_at - old.created_at) / timedelta(days=1))))
    return _issue(
        session,
        actor,
        partner_id,
        base_url=base_url,
        customer_id=old.customer_id,
        language=old.language,
        include_delegated_admin=old.include_delegated_admin,
        indirect_reseller_id=old.indirect_reseller_id,
        valid_days=days,
        operation=Operation.RESEND_RELATIONSHIP_REQUEST,
        old={"relationshipRequestId": old.id, "status": status},
    )


def list_invitations(session: Session, actor: Actor, *, status: str | None = None) -> list[RelationshipRequest]:
    """The acting partner's tracked invitations, newest first, optionally of one effective status (sent,
    accepted, declined, expired, revoked: an unknown one is refused)."""
    partner_id = actor.require_partner("relationship requests", *Role)
    wanted = parse_status(status)
    stmt = where_status(
        select(RelationshipRequest).where(RelationshipRequest.partner_id == partner_id), wanted, utc_now()
    )
    return list(session.scalars(stmt.order_by(RelationshipRequest.created_at.desc(), RelationshipRequest.id)))


def revoke_invitation(
    session: Session, actor: Actor, *, invitation_id: str, etag: str | None = None
) -> RelationshipRequest:
    """Revoke a sent invitation of the acting partner; its link stops working at once. With an etag
    (If-Match), the invitation must be as the caller read it."""
    partner_id = actor.require_partner("revoke relationship request", *INVITERS)
    req = _locked_request(session, partner_id, invitation_id)
    now = utc_now()
    status = req.status_at(now)
    _require_etag(req, status, etag)
    if status != InvitationStatus.SENT:
        raise InvitationNotPending(id=req.id, status=status)
    _revoke(session, actor, req, now)
    return req


def _locked_request(session: Session, partner_id: str, invitation_id: str) -> RelationshipRequest:
    req = session.scalars(
        select(RelationshipRequest)
        .where(RelationshipRequest.id == normalize_id(invitation_id), RelationshipRequest.partner_id == partner_id)
        .with_for_update()
    ).first()
    if req is None:
        raise InvitationNotFound(id=invitation_id)
    return req


def _require_etag(req: RelationshipRequest, status: str, etag: str | None) -> None:
    if etag is not None and not etag_matches(etag, invitation_etag(req, status)):
        raise StaleEtag(resource="RelationshipRequest", id=req.id)


def _revoke(session: Session, actor: Actor, req: RelationshipRequest, now: datetime) -> None:
    req.status = InvitationStatus.REVOKED
    req.revoked_at = now
    record(
        session,
        actor,
        operation=Operation.REVOKE_RELATIONSHIP_REQUEST,
        resource_type=ResourceType.RELATIONSHIP_REQUEST,
        resource_id=req.id,
        partner_id=req.partner_id,
        customer_id=req.customer_id,
        old={"status": "sent"},
        new={"status": "revoked"},
        now=now,
    )


@dataclass(frozen=True)
class InvitationView:
    """What a customer sees before accepting: who asks, for what, and whether it can still be accepted."""

    partner_id: str
    partner_name: str
    partner_type: str
    include_delegated_admin: bool
    status: str
    expires_at: datetime | None
    request_id: str | None


def _resolve(
    session: Session, code: str, *, lock: bool, secret_key: str | None, customer_id: str | None = None
) -> tuple[RelationshipRequest | None, Partner]:
    """The tracked request whose code hashes to the same SHA-256; else, for a customer's Global admin
    (`customer_id`), a request addressed to its tenant named by its id (its inbox shows no code); else the partner
    whose reusable link carries the code."""
    code = code.strip()
    stmt = select(RelationshipRequest).where(RelationshipRequest.code_hash == hash_code(code))
    req = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if req is None and customer_id is not None and code:
        by_id = addressed_request_stmt(code, customer_id)
        req = session.scalars(by_id.with_for_update() if lock else by_id).first()
    if req is not None:
        partner = session.get(Partner, req.partner_id)
        assert partner is not None
        return req, partner
    found = find_partner_by_link_code(session, code, secret_key=secret_key)
    if found is None:
        raise InvitationNotFound(id=code)
    return None, found


def _customer_admin_of(actor: Actor) -> str | None:
    """The customer tenant of which the actor is a Global admin: the only one whose requests it names by id."""
    if actor.is_customer_user and actor.tenant_id is not None and Role.GLOBAL_ADMIN in actor.roles:
        return actor.tenant_id
    return None


def describe_invitation(session: Session, actor: Actor, *, code: str, secret_key: str | None = None) -> InvitationView:
    """Who asks for what, and whether it can still be accepted. `secret_key` (the instance's) is needed to
    recognise a partner's reusable link; a tracked invitation's code is recognised without it, and so is, for
    the Global admin of the customer it is addressed to, its id."""
    req, partner = _resolve(session, code, lock=False, secret_key=secret_key, customer_id=_customer_admin_of(actor))
    tenant = session.get(Tenant, partner.id)
    assert tenant is not None
    if req is None:
        return InvitationView(partner.id, tenant.name, partner.partner_type, False, InvitationStatus.SENT, None, None)
    return InvitationView(
        partner.id,
        tenant.name,
        partner.partner_type,
        req.include_delegated_admin,
        req.status_at(utc_now()),
        req.expires_at,
        req.id,
    )


def accept_invitation(
    session: Session, actor: Actor, *, code: str, secret_key: str | None = None
) -> ResellerRelationship:
    """A customer's Global admin accepts: a new active relationship episode begins (a removed one is
    re-established and its history kept), with DAP if the request asked for it. Single-use requests
    are marked accepted; expired, revoked, declined or used ones are refused. `code`: see describe_invitation."""
    if not actor.is_customer_user or Role.GLOBAL_ADMIN not in actor.roles:
        raise NotCustomerGlobalAdmin()
    customer_id = actor.require_customer_admin("accept relationship request")
    req, partner = _resolve(session, code, lock=True, secret_key=secret_key, customer_id=customer_id)
    now = utc_now()
    include_dap = False
    if req is not None:
        _require_answerable(req, customer_id, now)
        include_dap = req.include_delegated_admin
    existing = find_active_relationship(session, partner_id=partner.id, customer_id=customer_id, lock=True)
    customer = session.get(Customer, customer_id)
    if existing is not None:
        if not (include_dap and not existing.has_delegated_admin):
            raise AlreadyRelated()
        existing.has_delegated_admin = True
        existing.version += 1
        rel = existing
    else:
        rel = ResellerRelationship(
            id=new_id(),
            partner_id=partner.id,
            customer_id=customer_id,
            status=RelationshipStatus.ACTIVE,
            has_delegated_admin=include_dap,
            origin="invitation",
            invitation_id=req.id if req else None,
            associated_partner_id=req.indirect_reseller_id if req else None,
            activated_at=now,
            version=1,
            customer_name_key=customer.company_name_key if customer else "",
            customer_domain=customer.domain if customer else "",
        )
        session.add(rel)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise AlreadyRelated() from None
    if req is not None and req.indirect_reseller_id is not None and customer is not None:
        relate_indirect_reseller(
            session,
            actor,
            reseller_id=req.indirect_reseller_id,
            provider_id=partner.id,
            customer=customer,
            origin="invitation",
            now=now,
        )
    if req is not None:
        req.status = InvitationStatus.ACCEPTED
        req.accepted_at = now
        req.accepted_by_user_id = actor.user_id
        req.accepted_customer_id = customer_id
    record(
        session,
        actor,
        operation=Operation.ADD_PARTNER_CUSTOMER_RELATIONSHIP,
        resource_type=ResourceType.RELATIONSHIP,
        resource_id=rel.id,
        partner_id=partner.id,
        customer_id=customer_id,
        customer_name=customer.company_name if customer else None,
        old={"relationshipToPartner": "reseller" if existing else "none"},
        new={
            "relationshipToPartner": "reseller",
            "allowDelegatedAccess": rel.has_delegated_admin,
            "relationshipRequestId": req.id if req else None,
        },
        now=now,
    )
    return rel


def _require_answerable(req: RelationshipRequest, customer_id: str, now: datetime) -> None:
    """A request is answered (accepted or declined) once, while sent, by the customer it is addressed to (any
    customer, if it names none)."""
    status = req.status_at(now)
    if status == InvitationStatus.REVOKED:
        raise InvitationRevoked()
    if status == InvitationStatus.ACCEPTED:
        raise InvitationAlreadyUsed()
    if status == InvitationStatus.DECLINED:
        raise InvitationDeclined()
    if status == InvitationStatus.EXPIRED:
        raise InvitationExpired(expires_at=req.expires_at.strftime("%Y-%m-%d"))
    if req.customer_id is not None and req.customer_id != customer_id:
        raise InvitationForAnotherCustomer()


def decline_invitation(
    session: Session, actor: Actor, *, code: str, secret_key: str | None = None
) -> RelationshipRequest:
    """A customer's Global admin declines a tracked request (named by its code, or by its id from the inbox): it
    can no longer be accepted, and the partner sees it declined in its list and its activity log. Only a sent
    request is declined, once; a partner's reusable link is addressed to nobody, so there is nothing to decline."""
    customer_id = _customer_admin_of(actor)
    if customer_id is None:
        raise NotCustomerGlobalAdminToDecline()
    req, _partner = _resolve(session, code, lock=True, secret_key=secret_key, customer_id=customer_id)
    if req is None:
        raise LinkCannotBeDeclined()
    now = utc_now()
    _require_answerable(req, customer_id, now)
    req.status = InvitationStatus.DECLINED
    req.declined_at = now
    req.declined_by_user_id = actor.user_id
    customer = session.get(Customer, customer_id)
    record(
        session,
        actor,
        operation=Operation.DECLINE_RELATIONSHIP_REQUEST,
        resource_type=ResourceType.RELATIONSHIP_REQUEST,
        resource_id=req.id,
        partner_id=req.partner_id,
        customer_id=customer_id,
        customer_name=customer.company_name if customer else None,
        old={"status": InvitationStatus.SENT},
        new={"status": InvitationStatus.DECLINED},
        now=now,
    )
    session.flush()
    return req

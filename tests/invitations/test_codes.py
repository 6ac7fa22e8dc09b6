"""Invitation codes are bearer secrets (F10): the database keeps only what cannot accept on its own.

A tracked invitation's code is stored as its SHA-256 and shown once, in the answer that creates it; a resend
revokes the old code and makes a new invitation. The partner's reusable link is derived from the instance's
secret key and a per-partner nonce, so it stays retrievable, and rotating the nonce ends the old link at once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_user
from partnerhub.clock import frozen_at
from partnerhub.errors import Forbidden, InvitationNotFound, InvitationNotPending, InvitationRevoked
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest
from partnerhub.invitations.partner_link import partner_invitation_link, rotate_partner_link
from partnerhub.invitations.service import (
    accept_invitation,
    create_invitation,
    describe_invitation,
    resend_invitation,
    revoke_invitation,
)
from partnerhub.tenants.models import Partner
from tests.conftest import World
from tests.factories import make_customer

BASE = "https://hub.example"
KEY = "the instance's secret key"
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _customer_admin(session: Session, world: World) -> Actor:
    """The Global admin of a customer of the other partner: free to accept the world's partner's requests."""
    return actor_for_user(session, make_customer(session, world.other.admin).admin)


def _dump(session: Session) -> list[str]:
    """Every text value of the tables that hold invitations, as a database dump would show them."""
    values: list[str] = []
    for table in ("relationship_requests", "partners"):
        for row in session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed table names
            values += [str(v) for v in row if isinstance(v, str)]
    return values


def _operations(session: Session, resource_id: str) -> list[str]:
    return list(
        session.scalars(
            select(ActivityRecord.operation_type)
            .where(ActivityRecord.resource_id == resource_id)
            .order_by(ActivityRecord.created_at, ActivityRecord.id)
        )
    )


def test_a_tracked_code_is_stored_only_as_its_hash(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE)
    assert created.url == f"{BASE}/invitations/{created.code}" and len(created.code) >= 22  # 128+ random bits
    session.flush()
    stored = session.get(RelationshipRequest, created.request.id)
    assert stored is not None and stored.code_hash == hashlib.sha256(created.code.encode()).hexdigest()
    assert created.code not in " ".join(_dump(session))
    assert (
        accept_invitation(session, _customer_admin(session, world), code=created.code).partner_id
        == world.partner.partner_id
    )


def test_no_value_of_a_dump_accepts_or_describes_an_invitation(session: Session, world: World) -> None:
    create_invitation(session, world.partner.admin, base_url=BASE, include_delegated_admin=True)
    link = partner_invitation_link(session, world.partner.admin, base_url=BASE, secret_key=KEY)
    session.flush()
    dumped = _dump(session)
    assert link.url.rsplit("/", 1)[1] not in " ".join(dumped)
    admin = _customer_admin(session, world)
    for value in dumped:
        with pytest.raises(InvitationNotFound):
            describe_invitation(session, admin, code=value, secret_key=KEY)


def test_the_partner_link_is_the_same_on_every_read_and_accepts(session: Session, world: World) -> None:
    link = partner_invitation_link(session, world.partner.sales_agent, base_url=BASE, secret_key=KEY)
    assert partner_invitation_link(session, world.partner.admin, base_url=BASE, secret_key=KEY) == link
    code = link.url.rsplit("/", 1)[1]
    assert code[0].isalnum()  # a code never reads as an option on a command line
    view = describe_invitation(session, world.customer_admin, code=code, secret_key=KEY)
    assert (view.partner_id, view.request_id) == (world.partner.partner_id, None)
    # the link is derived from the instance's key: another key derives another link, and this one fails there
    assert partner_invitation_link(session, world.partner.admin, base_url=BASE, secret_key="other") != link
    with pytest.raises(InvitationNotFound):
        describe_invitation(session, world.customer_admin, code=code, secret_key="other")


def test_rotating_the_partner_link_ends_the_old_one_at_once(session: Session, world: World) -> None:
    old = partner_invitation_link(session, world.partner.admin, base_url=BASE, secret_key=KEY)
    new = rotate_partner_link(session, world.partner.admin_agent, base_url=BASE, secret_key=KEY)
    assert new.url != old.url
    assert partner_invitation_link(session, world.partner.sales_agent, base_url=BASE, secret_key=KEY) == new
    admin = _customer_admin(session, world)
    with pytest.raises(InvitationNotFound):
        accept_invitation(session, admin, code=old.url.rsplit("/", 1)[1], secret_key=KEY)
    rel = accept_invitation(session, admin, code=new.url.rsplit("/", 1)[1], secret_key=KEY)
    assert rel.partner_id == world.partner.partner_id
    (rec,) = session.scalars(
        select(ActivityRecord).where(ActivityRecord.operation_type == "rotate_partner_invitation_link")
    ).all()
    assert (rec.partner_id, rec.resource_id, rec.user_id) == (
        world.partner.partner_id,
        world.partner.partner_id,
        world.partner.admin_agent.user_id,
    )
    assert new.url not in str(rec.new_value) and old.url not in str(rec.old_value)


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent"])
def test_only_a_global_admin_or_an_admin_agent_rotates_the_link(session: Session, world: World, role: str) -> None:
    before = session.get(Partner, world.partner.partner_id)
    assert before is not None
    nonce = before.invitation_nonce
    for actor in (getattr(world.partner, role), world.customer_admin, Actor.system()):
        with pytest.raises(Forbidden):
            rotate_partner_link(session, actor, base_url=BASE, secret_key=KEY)
    assert before.invitation_nonce == nonce


def test_resend_revokes_the_old_code_and_makes_a_new_one_with_a_fresh_expiry(session: Session, world: World) -> None:
    with frozen_at(T0):
        first = create_invitation(
            session,
            world.partner.sales_agent,
            base_url=BASE,
            customer_id=world.customer_id,
            include_delegated_admin=True,
            valid_days=7,
        )
    with frozen_at(T0 + timedelta(days=3)):
        again = resend_invitation(session, world.partner.sales_agent, invitation_id=first.request.id, base_url=BASE)
    assert again.request.id != first.request.id and again.code != first.code
    assert again.url == f"{BASE}/invitations/{again.code}" and again.url in again.email_text
    assert again.request.expires_at == T0 + timedelta(days=10)  # the same validity, counted from now
    assert (again.request.customer_id, again.request.include_delegated_admin, again.request.language) == (
        world.customer_id,
        True,
        "it",
    )
    assert first.request.status == InvitationStatus.REVOKED
    assert _operations(session, first.request.id) == ["create_relationship_request", "revoke_relationship_request"]
    assert _operations(session, again.request.id) == ["resend_relationship_request"]
    (rec,) = session.scalars(select(ActivityRecord).where(ActivityRecord.resource_id == again.request.id)).all()
    assert rec.old_value == {"relationshipRequestId": first.request.id, "status": "sent"}
    assert again.code not in str(rec.new_value)
    with pytest.raises(InvitationRevoked):
        accept_invitation(session, world.customer_admin, code=first.code)


def test_an_expired_invitation_is_resent_without_a_revocation(session: Session, world: World) -> None:
    with frozen_at(T0):
        first = create_invitation(session, world.partner.admin, base_url=BASE, valid_days=5)
    with frozen_at(T0 + timedelta(days=30)):
        again = resend_invitation(
            session, world.partner.admin, invitation_id=first.request.id, base_url=BASE, valid_days=30
        )
    assert again.request.expires_at == T0 + timedelta(days=60)
    assert first.request.status == InvitationStatus.SENT  # its status shows as expired; nothing was revoked
    assert _operations(session, first.request.id) == ["create_relationship_request"]


def test_an_accepted_or_revoked_invitation_is_not_resent(session: Session, world: World) -> None:
    accepted = create_invitation(session, world.partner.admin, base_url=BASE)
    accept_invitation(session, _customer_admin(session, world), code=accepted.code)
    revoked = create_invitation(session, world.partner.admin, base_url=BASE)
    revoke_invitation(session, world.partner.admin, invitation_id=revoked.request.id)
    for created in (accepted, revoked):
        with pytest.raises(InvitationNotPending):
            resend_invitation(session, world.partner.admin, invitation_id=created.request.id, base_url=BASE)
    assert len(session.scalars(select(RelationshipRequest)).all()) == 2


def test_resend_needs_an_inviting_role_of_the_same_partner(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE)
    with pytest.raises(Forbidden):
        resend_invitation(session, world.partner.helpdesk_agent, invitation_id=created.request.id, base_url=BASE)
    with pytest.raises(InvitationNotFound):
        resend_invitation(session, world.other.admin, invitation_id=created.request.id, base_url=BASE)
    assert created.request.status == InvitationStatus.SENT

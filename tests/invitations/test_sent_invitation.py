"""A sent invitation seen again by its partner: its terms and effective status, never its code (a partner
who needs the link again resends it); another partner's invitation is not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from partnerhub.clock import frozen_at, utc_now
from partnerhub.errors import InvitationNotFound
from partnerhub.invitations.sent_invitation import get_sent_invitation
from partnerhub.invitations.service import create_invitation
from tests.conftest import World

BASE = "https://partners.example"


def test_the_partner_sees_the_invitation_again_without_its_code(session: Session, world: World) -> None:
    created = create_invitation(
        session, world.partner.sales_agent, base_url=BASE, customer_id=world.customer_id, include_delegated_admin=True
    )
    sent = get_sent_invitation(session, world.partner.admin, invitation_id=created.request.id)
    assert sent.request.id == created.request.id and sent.request.include_delegated_admin is True
    assert (sent.status, sent.may_resend, sent.may_revoke) == ("sent", True, True)
    assert created.code not in repr(sent)
    helpdesk = get_sent_invitation(session, world.partner.helpdesk_agent, invitation_id=created.request.id)
    assert (helpdesk.may_resend, helpdesk.may_revoke) == (False, False)


def test_an_invitation_past_its_expiry_is_expired(session: Session, world: World) -> None:
    with frozen_at(utc_now() - timedelta(days=10)):
        created = create_invitation(session, world.partner.admin, base_url=BASE, valid_days=5)
    sent = get_sent_invitation(session, world.partner.admin, invitation_id=created.request.id)
    assert (sent.status, sent.may_resend, sent.may_revoke) == ("expired", True, False)


def test_another_partners_invitation_is_not_found(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE)
    with pytest.raises(InvitationNotFound):
        get_sent_invitation(session, world.other.admin, invitation_id=created.request.id)


def test_the_sent_invitations_name_the_customers_the_partner_knows(session: Session, world: World) -> None:
    from partnerhub.invitations.sent_invitation import names_of_invited_customers
    from partnerhub.invitations.service import create_invitation

    mine = create_invitation(session, world.partner.admin, base_url="http://x", customer_id=world.customer_id)
    anyone = create_invitation(session, world.partner.admin, base_url="http://x")
    names = names_of_invited_customers(session, world.partner.admin, [mine.request, anyone.request])
    assert list(names) == [world.customer_id] and names[world.customer_id]
    assert names_of_invited_customers(session, world.other.admin, [mine.request]) == {}  # not its invitation

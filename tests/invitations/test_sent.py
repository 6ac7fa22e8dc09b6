"""A sent invitation seen again by its partner: the same link and e-mail (subject and body apart, in the
customer's language) and its effective status; another partner's invitation is not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from partnerhub.clock import frozen_at, utc_now
from partnerhub.errors import InvitationNotFound
from partnerhub.invitations.sent import get_sent_invitation
from partnerhub.invitations.service import create_invitation
from tests.conftest import World

BASE = "https://partners.example"


def test_the_partner_sees_the_same_link_and_email_again(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.sales_agent, base_url=BASE, customer_id=world.customer_id,
                                include_delegated_admin=True)
    sent = get_sent_invitation(session, world.partner.admin, invitation_id=created.request.id, base_url=BASE)
    assert sent.url == created.url == f"{BASE}/invitations/{created.request.code}"
    assert sent.email_text == created.email_text
    assert sent.subject == "Contoso Direct richiede una relazione con il rivenditore con la tua organizzazione"
    assert created.url in sent.body and "\n" not in sent.subject
    assert sent.status == "sent"


def test_an_invitation_past_its_expiry_is_expired(session: Session, world: World) -> None:
    with frozen_at(utc_now() - timedelta(days=10)):
        created = create_invitation(session, world.partner.admin, base_url=BASE, valid_days=5)
    sent = get_sent_invitation(session, world.partner.admin, invitation_id=created.request.id, base_url=BASE)
    assert sent.status == "expired"


def test_another_partners_invitation_is_not_found(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE)
    with pytest.raises(InvitationNotFound):
        get_sent_invitation(session, world.other.admin, invitation_id=created.request.id, base_url=BASE)


def test_the_sent_invitations_name_the_customers_the_partner_knows(session: Session, world: World) -> None:
    from partnerhub.invitations.sent import names_of_invited_customers
    from partnerhub.invitations.service import create_invitation

    mine = create_invitation(session, world.partner.admin, base_url="http://x", customer_id=world.customer_id)
    anyone = create_invitation(session, world.partner.admin, base_url="http://x")
    names = names_of_invited_customers(session, world.partner.admin, [mine.request, anyone.request])
    assert list(names) == [world.customer_id] and names[world.customer_id]
    assert names_of_invited_customers(session, world.other.admin, [mine.request]) == {}  # not its invitation

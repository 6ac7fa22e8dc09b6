"""Every ending of an invitation on both sides (issue 15 §1): the customer's Global admin declines one; its
inbox lists the pending ones addressed to its tenant, from any partner, and it answers them by id; every
status can be filtered on, by the partner and by the customer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from partnerhub.auth.models import Role
from partnerhub.auth.service import actor_for_user
from partnerhub.clock import frozen_at
from partnerhub.errors import (
    InvalidInput,
    InvitationAlreadyUsed,
    InvitationDeclined,
    InvitationExpired,
    InvitationForAnotherCustomer,
    InvitationNotFound,
    InvitationNotPending,
    InvitationRevoked,
    LinkCannotBeDeclined,
    NotCustomerGlobalAdminToDecline,
)
from partnerhub.invitations.inbox import get_received_invitation, list_received_invitations
from partnerhub.invitations.models import InvitationStatus
from partnerhub.invitations.partner_link import partner_invitation_link
from partnerhub.invitations.service import (
    CreatedInvitation,
    accept_invitation,
    create_invitation,
    decline_invitation,
    describe_invitation,
    list_invitations,
    resend_invitation,
    revoke_invitation,
)
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.activity import activity
from tests.conftest import World
from tests.factories import make_customer

BASE = "https://hub.example/"
KEY = "the instance's secret key"
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _invite(session: Session, world: World, *, dap: bool = False, days: int = 90) -> CreatedInvitation:
    """An invitation from the world's partner addressed to its customer (as to add DAP, or after a removal)."""
    return create_invitation(
        session,
        world.partner.admin,
        base_url=BASE,
        customer_id=world.customer_id,
        include_delegated_admin=dap,
        valid_days=days,
    )


def _address_to_world_customer(session: Session, world: World) -> CreatedInvitation:
    """An invitation from `world.other` to the world's customer: `world.other` may address one only to a customer
    it had a relationship with, so it gets one through its reusable link and removes it first."""
    link = partner_invitation_link(session, world.other.admin, base_url=BASE, secret_key=KEY)
    accept_invitation(session, world.customer_admin, code=link.url.rsplit("/", 1)[1], secret_key=KEY)
    remove_reseller_relationship(session, world.other.admin, customer_id=world.customer_id)
    return create_invitation(
        session, world.other.admin, base_url=BASE, customer_id=world.customer_id, include_delegated_admin=True
    )


# --- decline ---------------------------------------------------------------------------------------------


def test_the_customers_global_admin_declines_and_the_partner_sees_it_declined(session: Session, world: World) -> None:
    created = _invite(session, world)
    with frozen_at(T0):
        req = decline_invitation(session, world.customer_admin, code=created.code)
    assert req.status == InvitationStatus.DECLINED
    assert (req.declined_at, req.declined_by_user_id) == (T0, world.customer_admin.user_id)
    [listed] = list_invitations(session, world.partner.admin)
    assert listed.id == req.id and listed.status_at(T0) == "declined"
    assert activity(session, operation="add_partner_customer_relationship") == []


def test_a_decline_is_recorded_in_the_partners_activity_log(session: Session, world: World) -> None:
    created = _invite(session, world)
    req = decline_invitation(session, world.customer_admin, code=created.code)
    [rec] = activity(session, operation="decline_relationship_request")
    assert (rec.partner_id, rec.customer_id, rec.resource_id) == (world.partner.partner_id, world.customer_id, req.id)
    assert rec.user_principal_name == world.customer_admin.email
    assert (rec.old_value, rec.new_value) == ({"status": "sent"}, {"status": "declined"})
    assert rec.customer_name == "Fabrikam Srl"


def test_an_invitation_to_any_customer_is_declined_too(session: Session, world: World) -> None:
    created = create_invitation(session, world.other.admin, base_url=BASE)
    req = decline_invitation(session, world.customer_admin, code=created.code)
    assert req.status == "declined"
    [rec] = activity(session, operation="decline_relationship_request")
    assert rec.customer_id == world.customer_id


def test_a_declined_invitation_can_no_longer_be_accepted_resent_or_revoked(session: Session, world: World) -> None:
    created = _invite(session, world)
    decline_invitation(session, world.customer_admin, code=created.code)
    with pytest.raises(InvitationDeclined) as info:
        accept_invitation(session, world.customer_admin, code=created.code)
    assert info.value.code == 800117
    with pytest.raises(InvitationDeclined):
        decline_invitation(session, world.customer_admin, code=created.code)
    with pytest.raises(InvitationNotPending):
        resend_invitation(session, world.partner.admin, invitation_id=created.request.id, base_url=BASE)
    with pytest.raises(InvitationNotPending):
        revoke_invitation(session, world.partner.admin, invitation_id=created.request.id)
    assert describe_invitation(session, world.customer_admin, code=created.code).status == "declined"


def test_only_a_pending_invitation_is_declined(session: Session, world: World) -> None:
    accepted = create_invitation(session, world.other.admin, base_url=BASE)
    accept_invitation(session, world.customer_admin, code=accepted.code)
    with pytest.raises(InvitationAlreadyUsed):
        decline_invitation(session, world.customer_admin, code=accepted.code)
    revoked = create_invitation(session, world.other.admin, base_url=BASE)
    revoke_invitation(session, world.other.admin, invitation_id=revoked.request.id)
    with pytest.raises(InvitationRevoked):
        decline_invitation(session, world.customer_admin, code=revoked.code)
    with frozen_at(T0):
        expiring = create_invitation(session, world.other.admin, base_url=BASE, valid_days=1)
    with frozen_at(T0 + timedelta(days=1)), pytest.raises(InvitationExpired):
        decline_invitation(session, world.customer_admin, code=expiring.code)
    assert activity(session, operation="decline_relationship_request") == []


def test_an_invitation_to_another_customer_is_not_declined(session: Session, world: World) -> None:
    created = _invite(session, world)
    stranger = make_customer(session, world.other.admin)
    with pytest.raises(InvitationForAnotherCustomer):
        decline_invitation(session, actor_for_user(session, stranger.admin), code=created.code)


def test_a_partners_reusable_link_is_not_declined(session: Session, world: World) -> None:
    link = partner_invitation_link(session, world.other.admin, base_url=BASE, secret_key=KEY)
    with pytest.raises(LinkCannotBeDeclined) as info:
        decline_invitation(session, world.customer_admin, code=link.url.rsplit("/", 1)[1], secret_key=KEY)
    assert info.value.code == 800118


def test_only_a_customers_global_admin_declines(session: Session, world: World) -> None:
    created = _invite(session, world)
    ordinary_user = replace(world.customer_admin, roles=frozenset({Role.USER}))
    for actor in (world.partner.admin, world.other.admin, world.partner.helpdesk_agent, ordinary_user):
        with pytest.raises(NotCustomerGlobalAdminToDecline) as info:
            decline_invitation(session, actor, code=created.code)
        assert info.value.code == 800119
    with pytest.raises(InvitationNotFound):
        decline_invitation(session, world.customer_admin, code="no-such-code")


# --- the customer's inbox ------------------------------------------------------------------------------------


def test_the_inbox_lists_pending_invitations_addressed_to_the_tenant_from_any_partner(
    session: Session, world: World
) -> None:
    from_other = _address_to_world_customer(session, world)
    from_partner = _invite(session, world)
    create_invitation(session, world.other.admin, base_url=BASE)  # to any customer: in nobody's inbox
    stranger = make_customer(session, world.other.admin)
    create_invitation(session, world.other.admin, base_url=BASE, customer_id=stranger.customer.id)
    inbox = list_received_invitations(session, world.customer_admin)
    assert {(i.request.id, i.partner_name, i.status) for i in inbox} == {
        (from_other.request.id, "Northwind Cloud", "sent"),
        (from_partner.request.id, "Contoso Direct", "sent"),
    }
    assert (
        list_received_invitations(session, actor_for_user(session, stranger.admin))[0].partner_name == "Northwind Cloud"
    )


def test_the_inbox_holds_only_pending_ones_unless_a_status_is_asked(session: Session, world: World) -> None:
    answered = _address_to_world_customer(session, world)
    decline_invitation(session, world.customer_admin, code=answered.code)
    with frozen_at(T0):
        expiring = _invite(session, world, days=1)
    with frozen_at(T0 + timedelta(days=2)):
        assert list_received_invitations(session, world.customer_admin) == []
        assert [i.request.id for i in list_received_invitations(session, world.customer_admin, status="declined")] == [
            answered.request.id
        ]
        expired = list_received_invitations(session, world.customer_admin, status="expired")
        assert [(i.request.id, i.status) for i in expired] == [(expiring.request.id, "expired")]


def test_the_inbox_is_the_customer_global_admins(session: Session, world: World) -> None:
    from partnerhub.errors import Forbidden

    with pytest.raises(Forbidden):
        list_received_invitations(session, world.partner.admin)


def test_an_invitation_in_the_inbox_is_accepted_or_declined_by_its_id(session: Session, world: World) -> None:
    first = _address_to_world_customer(session, world)
    second = _invite(session, world, dap=True)
    seen = get_received_invitation(session, world.customer_admin, invitation_id=first.request.id)
    assert (seen.partner_name, seen.request.include_delegated_admin) == ("Northwind Cloud", True)
    view = describe_invitation(session, world.customer_admin, code=first.request.id)
    assert (view.partner_name, view.status, view.request_id) == ("Northwind Cloud", "sent", first.request.id)
    rel = accept_invitation(session, world.customer_admin, code=first.request.id)
    assert rel.partner_id == world.other.partner_id and rel.has_delegated_admin
    declined = decline_invitation(session, world.customer_admin, code=second.request.id.upper())
    assert declined.status == "declined"


def test_an_id_is_not_a_code_for_anyone_but_the_customer_it_is_addressed_to(session: Session, world: World) -> None:
    addressed = _invite(session, world)
    to_anyone = create_invitation(session, world.other.admin, base_url=BASE)
    stranger = actor_for_user(session, make_customer(session, world.other.admin).admin)
    for actor, request_id in ((stranger, addressed.request.id), (world.customer_admin, to_anyone.request.id)):
        with pytest.raises(InvitationNotFound):
            accept_invitation(session, actor, code=request_id)
        with pytest.raises(InvitationNotFound):
            decline_invitation(session, actor, code=request_id)
        with pytest.raises(InvitationNotFound):
            get_received_invitation(session, actor, invitation_id=request_id)
    with pytest.raises(InvitationNotFound):
        describe_invitation(session, world.partner.admin, code=addressed.request.id)


# --- status filters --------------------------------------------------------------------------------------


def test_the_partner_filters_its_invitations_on_every_status(session: Session, world: World) -> None:
    with frozen_at(T0):
        expired = create_invitation(session, world.partner.admin, base_url=BASE, valid_days=1)
    sent = create_invitation(session, world.partner.admin, base_url=BASE)
    accepted = create_invitation(session, world.partner.admin, base_url=BASE)
    declined = create_invitation(session, world.partner.admin, base_url=BASE)
    revoked = create_invitation(session, world.partner.admin, base_url=BASE)
    other_customer = make_customer(session, world.other.admin)
    accept_invitation(session, actor_for_user(session, other_customer.admin), code=accepted.code)
    decline_invitation(session, world.customer_admin, code=declined.code)
    revoke_invitation(session, world.partner.admin, invitation_id=revoked.request.id)
    expected = {"sent": sent, "accepted": accepted, "declined": declined, "expired": expired, "revoked": revoked}
    for status, created in expected.items():
        for spelling in (status, status.upper(), f" {status} "):
            found = list_invitations(session, world.partner.admin, status=spelling)
            assert [r.id for r in found] == [created.request.id], spelling
    assert len(list_invitations(session, world.partner.admin)) == 5


def test_an_unknown_status_is_refused_naming_the_statuses(session: Session, world: World) -> None:
    for lister in (
        lambda s: list_invitations(session, world.partner.admin, status=s),
        lambda s: list_received_invitations(session, world.customer_admin, status=s),
    ):
        with pytest.raises(InvalidInput) as info:
            lister("active")
        assert "sent, accepted, declined, expired, revoked" in str(info.value)

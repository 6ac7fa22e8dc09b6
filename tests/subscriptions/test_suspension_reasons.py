"""Suspension reasons (issue 15 §3, Google Channel API's model): a subscription carries every reason it is
suspended for, each with who suspended it, when and an optional note; a reactivation lifts only the
reasons of the party reactivating, and the subscription is active again only when none is left."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.errors import AddonParentNotActive, InvalidInput, SuspendedByAnotherParty
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.schemas import subscription_dict
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.offboard_customer import offboard_customer
from tests.activity import activity
from tests.conftest import World
from tests.factories import M365_E3, TEAMS_PHONE_ADDON, buy
from tests.partnerships.world import Indirect, customer_for_reseller, make_indirect, partner_up


@dataclass
class Sold:
    """A subscription the provider sold through its reseller (the reseller is the reseller of record)."""

    indirect: Indirect
    customer_id: str
    sub: Subscription

    @property
    def provider(self) -> Actor:
        return self.indirect.provider.admin

    @property
    def reseller(self) -> Actor:
        return self.indirect.reseller.admin


@pytest.fixture
def sold(session: Session) -> Sold:
    indirect = make_indirect(session)
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller, name="Wingtip Toys")
    _o, _i, [sub] = create_order(
        session,
        indirect.provider.admin,
        customer_id=created.customer.id,
        line_items=[LineItemInput(offer_id=M365_E3, quantity=5, partner_id_on_record=indirect.reseller.mpn_id)],
    )
    return Sold(indirect, created.customer.id, sub)


def _change(
    session: Session, actor: Actor, customer_id: str, sub: Subscription, status: str, note: str | None = None
) -> Subscription:
    return update_subscription(
        session,
        actor,
        customer_id=customer_id,
        subscription_id=sub.id,
        change=SubscriptionChange(status=status, suspension_note=note),
    )


def _reasons(sub: Subscription) -> list[tuple[str, str]]:
    return [(s.reason, s.initiator_partner_id) for s in sub.suspension_details]


def test_a_direct_partners_suspension_is_reseller_initiated_with_who_when_and_the_note(
    session: Session, world: World
) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    _change(session, world.partner.helpdesk_agent, world.customer_id, sub, "suspended", note="  unpaid invoice  ")

    assert sub.suspension_reasons == ["ResellerInitiated"]
    [s] = sub.suspension_details
    assert (s.reason, s.initiator_partner_id, s.initiated_by, s.note) == (
        "ResellerInitiated",
        world.partner.partner_id,
        world.partner.helpdesk_agent.email,
        "unpaid invoice",
    )
    out = subscription_dict(sub)
    assert out["suspensionReasons"] == ["ResellerInitiated"]
    [shown] = out["suspensions"]
    assert shown["reason"] == "ResellerInitiated"
    assert shown["initiatorPartnerId"] == world.partner.partner_id
    assert shown["initiatedBy"] == world.partner.helpdesk_agent.email
    assert shown["note"] == "unpaid invoice"
    assert shown["at"].endswith("Z")
    [rec] = activity(session, resource_id=sub.id, resource_type="subscription")
    assert rec.new_value is not None
    assert rec.new_value["suspensionReasons"] == ["ResellerInitiated"]
    assert rec.new_value["suspensionNote"] == "unpaid invoice"


def test_a_note_longer_than_500_characters_is_refused(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    with pytest.raises(InvalidInput):
        _change(session, world.partner.admin, world.customer_id, sub, "suspended", note="x" * 501)

    assert sub.status == "active"


def test_an_active_subscription_shows_no_suspensions(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    out = subscription_dict(sub)

    assert out["suspensionReasons"] == []
    assert out["suspensions"] == []


def test_the_provider_suspends_a_subscription_sold_through_its_reseller_as_provider_initiated(
    session: Session, sold: Sold
) -> None:
    _change(session, sold.provider, sold.customer_id, sold.sub, "suspended", note="non-payment")

    assert sold.sub.status == "suspended"
    assert _reasons(sold.sub) == [("ProviderInitiated", sold.indirect.provider.partner_id)]


def test_the_reseller_cannot_lift_the_providers_reason(session: Session, sold: Sold) -> None:
    _change(session, sold.provider, sold.customer_id, sold.sub, "suspended", note="non-payment")
    version = sold.sub.version

    with pytest.raises(SuspendedByAnotherParty) as err:
        _change(session, sold.reseller, sold.customer_id, sold.sub, "active")

    assert err.value.code == 800600
    assert err.value.data == [
        {
            "reason": "ProviderInitiated",
            "initiatorPartnerId": sold.indirect.provider.partner_id,
            "initiator": "Tailspin Distribution",
        }
    ]
    assert "ProviderInitiated (Tailspin Distribution)" in err.value.render("en")
    assert "Tailspin Distribution" in err.value.render("it")
    assert err.value.render("it") != err.value.render("en")
    assert sold.sub.status == "suspended"
    assert sold.sub.version == version


def test_each_party_lifts_only_its_own_reason_and_the_last_one_reactivates(session: Session, sold: Sold) -> None:
    _change(session, sold.provider, sold.customer_id, sold.sub, "suspended", note="non-payment")
    # the reseller suspends it too, for its own reason: added beside the provider's
    _change(session, sold.reseller, sold.customer_id, sold.sub, "suspended", note="customer asked")
    assert _reasons(sold.sub) == [
        ("ProviderInitiated", sold.indirect.provider.partner_id),
        ("ResellerInitiated", sold.indirect.reseller.partner_id),
    ]
    assert sold.sub.suspension_reasons == ["ProviderInitiated", "ResellerInitiated"]

    # the provider lifts its reason: the reseller's remains, so the subscription stays suspended
    _change(session, sold.provider, sold.customer_id, sold.sub, "active")
    assert sold.sub.status == "suspended"
    assert _reasons(sold.sub) == [("ResellerInitiated", sold.indirect.reseller.partner_id)]
    lifted = activity(session, resource_id=sold.sub.id, operation="reactivate_subscription")
    assert lifted[-1].new_value == {"suspensionReasons": ["ResellerInitiated"]}

    # the reseller lifts the last one: active again
    _change(session, sold.reseller, sold.customer_id, sold.sub, "active")
    assert sold.sub.status == "active"
    assert sold.sub.suspension_details == []
    assert sold.sub.suspension_reasons == []


def test_suspending_again_for_a_reason_already_held_is_no_change(session: Session, sold: Sold) -> None:
    _change(session, sold.provider, sold.customer_id, sold.sub, "suspended")
    version = sold.sub.version

    _change(session, sold.provider, sold.customer_id, sold.sub, "suspended", note="again")

    assert sold.sub.version == version
    assert len(sold.sub.suspension_details) == 1
    assert sold.sub.suspension_details[0].note == ""


def test_an_add_on_suspended_with_its_parent_carries_parent_suspended_from_the_same_party(
    session: Session, world: World
) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)
    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id)

    _change(session, world.partner.admin, world.customer_id, parent, "suspended")

    assert _reasons(addon) == [("ParentSuspended", world.partner.partner_id)]
    with pytest.raises(AddonParentNotActive):
        _change(session, world.partner.admin, world.customer_id, addon, "active")
    _change(session, world.partner.admin, world.customer_id, parent, "active")
    # the parent is active again, so ParentSuspended no longer holds: reactivating the add-on lifts it
    _change(session, world.partner.admin, world.customer_id, addon, "active")
    assert addon.status == "active"


def test_offboarding_suspends_with_the_same_reasons_as_one_by_one(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)
    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id)

    offboard_customer(session, world.partner.admin, customer_id=world.customer_id)

    assert _reasons(parent) == [("ResellerInitiated", world.partner.partner_id)]
    assert _reasons(addon) == [("ParentSuspended", world.partner.partner_id)]
    assert parent.suspension_details[0].initiated_by == world.partner.admin.email

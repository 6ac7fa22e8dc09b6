"""Designated support contacts: the default, a change to an indirect reseller, who may see and change it,
the available contacts, and the fallback when a support contact leaves the customer (DOMAIN.md §2, §3, §8)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.errors import (
    CustomerNotFound,
    Forbidden,
    NoActivePartnership,
    PartnerNotFound,
    PartnerReferenceMismatch,
    PartnerReferenceMissing,
    ResellerNotRelatedToCustomer,
    SubscriptionDeleted,
    SubscriptionNotFound,
    SupportContactChangeForbidden,
    SupportContactNotAllowed,
)
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.support_contacts.schemas import SupportContact, support_contact_dict, support_contact_etag
from partnerhub.support_contacts.service import (
    fall_back_support_contacts,
    get_support_contact,
    list_available_support_contacts,
    set_support_contact,
)
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.conftest import World
from tests.factories import AZURE_RESERVATION, M365_BASIC, M365_E3, buy, make_partner
from tests.partnerships.world import (
    Indirect,
    customer_admin,
    customer_for_reseller,
    make_indirect,
    partner_up,
    records,
    relate,
)


@dataclass
class Setup:
    """A provider and its reseller, a customer created for the reseller, and a subscription sold by the
    provider with the reseller of record."""

    indirect: Indirect
    customer_id: str
    ga: Actor
    sub: Subscription


@pytest.fixture
def setup(session: Session) -> Setup:
    indirect = make_indirect(session)
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller, name="Wingtip Toys")
    _o, _i, [sub] = create_order(
        session,
        indirect.provider.admin,
        customer_id=created.customer.id,
        line_items=[LineItemInput(offer_id=M365_E3, quantity=5, partner_id_on_record=indirect.reseller.mpn_id)],
    )
    return Setup(indirect, created.customer.id, customer_admin(session, created), sub)


def _get(session: Session, s: Setup, actor: Actor | None = None) -> SupportContact | None:
    return get_support_contact(
        session, actor or s.indirect.provider.admin, customer_id=s.customer_id, subscription_id=s.sub.id
    )


def _set(
    session: Session, s: Setup, mpn_id: str | None = None, *, actor: Actor | None = None, tenant_id: str | None = None
) -> SupportContact | None:
    return set_support_contact(
        session,
        actor or s.indirect.provider.admin,
        customer_id=s.customer_id,
        subscription_id=s.sub.id,
        support_mpn_id=mpn_id,
        support_tenant_id=tenant_id,
    )


# --- the default --------------------------------------------------------------------------------------


def test_the_default_support_contact_is_the_provider(session: Session, setup: Setup) -> None:
    contact = _get(session, setup)
    p = setup.indirect.provider
    assert contact == SupportContact(p.partner_id, p.mpn_id, "Tailspin Distribution", is_default=True)
    assert support_contact_dict(contact, customer_id=setup.customer_id, subscription_id=setup.sub.id) == {
        "supportTenantId": p.partner_id,
        "supportMpnId": p.mpn_id,
        "name": "Tailspin Distribution",
        "links": {
            "self": {
                "uri": f"/customers/{setup.customer_id}/subscriptions/{setup.sub.id}/supportcontact",
                "method": "GET",
                "headers": [],
            }
        },
        "attributes": {"objectType": "SupportContact", "etag": support_contact_etag(setup.sub.id, contact)},
    }


def test_the_default_support_contact_of_a_direct_sale_is_the_direct_partner(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)
    contact = get_support_contact(session, world.customer_admin, customer_id=world.customer_id, subscription_id=sub.id)
    assert contact is not None and contact.partner_id == world.partner.partner_id and contact.is_default


def test_the_customer_the_reseller_of_record_and_the_operator_read_the_support_contact(
    session: Session, setup: Setup
) -> None:
    for actor in (setup.ga, setup.indirect.reseller.helpdesk_agent, Actor.system()):
        contact = _get(session, setup, actor)
        assert contact is not None and contact.partner_id == setup.indirect.provider.partner_id


def test_strangers_do_not_find_the_subscription(session: Session, setup: Setup, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        _get(session, setup, world.partner.admin)
    with pytest.raises(CustomerNotFound):
        _get(session, setup, world.customer_admin)
    with pytest.raises(SubscriptionNotFound):
        get_support_contact(session, setup.ga, customer_id=setup.customer_id, subscription_id="nope")


# --- changing it --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "admin_agent", "helpdesk_agent"])
def test_the_provider_designates_its_reseller(session: Session, setup: Setup, role: str) -> None:
    r = setup.indirect.reseller
    contact = _set(session, setup, f" {r.mpn_id} ", actor=getattr(setup.indirect.provider, role))
    assert contact == SupportContact(r.partner_id, r.mpn_id, "Adatum Rivendita", is_default=False)
    assert setup.sub.support_contact_id == r.partner_id
    assert _get(session, setup, setup.ga) == contact
    [rec] = records(session, "update_subscription_support_contact", resource_id=setup.sub.id)
    assert (rec.partner_id, rec.customer_id, rec.resource_type) == (
        setup.indirect.provider.partner_id,
        setup.customer_id,
        "subscription",
    )
    assert rec.old_value == {
        "supportTenantId": setup.indirect.provider.partner_id,
        "supportMpnId": setup.indirect.provider.mpn_id,
        "isDefault": True,
    }
    assert rec.new_value == {"supportTenantId": r.partner_id, "supportMpnId": r.mpn_id, "isDefault": False}


def test_the_reseller_can_be_named_by_tenant_id_or_both_ids(session: Session, setup: Setup) -> None:
    r = setup.indirect.reseller
    assert _set(session, setup, tenant_id=r.partner_id.upper()) is not None
    assert setup.sub.support_contact_id == r.partner_id
    _set(session, setup, r.mpn_id, tenant_id=r.partner_id)  # the same contact again: no change
    assert len(records(session, "update_subscription_support_contact", resource_id=setup.sub.id)) == 1
    with pytest.raises(PartnerReferenceMismatch):
        _set(session, setup, setup.indirect.provider.mpn_id, tenant_id=r.partner_id)
    with pytest.raises(PartnerReferenceMissing):
        _set(session, setup)
    with pytest.raises(PartnerNotFound):
        _set(session, setup, "0000000")


def test_naming_the_provider_itself_goes_back_to_the_default(session: Session, setup: Setup) -> None:
    _set(session, setup, setup.indirect.reseller.mpn_id)
    contact = _set(session, setup, setup.indirect.provider.mpn_id)
    assert setup.sub.support_contact_id is None
    assert contact is not None and contact.is_default and contact.partner_id == setup.indirect.provider.partner_id
    recs = records(session, "update_subscription_support_contact", resource_id=setup.sub.id)
    assert len(recs) == 2 and recs[1].new_value is not None and recs[1].new_value["isDefault"] is True
    _set(session, setup, setup.indirect.provider.mpn_id)  # already the default: no record
    assert len(records(session, "update_subscription_support_contact", resource_id=setup.sub.id)) == 2


def test_a_sales_agent_cannot_change_the_support_contact(session: Session, setup: Setup) -> None:
    with pytest.raises(Forbidden):
        _set(session, setup, setup.indirect.reseller.mpn_id, actor=setup.indirect.provider.sales_agent)


def test_the_reseller_of_record_cannot_change_it(session: Session, setup: Setup) -> None:
    with pytest.raises(SupportContactChangeForbidden) as info:
        _set(session, setup, setup.indirect.reseller.mpn_id, actor=setup.indirect.reseller.admin)
    assert info.value.kind == "forbidden" and setup.sub.id in str(info.value)
    assert records(session, "update_subscription_support_contact") == []


def test_a_customer_user_or_stranger_cannot_change_it(session: Session, setup: Setup, world: World) -> None:
    with pytest.raises(Forbidden):
        _set(session, setup, setup.indirect.reseller.mpn_id, actor=setup.ga)
    with pytest.raises(CustomerNotFound):
        _set(session, setup, setup.indirect.reseller.mpn_id, actor=world.partner.admin)
    with pytest.raises(SubscriptionNotFound):
        set_support_contact(
            session,
            setup.indirect.provider.admin,
            customer_id=setup.customer_id,
            subscription_id="nope",
            support_mpn_id=setup.indirect.reseller.mpn_id,
        )


@pytest.mark.parametrize("partner_type", ["direct", "indirect-provider"])
def test_only_a_reseller_or_the_seller_itself_can_be_the_contact(
    session: Session, setup: Setup, partner_type: str
) -> None:
    other = make_partner(session, name="Someone Else", partner_type=partner_type)
    relate(session, other, setup.ga)
    with pytest.raises(SupportContactNotAllowed) as info:
        _set(session, setup, other.mpn_id)
    assert "Someone Else" in str(info.value) and info.value.code == 800313


def test_a_reseller_without_an_active_partnership_cannot_be_the_contact(session: Session, setup: Setup) -> None:
    stray = make_partner(session, name="Stray Rivendita", partner_type="indirect-reseller")
    relate(session, stray, setup.ga)
    with pytest.raises(NoActivePartnership):
        _set(session, setup, stray.mpn_id)
    assert setup.sub.support_contact_id is None


def test_a_reseller_not_related_to_the_customer_cannot_be_the_contact(session: Session, setup: Setup) -> None:
    other = make_partner(session, name="Bellows Rivendita", partner_type="indirect-reseller")
    partner_up(session, setup.indirect.provider, other)
    with pytest.raises(ResellerNotRelatedToCustomer) as info:
        _set(session, setup, other.mpn_id)
    assert "Bellows Rivendita" in str(info.value)
    assert records(session, "update_subscription_support_contact") == []


def test_a_direct_partner_can_only_keep_itself(session: Session, world: World) -> None:
    reseller = make_partner(session, partner_type="indirect-reseller")
    relate(session, reseller, world.customer_admin)
    sub = buy(session, world.partner.admin, world.customer_id)
    with pytest.raises(NoActivePartnership):
        set_support_contact(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            subscription_id=sub.id,
            support_mpn_id=reseller.mpn_id,
        )
    contact = set_support_contact(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        subscription_id=sub.id,
        support_tenant_id=world.partner.partner_id,
    )
    assert contact is not None and contact.is_default
    assert records(session, "update_subscription_support_contact") == []


def test_a_cancelled_subscription_keeps_its_support_contact(session: Session, world: World) -> None:
    ri = buy(session, world.partner.admin, world.customer_id, AZURE_RESERVATION, quantity=1)
    update_subscription(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        subscription_id=ri.id,
        change=SubscriptionChange(status="deleted"),
    )
    with pytest.raises(SubscriptionDeleted):
        set_support_contact(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            subscription_id=ri.id,
            support_mpn_id=world.partner.mpn_id,
        )


# --- available support contacts -----------------------------------------------------------------------


def test_the_customer_sees_every_related_partner(session: Session, setup: Setup) -> None:
    direct = make_partner(session, name="Contoso Direct", partner_type="direct")
    relate(session, direct, setup.ga)
    names = [c.name for c in list_available_support_contacts(session, setup.ga, customer_id=setup.customer_id)]
    assert names == ["Adatum Rivendita", "Contoso Direct", "Tailspin Distribution"]
    assert [
        c.name for c in list_available_support_contacts(session, Actor.system(), customer_id=setup.customer_id)
    ] == names


def test_a_partner_sees_itself_and_its_partnership_counterparts(session: Session, setup: Setup) -> None:
    relate(session, make_partner(session, name="Contoso Direct", partner_type="direct"), setup.ga)
    provider_view = list_available_support_contacts(
        session, setup.indirect.provider.helpdesk_agent, customer_id=setup.customer_id
    )
    assert [c.name for c in provider_view] == ["Adatum Rivendita", "Tailspin Distribution"]
    reseller_view = list_available_support_contacts(
        session, setup.indirect.reseller.admin, customer_id=setup.customer_id
    )
    assert [c.name for c in reseller_view] == ["Adatum Rivendita", "Tailspin Distribution"]


def test_a_removed_partner_is_no_longer_available(session: Session, setup: Setup) -> None:
    update_subscription(
        session,
        setup.indirect.provider.admin,
        customer_id=setup.customer_id,
        subscription_id=setup.sub.id,
        change=SubscriptionChange(status="suspended"),
    )
    remove_reseller_relationship(session, setup.indirect.reseller.admin, customer_id=setup.customer_id)
    assert [c.name for c in list_available_support_contacts(session, setup.ga, customer_id=setup.customer_id)] == [
        "Tailspin Distribution"
    ]


def test_strangers_cannot_list_available_contacts(session: Session, setup: Setup, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        list_available_support_contacts(session, world.partner.admin, customer_id=setup.customer_id)
    with pytest.raises(CustomerNotFound):
        list_available_support_contacts(session, world.customer_admin, customer_id=setup.customer_id)


# --- fallback -----------------------------------------------------------------------------------------


def test_subscriptions_of_a_leaving_contact_fall_back_to_the_provider(session: Session, setup: Setup) -> None:
    r = setup.indirect.reseller
    _o, _i, [other] = create_order(
        session,
        setup.indirect.provider.admin,
        customer_id=setup.customer_id,
        line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1)],
    )
    _set(session, setup, r.mpn_id)
    changed = fall_back_support_contacts(session, r.admin, partner_id=r.partner_id, customer_id=setup.customer_id)
    assert changed == [setup.sub] and setup.sub.support_contact_id is None and other.support_contact_id is None
    contact = _get(session, setup)
    assert contact is not None and contact.is_default and contact.partner_id == setup.indirect.provider.partner_id
    recs = records(session, "update_subscription_support_contact", resource_id=setup.sub.id)
    assert len(recs) == 2
    assert recs[1].partner_id == setup.indirect.provider.partner_id
    assert recs[1].user_principal_name == r.admin.email
    assert recs[1].old_value == {"supportTenantId": r.partner_id, "supportMpnId": r.mpn_id, "isDefault": False}
    assert recs[1].new_value == {
        "supportTenantId": setup.indirect.provider.partner_id,
        "supportMpnId": setup.indirect.provider.mpn_id,
        "isDefault": True,
    }
    # Nothing designates the reseller any more: a second call changes nothing.
    assert fall_back_support_contacts(session, r.admin, partner_id=r.partner_id, customer_id=setup.customer_id) == []


def test_without_a_related_provider_the_fallback_is_no_contact(session: Session, setup: Setup) -> None:
    _set(session, setup, setup.indirect.reseller.mpn_id)
    update_subscription(
        session,
        setup.indirect.provider.admin,
        customer_id=setup.customer_id,
        subscription_id=setup.sub.id,
        change=SubscriptionChange(status="suspended"),
    )
    remove_reseller_relationship(session, setup.indirect.provider.admin, customer_id=setup.customer_id)
    # The reseller still is the designated contact: the provider's removal leaves it alone.
    contact = _get(session, setup, setup.ga)
    assert contact is not None and contact.partner_id == setup.indirect.reseller.partner_id
    fall_back_support_contacts(
        session, setup.ga, partner_id=setup.indirect.reseller.partner_id, customer_id=setup.customer_id
    )
    assert _get(session, setup, setup.ga) is None
    [_, rec] = records(session, "update_subscription_support_contact", resource_id=setup.sub.id)
    assert rec.new_value == {"supportTenantId": None, "supportMpnId": None, "isDefault": False}
    assert support_contact_dict(None) == {
        "supportTenantId": None,
        "supportMpnId": None,
        "name": None,
        "attributes": {"objectType": "SupportContact"},
    }


def test_the_fallback_touches_only_that_customers_subscriptions(session: Session, setup: Setup) -> None:
    r = setup.indirect.reseller
    second = customer_for_reseller(session, setup.indirect.provider.admin, r)
    _o, _i, [elsewhere] = create_order(
        session,
        setup.indirect.provider.admin,
        customer_id=second.customer.id,
        line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1, partner_id_on_record=r.mpn_id)],
    )
    set_support_contact(
        session,
        setup.indirect.provider.admin,
        customer_id=second.customer.id,
        subscription_id=elsewhere.id,
        support_mpn_id=r.mpn_id,
    )
    _set(session, setup, r.mpn_id)
    fall_back_support_contacts(session, r.admin, partner_id=r.partner_id, customer_id=setup.customer_id.upper())
    assert setup.sub.support_contact_id is None and elsewhere.support_contact_id == r.partner_id

"""The indirect model in commerce: a provider creates customers and orders for its resellers' customers,
naming the reseller of record; a reseller orders nothing itself; ending a partnership changes nothing that
exists (DOMAIN.md §5, §8 "Orders")."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import customer_dict
from partnerhub.customers.service import get_customer, list_customers
from partnerhub.errors import (
    NoActivePartnership,
    NotAnIndirectProvider,
    NotAnIndirectReseller,
    PartnerNotFound,
    ResellerNotRelatedToCustomer,
    ResellerOfRecordNotAllowed,
    ResellerPlacesNoOrders,
    UnknownResellerOfRecord,
)
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.partnerships.service import end_partnership, invite_reseller
from partnerhub.relationships.queries import find_active_relationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.queries import get_subscription
from partnerhub.subscriptions.service import list_subscriptions
from partnerhub.support_contacts.service import get_support_contact, set_support_contact
from partnerhub.usecases.customer_partners import list_partners_of_customer
from tests.conftest import World
from tests.factories import M365_BASIC, M365_E3, buy, make_customer, make_partner
from tests.partnerships.world import (
    Indirect,
    customer_admin,
    customer_for_reseller,
    make_indirect,
    partner_up,
    records,
    relate,
)


@pytest.fixture
def indirect(session: Session) -> Indirect:
    return make_indirect(session)


def _customers(session: Session) -> int:
    session.flush()
    return session.scalar(select(func.count()).select_from(Customer)) or 0


def _order(
    session: Session, indirect: Indirect, customer_id: str, mpn_id: str | None = None, offer_id: str = M365_BASIC
) -> Subscription:
    _o, _items, [sub] = create_order(
        session,
        indirect.provider.sales_agent,
        customer_id=customer_id,
        line_items=[
            LineItemInput(offer_id=offer_id, quantity=3, partner_id_on_record=mpn_id or indirect.reseller.mpn_id)
        ],
    )
    return sub


# --- customers for a reseller -------------------------------------------------------------------------


def test_a_provider_creates_a_customer_for_its_reseller(session: Session, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin_agent, indirect.reseller, name="Wingtip Toys")
    cid = created.customer.id
    assert created.relationship.partner_id == indirect.provider.partner_id
    assert created.relationship.associated_partner_id == indirect.reseller.partner_id
    assert created.relationship.has_delegated_admin
    rrel = created.reseller_relationship
    assert rrel is not None and rrel.partner_id == indirect.reseller.partner_id and rrel.customer_id == cid
    assert rrel.status == "active" and not rrel.has_delegated_admin and rrel.associated_partner_id is None
    assert find_active_relationship(session, partner_id=indirect.reseller.partner_id, customer_id=cid) is rrel
    d = customer_dict(created.customer, associated_partner_id=created.relationship.associated_partner_id)
    assert d["associatedPartnerId"] == indirect.reseller.partner_id

    [added] = records(session, "add_customer", customer_id=cid)
    assert added.partner_id == indirect.provider.partner_id
    assert added.new_value is not None and added.new_value["associatedPartnerId"] == indirect.reseller.partner_id
    [related] = records(session, "add_partner_customer_relationship", customer_id=cid)
    assert (related.partner_id, related.resource_id) == (indirect.reseller.partner_id, rrel.id)
    assert related.new_value == {
        "relationshipToPartner": "reseller",
        "allowDelegatedAccess": False,
        "indirectProviderId": indirect.provider.partner_id,
    }
    assert related.user_principal_name == indirect.provider.admin_agent.email


def test_both_partners_list_the_customer_and_the_customer_sees_both(session: Session, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    cid = created.customer.id
    for actor in (indirect.provider.admin, indirect.reseller.sales_agent):
        assert [r.customer.id for r in list_customers(session, actor).items] == [cid]
        get_customer(session, actor, customer_id=cid)
    assert {p.partner_id for p in list_partners_of_customer(session, customer_admin(session, created))} == {
        indirect.provider.partner_id,
        indirect.reseller.partner_id,
    }


@pytest.mark.parametrize("partner_type", ["direct", "indirect-reseller"])
def test_only_an_indirect_provider_names_an_associated_partner(
    session: Session, indirect: Indirect, partner_type: str
) -> None:
    creator = make_partner(session, partner_type=partner_type)
    before = _customers(session)
    with pytest.raises(NotAnIndirectProvider):
        customer_for_reseller(session, creator.admin, indirect.reseller)
    assert _customers(session) == before
    assert records(session, "add_customer", partner_id=creator.partner_id) == []


def test_the_associated_partner_must_be_an_indirect_reseller(session: Session, indirect: Indirect) -> None:
    direct = make_partner(session, partner_type="direct")
    with pytest.raises(NotAnIndirectReseller):
        customer_for_reseller(session, indirect.provider.admin, direct)
    unknown = replace(direct, partner_id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(PartnerNotFound):
        customer_for_reseller(session, indirect.provider.admin, unknown)


def test_a_customer_for_a_reseller_needs_an_active_partnership(session: Session, indirect: Indirect) -> None:
    before = _customers(session)
    with pytest.raises(NoActivePartnership):
        customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    invited = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    with pytest.raises(NoActivePartnership) as info:
        customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    assert "Adatum Rivendita" in str(info.value) and "Tailspin Distribution" in str(info.value)
    end_partnership(session, indirect.reseller.admin, partnership_id=invited.id)
    with pytest.raises(NoActivePartnership):
        customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    assert _customers(session) == before
    assert records(session, "add_customer", partner_id=indirect.provider.partner_id) == []


# --- orders naming a reseller of record ---------------------------------------------------------------


def test_a_provider_orders_for_its_resellers_customer(session: Session, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    cid = customer_for_reseller(session, indirect.provider.admin, indirect.reseller).customer.id
    sub = _order(session, indirect, cid)
    assert (sub.partner_id, sub.reseller_partner_id) == (indirect.provider.partner_id, indirect.reseller.partner_id)
    assert sub.support_contact_id is None  # the default: the provider
    [rec] = records(session, "create_order", customer_id=cid)
    assert rec.partner_id == indirect.provider.partner_id
    assert rec.new_value is not None and rec.new_value["lineItems"][0]["partnerIdOnRecord"] == indirect.reseller.mpn_id
    # The reseller of record sees the subscription it holds.
    assert get_subscription(session, indirect.reseller.helpdesk_agent, customer_id=cid, subscription_id=sub.id) == sub


def test_the_reseller_of_record_needs_an_active_partnership(session: Session, indirect: Indirect) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    cid = customer_for_reseller(session, indirect.provider.admin, indirect.reseller).customer.id
    end_partnership(session, indirect.provider.admin, partnership_id=p.id)
    with pytest.raises(NoActivePartnership):
        _order(session, indirect, cid)
    assert records(session, "create_order", customer_id=cid) == []
    assert list_subscriptions(session, indirect.provider.admin, customer_id=cid).items == []


def test_the_reseller_of_record_needs_a_relationship_with_the_customer(session: Session, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    cid = make_customer(session, indirect.provider.admin).customer.id  # the provider's own customer
    with pytest.raises(ResellerNotRelatedToCustomer) as info:
        _order(session, indirect, cid)
    assert info.value.code == 800307 and cid in str(info.value)
    assert records(session, "create_order", customer_id=cid) == []


def test_a_reseller_related_by_a_relationship_request_can_be_named(session: Session, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    created = make_customer(session, indirect.provider.admin)
    relate(session, indirect.reseller, customer_admin(session, created))
    assert _order(session, indirect, created.customer.id).reseller_partner_id == indirect.reseller.partner_id


def test_another_providers_reseller_cannot_be_named(session: Session, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    rival = make_partner(session, partner_type="indirect-provider")
    relate(session, rival, customer_admin(session, created))
    with pytest.raises(NoActivePartnership):
        create_order(
            session,
            rival.admin,
            customer_id=created.customer.id,
            line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1, partner_id_on_record=indirect.reseller.mpn_id)],
        )


def test_a_direct_partner_names_no_reseller_of_record(session: Session, world: World, indirect: Indirect) -> None:
    with pytest.raises(ResellerOfRecordNotAllowed) as info:
        create_order(
            session,
            world.partner.sales_agent,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1, partner_id_on_record=indirect.reseller.mpn_id)],
        )
    assert info.value.kind == "invalid"
    assert records(session, "create_order", customer_id=world.customer_id) == []


def test_an_unknown_reseller_of_record_is_still_unknown_for_a_provider(session: Session, indirect: Indirect) -> None:
    cid = make_customer(session, indirect.provider.admin).customer.id
    with pytest.raises(UnknownResellerOfRecord):
        _order(session, indirect, cid, mpn_id="0000001")


@pytest.mark.parametrize("role", ["admin", "admin_agent", "sales_agent"])
def test_a_reseller_places_no_orders(session: Session, indirect: Indirect, role: str) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    cid = customer_for_reseller(session, indirect.provider.admin, indirect.reseller).customer.id
    with pytest.raises(ResellerPlacesNoOrders) as info:
        buy(session, getattr(indirect.reseller, role), cid)
    assert info.value.kind == "forbidden"
    assert records(session, "create_order", customer_id=cid) == []


# --- ending a partnership changes nothing that exists -------------------------------------------------


def test_ending_a_partnership_leaves_customers_and_subscriptions_untouched(
    session: Session, indirect: Indirect
) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    cid = created.customer.id
    basic = _order(session, indirect, cid)
    e3 = _order(session, indirect, cid, offer_id=M365_E3)
    set_support_contact(
        session,
        indirect.provider.admin,
        customer_id=cid,
        subscription_id=e3.id,
        support_mpn_id=indirect.reseller.mpn_id,
    )
    end_partnership(session, indirect.reseller.admin, partnership_id=p.id)

    for partner in (indirect.provider, indirect.reseller):
        assert [r.customer.id for r in list_customers(session, partner.admin).items] == [cid]
    provider_rel = find_active_relationship(session, partner_id=indirect.provider.partner_id, customer_id=cid)
    assert provider_rel is not None and provider_rel.has_delegated_admin
    assert provider_rel.associated_partner_id == indirect.reseller.partner_id
    assert find_active_relationship(session, partner_id=indirect.reseller.partner_id, customer_id=cid) is not None
    subs = list_subscriptions(session, indirect.reseller.admin, customer_id=cid).items
    assert {(s.id, s.status, s.reseller_partner_id) for s in subs} == {
        (basic.id, "active", indirect.reseller.partner_id),
        (e3.id, "active", indirect.reseller.partner_id),
    }
    contact = get_support_contact(session, indirect.provider.admin, customer_id=cid, subscription_id=e3.id)
    assert contact is not None and contact.partner_id == indirect.reseller.partner_id
    # Only the future changes: no new order naming the reseller.
    with pytest.raises(NoActivePartnership):
        _order(session, indirect, cid)
    # ... while the provider still sells to the customer in its own name.
    assert buy(session, indirect.provider.admin, cid).reseller_partner_id is None


def test_a_reseller_of_record_cannot_reactivate_after_its_provider_left(session: Session, indirect: Indirect) -> None:
    from partnerhub.errors import ProviderRelationshipEnded
    from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
    from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship

    partner_up(session, indirect.provider, indirect.reseller)
    cid = customer_for_reseller(session, indirect.provider.admin_agent, indirect.reseller).customer.id
    sub = _order(session, indirect, cid)
    update_subscription(
        session,
        indirect.provider.admin,
        customer_id=cid,
        subscription_id=sub.id,
        change=SubscriptionChange(status="suspended"),
    )
    remove_reseller_relationship(session, indirect.provider.admin, customer_id=cid)
    with pytest.raises(ProviderRelationshipEnded):
        update_subscription(
            session,
            indirect.reseller.admin,
            customer_id=cid,
            subscription_id=sub.id,
            change=SubscriptionChange(status="active"),
        )
    assert sub.status == "suspended"

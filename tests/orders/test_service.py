"""Orders on behalf of a customer: each line item creates a subscription from the operator's catalog, and a
partner without an active reseller relationship cannot purchase (DOMAIN.md §3, §8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.clock import frozen_at
from partnerhub.errors import (
    AddonWithoutParent,
    CustomerNotFound,
    EmptyOrder,
    Forbidden,
    InvalidInput,
    InvalidParent,
    InvalidQuantity,
    InvalidTerm,
    NoCommerceRelationship,
    OfferNotFound,
    OrderNotFound,
    UnknownResellerOfRecord,
)
from partnerhub.orders.schemas import LineItemInput, order_dict
from partnerhub.orders.service import create_order, get_order, list_orders
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.schemas import subscription_dict
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.activity import activity
from tests.conftest import World
from tests.factories import (
    AZURE_RESERVATION,
    M365_BASIC,
    M365_E3,
    TEAMS_PHONE_ADDON,
    buy,
    make_customer,
    make_partner,
)
from tests.partnerships.world import customer_for_reseller, partner_up

EXCHANGE_PLAN_1 = "CFQ7TTC0LH16:0001"
EXCHANGE_ARCHIVING_ADDON = "CFQ7TTC0LH0R:0001"  # add-on of Exchange Online (Plan 1)
AZURE_PLAN = "DZH318Z0BPS6:0001"


def _subscription_count(session: Session, customer_id: str) -> int:
    session.flush()
    return (
        session.scalar(select(func.count()).select_from(Subscription).where(Subscription.customer_id == customer_id))
        or 0
    )


def _order_records(session: Session, customer_id: str) -> list[ActivityRecord]:
    return activity(session, customer_id=customer_id, operation="create_order")


def _suspend(session: Session, world: World, sub: Subscription) -> None:
    update_subscription(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        subscription_id=sub.id,
        change=SubscriptionChange(status="suspended"),
    )


def _remove_relationship(session: Session, world: World) -> None:
    """The partner suspends what is active, then removes its reseller relationship (the seed)."""
    sub = buy(session, world.partner.admin, world.customer_id)
    _suspend(session, world, sub)
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)


# --- line items become subscriptions ------------------------------------------------------------------


def test_each_line_item_creates_an_active_subscription_with_the_offers_defaults(session: Session, world: World) -> None:
    order, items, subs = create_order(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        line_items=[
            LineItemInput(offer_id=M365_BASIC, quantity=10),
            LineItemInput(offer_id=M365_E3, quantity=3, friendly_name="E3 Direzione"),
            LineItemInput(offer_id=AZURE_RESERVATION, quantity=2),
        ],
    )

    assert len(items) == len(subs) == 3
    assert [li.line_item_number for li in items] == [0, 1, 2]
    assert [li.subscription_id for li in items] == [s.id for s in subs]
    basic, e3, reservation = subs
    assert (basic.offer_id, basic.offer_name, basic.friendly_name, basic.quantity, basic.unit_type) == (
        M365_BASIC,
        "Microsoft 365 Business Basic",
        "Microsoft 365 Business Basic",
        10,
        "Licenses",
    )
    assert (e3.offer_name, e3.friendly_name, e3.quantity) == ("Microsoft 365 E3", "E3 Direzione", 3)
    assert (reservation.unit_type, reservation.kind) == ("Reservation", "reservation")
    for sub in subs:
        assert sub.status == "active"
        assert sub.customer_id == world.customer_id
        assert sub.partner_id == world.partner.partner_id
        assert sub.reseller_partner_id is None
        assert sub.order_id == order.id
        assert sub.parent_subscription_id is None
        assert sub.suspension_reasons == []
    # The offer's first term and first billing cycle are its defaults.
    assert (basic.term_duration, basic.billing_cycle) == ("P1M", "monthly")
    assert (e3.term_duration, e3.billing_cycle) == ("P1M", "monthly")
    assert (reservation.term_duration, reservation.billing_cycle) == ("P1Y", "one_time")
    # Licenses renew automatically; reservations do not.
    assert (basic.auto_renew_enabled, reservation.auto_renew_enabled) == (True, False)
    # Line items mixing billing cycles make an order without one cycle.
    assert order.billing_cycle == "none"
    assert _subscription_count(session, world.customer_id) == 3


def test_the_commitment_ends_after_the_term(session: Session, world: World) -> None:
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with frozen_at(start):
        _o, _i, (monthly, yearly, three) = create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[
                LineItemInput(offer_id=M365_E3, quantity=1, term_duration="P1M"),
                LineItemInput(offer_id=M365_E3, quantity=1, term_duration="p1y"),
                LineItemInput(offer_id=M365_E3, quantity=1, term_duration="P3Y"),
            ],
            billing_cycle="monthly",
        )

    assert monthly.created_at == start
    assert [s.term_duration for s in (monthly, yearly, three)] == ["P1M", "P1Y", "P3Y"]
    assert monthly.commitment_end_at == start + timedelta(days=30)
    assert yearly.commitment_end_at == start + timedelta(days=365)
    assert three.commitment_end_at == start + timedelta(days=3 * 365)


def test_an_explicit_billing_cycle_applies_to_every_line_item(session: Session, world: World) -> None:
    order, _items, subs = create_order(
        session,
        world.partner.sales_agent,
        customer_id=world.customer_id,
        line_items=[
            LineItemInput(offer_id=M365_BASIC, quantity=1),
            LineItemInput(offer_id=M365_E3, quantity=1, term_duration="P1Y"),
        ],
        billing_cycle=" Annual ",
    )

    assert [s.billing_cycle for s in subs] == ["annual", "annual"]
    assert order.billing_cycle == "annual"


def test_an_order_of_one_billing_cycle_carries_it(session: Session, world: World) -> None:
    order, _items, _subs = create_order(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1), LineItemInput(offer_id=M365_E3, quantity=1)],
    )

    assert order.billing_cycle == "monthly"


@pytest.mark.parametrize(("term", "cycle"), [("P3Y", None), ("P2Y", None), (None, "triennial"), (None, "weekly")])
def test_a_term_or_billing_cycle_the_offer_is_not_sold_with_is_refused(
    session: Session, world: World, term: str | None, cycle: str | None
) -> None:
    # Business Basic: P1M or P1Y, monthly or annual.
    with pytest.raises(InvalidTerm) as err:
        create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1, term_duration=term)],
            billing_cycle=cycle,
        )

    assert err.value.params["offer_id"] == M365_BASIC
    assert err.value.params["field"] == ("termDuration" if term else "billingCycle")
    assert _subscription_count(session, world.customer_id) == 0
    assert _order_records(session, world.customer_id) == []


def test_an_unknown_offer_is_refused(session: Session, world: World) -> None:
    with pytest.raises(OfferNotFound):
        create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id="NOPE0000:0001", quantity=1)],
        )


def test_a_bad_line_item_refuses_the_whole_order(session: Session, world: World) -> None:
    with pytest.raises(OfferNotFound):
        create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[
                LineItemInput(offer_id=M365_BASIC, quantity=1),
                LineItemInput(offer_id="NOPE0000:0001", quantity=1),
            ],
        )

    assert _subscription_count(session, world.customer_id) == 0
    assert _order_records(session, world.customer_id) == []


@pytest.mark.parametrize("quantity", [0, 301])
def test_a_quantity_out_of_the_offers_range_is_refused(session: Session, world: World, quantity: int) -> None:
    with pytest.raises(InvalidQuantity):
        create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=M365_BASIC, quantity=quantity)],
        )


def test_the_azure_plan_is_one_unit(session: Session, world: World) -> None:
    with pytest.raises(InvalidQuantity):
        create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=AZURE_PLAN, quantity=2)],
        )
    sub = buy(session, world.partner.admin, world.customer_id, AZURE_PLAN, quantity=1)
    assert sub.unit_type == "Usage-based"


def test_an_empty_order_is_refused(session: Session, world: World) -> None:
    with pytest.raises(EmptyOrder):
        create_order(session, world.partner.admin, customer_id=world.customer_id, line_items=[])


def test_line_item_numbers_must_be_unique(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[
                LineItemInput(offer_id=M365_BASIC, quantity=1, line_item_number=1),
                LineItemInput(offer_id=M365_E3, quantity=1, line_item_number=1),
            ],
        )
    assert _subscription_count(session, world.customer_id) == 0


def test_given_line_item_numbers_are_kept(session: Session, world: World) -> None:
    _o, items, _s = create_order(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        line_items=[
            LineItemInput(offer_id=M365_BASIC, quantity=1, line_item_number=5),
            LineItemInput(offer_id=M365_E3, quantity=1, line_item_number=2),
        ],
    )

    assert [li.line_item_number for li in items] == [5, 2]


# --- add-ons ------------------------------------------------------------------------------------------


def test_an_add_on_is_ordered_under_an_active_parent_of_its_parent_offer(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)

    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id.upper())

    assert addon.parent_subscription_id == parent.id
    assert addon.offer_name == "Microsoft Teams Phone Standard"
    assert addon.status == "active"


def test_an_add_on_without_a_parent_is_refused(session: Session, world: World) -> None:
    with pytest.raises(AddonWithoutParent) as err:
        buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON)

    assert err.value.params["parent_offer_id"] == M365_E3


def test_an_add_on_under_a_parent_of_another_offer_is_refused(session: Session, world: World) -> None:
    wrong_parent = buy(session, world.partner.admin, world.customer_id, M365_BASIC)

    with pytest.raises(InvalidParent):
        buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=wrong_parent.id)


def test_an_add_on_under_a_suspended_parent_is_refused(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, EXCHANGE_PLAN_1)
    _suspend(session, world, parent)

    with pytest.raises(InvalidParent):
        buy(session, world.partner.admin, world.customer_id, EXCHANGE_ARCHIVING_ADDON, parent_id=parent.id)


def test_an_add_on_under_an_unknown_parent_is_refused(session: Session, world: World) -> None:
    with pytest.raises(InvalidParent):
        buy(
            session,
            world.partner.admin,
            world.customer_id,
            TEAMS_PHONE_ADDON,
            parent_id="00000000-0000-0000-0000-000000000000",
        )


def test_an_add_on_under_a_parent_of_another_customer_is_refused(session: Session, world: World) -> None:
    second = make_customer(session, world.partner.admin)
    foreign_parent = buy(session, world.partner.admin, second.customer.id, M365_E3)

    with pytest.raises(InvalidParent):
        buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=foreign_parent.id)


def test_a_base_offer_with_a_parent_is_refused(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)

    with pytest.raises(InvalidParent):
        buy(session, world.partner.admin, world.customer_id, M365_BASIC, parent_id=parent.id)


# --- who may order ------------------------------------------------------------------------------------


def test_a_helpdesk_agent_cannot_order(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        buy(session, world.partner.helpdesk_agent, world.customer_id)

    assert _subscription_count(session, world.customer_id) == 0


@pytest.mark.parametrize("role", ["admin", "admin_agent", "sales_agent"])
def test_global_admin_admin_agent_and_sales_agent_can_order(session: Session, world: World, role: str) -> None:
    sub = buy(session, getattr(world.partner, role), world.customer_id)

    assert sub.status == "active"


def test_a_customer_user_cannot_order(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        buy(session, world.customer_admin, world.customer_id)


def test_a_partner_that_never_had_the_customer_gets_customer_not_found(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        buy(session, world.other.admin, world.customer_id)
    with pytest.raises(CustomerNotFound):
        list_orders(session, world.other.admin, customer_id=world.customer_id)

    assert _subscription_count(session, world.customer_id) == 0


def test_after_removing_the_relationship_the_former_partner_cannot_order(session: Session, world: World) -> None:
    _remove_relationship(session, world)

    with pytest.raises(NoCommerceRelationship) as err:
        buy(session, world.partner.sales_agent, world.customer_id)

    assert err.value.code == 20002
    assert err.value.kind == "forbidden"
    assert _subscription_count(session, world.customer_id) == 1  # only the suspended one bought before


def test_after_removing_the_relationship_the_former_partner_cannot_list_orders(session: Session, world: World) -> None:
    _remove_relationship(session, world)

    with pytest.raises(NoCommerceRelationship):
        list_orders(session, world.partner.admin, customer_id=world.customer_id)


def test_an_unknown_customer_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        buy(session, world.partner.admin, "00000000-0000-0000-0000-000000000000")


# --- reseller of record -------------------------------------------------------------------------------


def test_partner_id_on_record_of_an_indirect_reseller_sets_the_reseller_of_record(session: Session) -> None:
    provider = make_partner(session, partner_type="indirect-provider")
    reseller = make_partner(session, partner_type="indirect-reseller")
    partner_up(session, provider, reseller)  # the reseller of record needs an active partnership ...
    customer = customer_for_reseller(session, provider.admin, reseller).customer  # ... and the customer

    _o, items, [sub] = create_order(
        session,
        provider.sales_agent,
        customer_id=customer.id,
        line_items=[LineItemInput(offer_id=M365_BASIC, quantity=4, partner_id_on_record=f" {reseller.mpn_id} ")],
    )

    assert sub.partner_id == provider.partner_id
    assert sub.reseller_partner_id == reseller.partner_id
    assert items[0].partner_id_on_record == reseller.mpn_id
    assert subscription_dict(sub, reseller_mpn_id=reseller.mpn_id)["partnerId"] == reseller.mpn_id


def test_an_unknown_partner_id_on_record_is_refused(session: Session, world: World) -> None:
    with pytest.raises(UnknownResellerOfRecord):
        create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1, partner_id_on_record="0000001")],
        )
    assert _subscription_count(session, world.customer_id) == 0


@pytest.mark.parametrize("partner_type", ["direct", "indirect-provider"])
def test_a_partner_id_on_record_that_is_not_an_indirect_reseller_is_refused(
    session: Session, world: World, partner_type: str
) -> None:
    not_a_reseller = make_partner(session, partner_type=partner_type)

    with pytest.raises(UnknownResellerOfRecord):
        create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1, partner_id_on_record=not_a_reseller.mpn_id)],
        )


# --- activity record ----------------------------------------------------------------------------------


def test_the_create_order_activity_record_lists_the_line_items(session: Session, world: World) -> None:
    order, _items, (basic, e3) = create_order(
        session,
        world.partner.sales_agent,
        customer_id=world.customer_id,
        line_items=[LineItemInput(offer_id=M365_BASIC, quantity=10), LineItemInput(offer_id=M365_E3, quantity=2)],
    )

    [rec] = _order_records(session, world.customer_id)
    assert rec.resource_type == "order"
    assert rec.resource_id == order.id
    assert rec.partner_id == world.partner.partner_id
    assert rec.customer_name == "Fabrikam Srl"
    assert rec.user_principal_name == world.partner.sales_agent.email
    assert rec.old_value is None
    assert rec.new_value == {
        "orderId": order.id,
        "billingCycle": "monthly",
        "lineItems": [
            {"offerId": M365_BASIC, "quantity": 10, "subscriptionId": basic.id, "partnerIdOnRecord": None},
            {"offerId": M365_E3, "quantity": 2, "subscriptionId": e3.id, "partnerIdOnRecord": None},
        ],
    }


# --- reading orders -----------------------------------------------------------------------------------


def test_get_order_returns_the_order_and_its_line_items(session: Session, world: World) -> None:
    order, _items, subs = create_order(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1), LineItemInput(offer_id=M365_E3, quantity=2)],
    )

    got, lines = get_order(session, world.partner.sales_agent, customer_id=world.customer_id, order_id=order.id.upper())

    assert got.id == order.id
    assert [(li.line_item_number, li.offer_id, li.subscription_id) for li in lines] == [
        (0, M365_BASIC, subs[0].id),
        (1, M365_E3, subs[1].id),
    ]


def test_get_order_of_another_partner_or_an_unknown_id_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(OrderNotFound):
        get_order(
            session, world.partner.admin, customer_id=world.customer_id, order_id="00000000-0000-0000-0000-000000000000"
        )
    order, _i, _s = create_order(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1)],
    )
    with pytest.raises(CustomerNotFound):
        get_order(session, world.other.admin, customer_id=world.customer_id, order_id=order.id)


def test_list_orders_returns_the_partners_orders_newest_first(session: Session, world: World) -> None:
    with frozen_at(datetime(2026, 5, 1, 8, 0, tzinfo=UTC)) as clock:
        first, _i, _s = create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1)],
        )
        clock.move(timedelta(hours=1))
        second, _i, _s = create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=M365_E3, quantity=1), LineItemInput(offer_id=M365_BASIC, quantity=2)],
        )
    second_customer = make_customer(session, world.partner.admin).customer
    buy(session, world.partner.admin, second_customer.id)

    listed = list_orders(session, world.partner.sales_agent, customer_id=world.customer_id)

    assert [o.id for o, _lines in listed] == [second.id, first.id]
    assert [len(lines) for _o, lines in listed] == [2, 1]


def test_order_dict_has_partner_centers_shape(session: Session, world: World) -> None:
    with frozen_at(datetime(2026, 11, 24, 10, 0, tzinfo=UTC)):
        order, items, subs = create_order(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            line_items=[LineItemInput(offer_id=M365_BASIC, quantity=3, friendly_name="Posta")],
        )

    out = order_dict(order, items)

    assert out["id"] == order.id
    assert out["referenceCustomerId"] == world.customer_id
    assert out["billingCycle"] == "monthly"
    assert out["creationDate"] == "2026-11-24T10:00:00Z"
    assert out["status"] == "completed"
    assert out["attributes"] == {"objectType": "Order"}
    [line] = out["lineItems"]
    assert line["lineItemNumber"] == 0
    assert line["offerId"] == M365_BASIC
    assert line["subscriptionId"] == subs[0].id
    assert line["quantity"] == 3
    assert line["friendlyName"] == "Posta"
    assert line["termDuration"] == "P1M"
    assert line["links"]["subscription"]["uri"] == f"/customers/{world.customer_id}/subscriptions/{subs[0].id}"

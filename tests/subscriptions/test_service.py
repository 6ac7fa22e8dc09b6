"""Subscriptions as a partner manages them: list, get, suspend, reactivate, cancel, quantity, friendly name
and auto-renew, under the rules of DOMAIN.md §3 and §8."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.customers.schemas import make_etag
from partnerhub.errors import (
    AddonParentNotActive,
    CustomerNotFound,
    Forbidden,
    InvalidQuantity,
    QuantityWhileSuspended,
    ReservationNotSuspendable,
    StaleEtag,
    SubscriptionDeleted,
    SubscriptionNotFound,
    SubscriptionStatusChange,
    SubscriptionSuspendedChange,
)
from partnerhub.invitations.partner_link import partner_invitation_link
from partnerhub.invitations.service import accept_invitation
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.queries import get_subscription
from partnerhub.subscriptions.schemas import subscription_dict
from partnerhub.subscriptions.service import SubscriptionChange, list_addons, list_subscriptions, update_subscription
from tests.activity import activity
from tests.conftest import World
from tests.factories import AZURE_RESERVATION, M365_BASIC, M365_E3, TEAMS_PHONE_ADDON, PartnerWorld, buy, make_customer


def _subscription_records(session: Session, resource_id: str) -> list[ActivityRecord]:
    """Records about the subscription itself (the order that created it is recorded on the order)."""
    return activity(session, resource_id=resource_id, resource_type="subscription")


def _relate(session: Session, partner: PartnerWorld, world: World) -> None:
    """The customer's Global admin accepts `partner`'s reusable invitation link."""
    link = partner_invitation_link(session, partner.admin, base_url="http://x", secret_key="key")
    accept_invitation(session, world.customer_admin, code=link.url.rsplit("/", 1)[1], secret_key="key")


def _update(
    session: Session,
    world: World,
    sub: Subscription,
    *,
    actor: object = None,
    etag: str | None = None,
    **change: object,
) -> Subscription:
    return update_subscription(
        session,
        actor or world.partner.admin,  # type: ignore[arg-type]
        customer_id=world.customer_id,
        subscription_id=sub.id,
        change=SubscriptionChange(**change),
        etag=etag,
    )  # type: ignore[arg-type]


def _suspend(session: Session, world: World, sub: Subscription) -> Subscription:
    return _update(session, world, sub, status="suspended")


# --- list and get -------------------------------------------------------------------------------------


def test_list_shows_only_the_acting_partners_subscriptions_of_the_customer(session: Session, world: World) -> None:
    mine = [buy(session, world.partner.admin, world.customer_id) for _ in range(3)]
    # The same customer also buys through another partner, which the first partner must not see.
    _relate(session, world.other, world)
    theirs = buy(session, world.other.admin, world.customer_id)

    page = list_subscriptions(session, world.partner.admin, customer_id=world.customer_id)

    assert sorted(s.id for s in page.items) == sorted(s.id for s in mine)
    assert theirs.id not in {s.id for s in page.items}
    assert page.next_cursor is None
    other_page = list_subscriptions(session, world.other.admin, customer_id=world.customer_id)
    assert [s.id for s in other_page.items] == [theirs.id]


def test_list_pages_by_keyset_without_gaps_or_repeats(session: Session, world: World) -> None:
    bought = {buy(session, world.partner.admin, world.customer_id).id for _ in range(5)}

    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = list_subscriptions(session, world.partner.admin, customer_id=world.customer_id, size=2, after=after)
        pages += 1
        assert len(page.items) <= 2
        seen.extend(s.id for s in page.items)
        if page.next_cursor is None:
            break
        assert page.next_cursor == page.items[-1].id
        after = page.next_cursor

    assert pages == 3
    assert seen == sorted(bought)


def test_list_filters_by_status(session: Session, world: World) -> None:
    active = buy(session, world.partner.admin, world.customer_id)
    suspended = _suspend(session, world, buy(session, world.partner.admin, world.customer_id))

    page = list_subscriptions(session, world.partner.admin, customer_id=world.customer_id, status="suspended")

    assert [s.id for s in page.items] == [suspended.id]
    assert active.id not in {s.id for s in page.items}


def test_list_refuses_a_page_size_out_of_range(session: Session, world: World) -> None:
    from partnerhub.errors import InvalidInput

    for size in (0, 501):
        with pytest.raises(InvalidInput):
            list_subscriptions(session, world.partner.admin, customer_id=world.customer_id, size=size)


def test_get_returns_the_subscription_and_accepts_an_upper_case_id(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, friendly_name="Sede di Milano")

    got = get_subscription(
        session, world.partner.helpdesk_agent, customer_id=world.customer_id, subscription_id=f" {sub.id.upper()} "
    )

    assert got.id == sub.id
    assert got.friendly_name == "Sede di Milano"


def test_get_of_an_unknown_subscription_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(SubscriptionNotFound):
        get_subscription(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            subscription_id="00000000-0000-0000-0000-000000000000",
        )


def test_another_partner_gets_customer_not_found_everywhere(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    with pytest.raises(CustomerNotFound):
        list_subscriptions(session, world.other.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        get_subscription(session, world.other.admin, customer_id=world.customer_id, subscription_id=sub.id)
    with pytest.raises(CustomerNotFound):
        update_subscription(
            session,
            world.other.admin,
            customer_id=world.customer_id,
            subscription_id=sub.id,
            change=SubscriptionChange(status="suspended"),
        )
    assert session.get(Subscription, sub.id).status == "active"  # type: ignore[union-attr]


def test_a_subscription_of_another_customer_is_not_found_under_this_customer(session: Session, world: World) -> None:
    second = make_customer(session, world.partner.admin)
    sub = buy(session, world.partner.admin, second.customer.id)

    with pytest.raises(SubscriptionNotFound):
        get_subscription(session, world.partner.admin, customer_id=world.customer_id, subscription_id=sub.id)


def test_the_customers_own_global_admin_lists_its_subscriptions(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    page = list_subscriptions(session, world.customer_admin, customer_id=world.customer_id)
    got = get_subscription(session, world.customer_admin, customer_id=world.customer_id, subscription_id=sub.id)

    assert [s.id for s in page.items] == [sub.id]
    assert got.id == sub.id


def test_a_customer_admin_cannot_list_another_customers_subscriptions(session: Session, world: World) -> None:
    second = make_customer(session, world.partner.admin)
    buy(session, world.partner.admin, second.customer.id)

    with pytest.raises(CustomerNotFound):
        list_subscriptions(session, world.customer_admin, customer_id=second.customer.id)


def test_a_customer_admin_cannot_update_a_subscription(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    with pytest.raises(Forbidden):
        _update(session, world, sub, actor=world.customer_admin, status="suspended")


def test_list_addons_returns_the_add_ons_of_a_parent(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)
    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id)

    addons = list_addons(session, world.partner.admin, customer_id=world.customer_id, subscription_id=parent.id)

    assert [a.id for a in addons] == [addon.id]


# --- suspend ------------------------------------------------------------------------------------------


def test_suspend_sets_status_turns_auto_renew_off_and_records_a_reason(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)
    assert sub.auto_renew_enabled is True

    _suspend(session, world, sub)

    assert sub.status == "suspended"
    assert sub.auto_renew_enabled is False
    assert sub.suspension_reasons == ["ResellerInitiated"]
    [rec] = _subscription_records(session, sub.id)
    assert rec.operation_type == "suspend_subscription"
    assert rec.partner_id == world.partner.partner_id
    assert rec.customer_id == world.customer_id
    assert rec.customer_name == "Fabrikam Srl"
    assert rec.user_principal_name == world.partner.admin.email
    assert rec.old_value == {"status": "active", "autoRenewEnabled": True, "suspensionReasons": []}
    assert rec.new_value == {
        "status": "suspended",
        "autoRenewEnabled": False,
        "suspensionReasons": ["ResellerInitiated"],
    }


def test_suspend_accepts_the_status_in_any_case(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    _update(session, world, sub, status=" Suspended ")

    assert sub.status == "suspended"


def test_suspending_a_parent_suspends_its_add_ons_and_records_each(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)
    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id)

    _suspend(session, world, parent)

    assert addon.status == "suspended"
    assert addon.auto_renew_enabled is False
    assert addon.suspension_reasons == ["ParentSuspended"]
    assert [r.operation_type for r in _subscription_records(session, parent.id)] == ["suspend_subscription"]
    [addon_rec] = _subscription_records(session, addon.id)
    assert addon_rec.operation_type == "suspend_subscription"
    assert addon_rec.old_value == {"status": "active", "autoRenewEnabled": True, "suspensionReasons": []}
    assert addon_rec.new_value == {
        "status": "suspended",
        "autoRenewEnabled": False,
        "suspensionReasons": ["ParentSuspended"],
    }


def test_suspending_an_already_suspended_subscription_is_no_change(session: Session, world: World) -> None:
    sub = _suspend(session, world, buy(session, world.partner.admin, world.customer_id))
    version = sub.version

    _suspend(session, world, sub)

    assert sub.version == version
    assert len(_subscription_records(session, sub.id)) == 1


# --- reactivate ---------------------------------------------------------------------------------------


def test_reactivate_returns_to_active_and_auto_renew_stays_off(session: Session, world: World) -> None:
    sub = _suspend(session, world, buy(session, world.partner.admin, world.customer_id))

    _update(session, world, sub, status="active")

    assert sub.status == "active"
    assert sub.auto_renew_enabled is False
    assert sub.suspension_reasons == []
    ops = [r.operation_type for r in _subscription_records(session, sub.id)]
    assert sorted(ops) == ["reactivate_subscription", "suspend_subscription"]
    [rec] = [r for r in _subscription_records(session, sub.id) if r.operation_type == "reactivate_subscription"]
    assert rec.old_value == {"status": "suspended", "suspensionReasons": ["ResellerInitiated"]}
    assert rec.new_value == {"status": "active", "suspensionReasons": []}


def test_reactivating_a_parent_leaves_its_add_ons_suspended(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)
    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id)
    _suspend(session, world, parent)

    _update(session, world, parent, status="active")

    assert parent.status == "active"
    assert addon.status == "suspended"
    assert [r.operation_type for r in _subscription_records(session, addon.id)] == ["suspend_subscription"]


def test_an_add_on_cannot_be_reactivated_while_its_parent_is_suspended(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)
    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id)
    _suspend(session, world, parent)

    with pytest.raises(AddonParentNotActive) as err:
        _update(session, world, addon, status="active")

    assert err.value.params["parent_id"] == parent.id
    assert addon.status == "suspended"


def test_an_add_on_can_be_reactivated_once_its_parent_is_active_again(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)
    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id)
    _suspend(session, world, parent)
    _update(session, world, parent, status="active")

    _update(session, world, addon, status="active")

    assert addon.status == "active"


# --- changes while suspended --------------------------------------------------------------------------


def test_quantity_cannot_change_while_suspended(session: Session, world: World) -> None:
    sub = _suspend(session, world, buy(session, world.partner.admin, world.customer_id, quantity=5))

    with pytest.raises(QuantityWhileSuspended) as err:
        _update(session, world, sub, quantity=7)

    assert err.value.code == 2001
    assert sub.quantity == 5


def test_the_same_quantity_while_suspended_is_no_change(session: Session, world: World) -> None:
    sub = _suspend(session, world, buy(session, world.partner.admin, world.customer_id, quantity=5))

    _update(session, world, sub, quantity=5, auto_renew_enabled=False)

    assert sub.quantity == 5
    assert len(_subscription_records(session, sub.id)) == 1


def test_auto_renew_cannot_change_while_suspended(session: Session, world: World) -> None:
    sub = _suspend(session, world, buy(session, world.partner.admin, world.customer_id))

    with pytest.raises(SubscriptionSuspendedChange) as err:
        _update(session, world, sub, auto_renew_enabled=True)

    assert err.value.code == 800091
    assert sub.auto_renew_enabled is False


def test_friendly_name_can_change_while_suspended(session: Session, world: World) -> None:
    sub = _suspend(session, world, buy(session, world.partner.admin, world.customer_id))

    _update(session, world, sub, friendly_name="  Ufficio di Roma  ")

    assert sub.friendly_name == "Ufficio di Roma"
    assert sub.status == "suspended"
    rec = _subscription_records(session, sub.id)[-1]
    assert rec.operation_type == "update_subscription"
    assert rec.new_value == {"friendlyName": "Ufficio di Roma"}


# --- quantity, friendly name, auto-renew on an active subscription -------------------------------------


def test_quantity_changes_within_the_offers_range(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, M365_BASIC, quantity=5)

    _update(session, world, sub, quantity=300)

    assert sub.quantity == 300
    [rec] = _subscription_records(session, sub.id)
    assert rec.operation_type == "update_subscription"
    assert rec.old_value == {"quantity": 5}
    assert rec.new_value == {"quantity": 300}


@pytest.mark.parametrize("quantity", [0, -1, 301])
def test_quantity_out_of_the_offers_range_is_refused(session: Session, world: World, quantity: int) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, M365_BASIC, quantity=5)  # Basic: 1..300

    with pytest.raises(InvalidQuantity) as err:
        _update(session, world, sub, quantity=quantity)

    assert err.value.params == {"minimum": 1, "maximum": 300, "quantity": quantity}
    assert sub.quantity == 5
    assert _subscription_records(session, sub.id) == []


def test_auto_renew_can_be_turned_off_and_on_while_active(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    _update(session, world, sub, auto_renew_enabled=False)
    assert sub.auto_renew_enabled is False
    _update(session, world, sub, auto_renew_enabled=True)
    assert sub.auto_renew_enabled is True

    recs = _subscription_records(session, sub.id)
    assert [r.operation_type for r in recs] == ["update_subscription", "update_subscription"]
    assert sorted((r.new_value or {})["autoRenewEnabled"] for r in recs) == [False, True]


def test_an_empty_friendly_name_is_refused(session: Session, world: World) -> None:
    from partnerhub.errors import InvalidInput

    sub = buy(session, world.partner.admin, world.customer_id)

    with pytest.raises(InvalidInput):
        _update(session, world, sub, friendly_name="   ")


def test_unchanged_values_write_no_activity_record(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, quantity=5, friendly_name="Sede")
    version = sub.version

    _update(session, world, sub, status="active", quantity=5, friendly_name="Sede", auto_renew_enabled=True)

    assert sub.version == version
    assert _subscription_records(session, sub.id) == []


# --- etags --------------------------------------------------------------------------------------------


def test_a_stale_etag_is_refused(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, quantity=5)
    stale = make_etag(sub.id, sub.version)
    _update(session, world, sub, quantity=6)

    with pytest.raises(StaleEtag) as err:
        _update(session, world, sub, etag=stale, quantity=7)

    assert err.value.code == 2055
    assert sub.quantity == 6


def test_an_etag_of_another_resource_is_refused(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, quantity=5)
    other = buy(session, world.partner.admin, world.customer_id)

    with pytest.raises(StaleEtag):
        _update(session, world, sub, etag=make_etag(other.id, sub.version), quantity=7)


def test_the_current_etag_is_accepted(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, quantity=5)

    _update(session, world, sub, etag=make_etag(sub.id, sub.version), quantity=7)

    assert sub.quantity == 7


@pytest.mark.parametrize("shape", ['"{}"', 'W/"{}"', " {} "])
def test_the_current_etag_is_accepted_quoted_weak_or_bare(session: Session, world: World, shape: str) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, quantity=5)

    _update(session, world, sub, etag=shape.format(make_etag(sub.id, sub.version)), quantity=8)

    assert sub.quantity == 8


def test_the_etag_in_the_schema_is_the_current_one(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, quantity=5)
    _update(session, world, sub, quantity=6)

    etag = subscription_dict(sub)["attributes"]["etag"]

    assert etag == make_etag(sub.id, sub.version)
    _update(session, world, sub, etag=etag, quantity=7)
    assert sub.quantity == 7


# --- reservations, deleted, final statuses ------------------------------------------------------------


def test_a_reservation_cannot_be_suspended(session: Session, world: World) -> None:
    res = buy(session, world.partner.admin, world.customer_id, AZURE_RESERVATION, quantity=1)

    with pytest.raises(ReservationNotSuspendable):
        _suspend(session, world, res)

    assert res.status == "active"
    assert _subscription_records(session, res.id) == []


def test_a_reservation_can_be_cancelled(session: Session, world: World) -> None:
    res = buy(session, world.partner.admin, world.customer_id, AZURE_RESERVATION, quantity=1)

    _update(session, world, res, status="deleted")

    assert res.status == "deleted"
    assert res.auto_renew_enabled is False
    [rec] = _subscription_records(session, res.id)
    assert rec.operation_type == "cancel_subscription"
    assert rec.old_value == {"status": "active"}
    assert rec.new_value == {"status": "deleted"}


@pytest.mark.parametrize(
    "change",
    [
        {"status": "active"},
        {"quantity": 2},
        {"friendly_name": "Nuovo nome"},
        {"auto_renew_enabled": True},
        {"status": "suspended"},
    ],
)
def test_a_deleted_subscription_cannot_be_updated(session: Session, world: World, change: dict[str, object]) -> None:
    res = buy(session, world.partner.admin, world.customer_id, AZURE_RESERVATION, quantity=1)
    _update(session, world, res, status="deleted")

    with pytest.raises(SubscriptionDeleted):
        _update(session, world, res, **change)

    assert res.status == "deleted"
    assert len(_subscription_records(session, res.id)) == 1


@pytest.mark.parametrize("status", ["deleted", "expired", "disabled", "pending"])
def test_a_partner_cannot_set_a_license_to_a_system_status(session: Session, world: World, status: str) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    with pytest.raises(SubscriptionStatusChange):
        _update(session, world, sub, status=status)

    assert sub.status == "active"
    assert _subscription_records(session, sub.id) == []


def test_a_partner_cannot_delete_a_suspended_license(session: Session, world: World) -> None:
    sub = _suspend(session, world, buy(session, world.partner.admin, world.customer_id))

    with pytest.raises(SubscriptionStatusChange):
        _update(session, world, sub, status="deleted")

    assert sub.status == "suspended"


# --- roles --------------------------------------------------------------------------------------------


def test_a_sales_agent_cannot_update_a_subscription(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    with pytest.raises(Forbidden):
        _update(session, world, sub, actor=world.partner.sales_agent, status="suspended")

    assert sub.status == "active"


def test_a_sales_agent_can_still_read_subscriptions(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)

    page = list_subscriptions(session, world.partner.sales_agent, customer_id=world.customer_id)

    assert [s.id for s in page.items] == [sub.id]


@pytest.mark.parametrize("role", ["admin", "admin_agent", "helpdesk_agent"])
def test_global_admin_admin_agent_and_helpdesk_agent_can_update(session: Session, world: World, role: str) -> None:
    actor = getattr(world.partner, role)
    sub = buy(session, world.partner.admin, world.customer_id)

    _update(session, world, sub, actor=actor, status="suspended")

    assert sub.status == "suspended"
    [rec] = _subscription_records(session, sub.id)
    assert rec.user_principal_name == actor.email


# --- schema -------------------------------------------------------------------------------------------


def test_subscription_dict_has_partner_centers_keys(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, M365_E3, quantity=10, friendly_name="E3 Milano")

    out = subscription_dict(sub)

    assert out["id"] == sub.id
    assert out["offerId"] == M365_E3
    assert out["offerName"] == "Microsoft 365 E3"
    assert out["friendlyName"] == "E3 Milano"
    assert out["quantity"] == 10
    assert out["unitType"] == "Licenses"
    assert out["status"] == "active"
    assert out["autoRenewEnabled"] is True
    assert out["billingCycle"] == "monthly"
    assert out["termDuration"] == "P1M"
    assert out["creationDate"].endswith("Z")
    assert out["commitmentEndDate"].endswith("Z")
    assert out["commitmentEndDate"] > out["creationDate"]
    assert out["orderId"] == sub.order_id
    assert out["suspensionReasons"] == []
    assert out["attributes"] == {"etag": make_etag(sub.id, sub.version), "objectType": "Subscription"}
    assert out["links"]["self"]["uri"] == f"/customers/{world.customer_id}/subscriptions/{sub.id}"
    assert "parentSubscriptionId" not in out


def test_subscription_dict_of_an_add_on_names_its_parent(session: Session, world: World) -> None:
    parent = buy(session, world.partner.admin, world.customer_id, M365_E3)
    addon = buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=parent.id)

    out = subscription_dict(addon)

    assert out["parentSubscriptionId"] == parent.id
    assert out["links"]["parentSubscription"]["uri"] == f"/customers/{world.customer_id}/subscriptions/{parent.id}"


def test_subscription_dict_of_a_suspended_subscription_lists_the_reasons(session: Session, world: World) -> None:
    sub = _suspend(session, world, buy(session, world.partner.admin, world.customer_id))

    out = subscription_dict(sub)

    assert out["status"] == "suspended"
    assert out["autoRenewEnabled"] is False
    assert out["suspensionReasons"] == ["ResellerInitiated"]


def test_partner_id_is_the_reseller_of_records_mpn_id(session: Session) -> None:
    from partnerhub.orders.schemas import LineItemInput
    from partnerhub.orders.service import create_order
    from partnerhub.subscriptions.service import describe_subscriptions
    from tests.partnerships.world import customer_for_reseller, make_indirect, partner_up

    indirect = make_indirect(session)
    partner_up(session, indirect.provider, indirect.reseller)
    cid = customer_for_reseller(session, indirect.provider.admin, indirect.reseller).customer.id
    _o, _i, [held] = create_order(
        session,
        indirect.provider.admin,
        customer_id=cid,
        line_items=[
            LineItemInput(offer_id="CFQ7TTC0LH18:0001", quantity=2, partner_id_on_record=indirect.reseller.mpn_id)
        ],
    )
    _o, _i, [own] = create_order(
        session,
        indirect.provider.admin,
        customer_id=cid,
        line_items=[LineItemInput(offer_id="CFQ7TTC0LH18:0001", quantity=1)],
    )
    by_id = {d["id"]: d for d in describe_subscriptions(session, [held, own])}
    assert by_id[held.id]["partnerId"] == indirect.reseller.mpn_id
    assert by_id[own.id]["partnerId"] == ""

"""Removing a reseller relationship: the seed document, sentence by sentence (DOMAIN.md §2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.customers.service import get_customer, list_customers
from partnerhub.errors import (
    CustomerNotFound,
    Forbidden,
    NoCommerceRelationship,
    RemoveBlockedByActiveSubscriptions,
    SubscriptionNotFound,
)
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.orders.service import list_orders
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.relationships.service import list_relationship_history
from partnerhub.subscriptions.queries import get_subscription
from partnerhub.subscriptions.service import SubscriptionChange, list_subscriptions, update_subscription
from partnerhub.usecases.customer_partners import list_partners_of_customer
from partnerhub.usecases.remove_reseller_relationship import check_removal, remove_reseller_relationship
from tests.activity import activity
from tests.conftest import World
from tests.factories import AZURE_RESERVATION, M365_BASIC, M365_E3, TEAMS_PHONE_ADDON, buy, make_customer


def _suspend(session: Session, world: World, subscription_id: str) -> None:
    update_subscription(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        subscription_id=subscription_id,
        change=SubscriptionChange(status="suspended"),
    )


def test_remove_is_refused_while_a_subscription_is_active(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    with pytest.raises(RemoveBlockedByActiveSubscriptions) as info:
        remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    assert info.value.code == 800100
    assert info.value.data == [
        {"subscriptionId": sub.id, "offerName": "Microsoft 365 Business Basic", "status": "active"}
    ]
    assert sub.id in str(info.value)
    # Nothing changed: the customer is still in the list and no removal was recorded.
    get_customer(session, world.partner.admin, customer_id=world.customer_id)
    assert activity(session, operation="remove_partner_customer_relationship", customer_id=world.customer_id) == []


def test_the_error_lists_every_active_and_pending_subscription(session: Session, world: World) -> None:
    first = buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    second = buy(session, world.partner.admin, world.customer_id, M365_E3)
    suspended = buy(session, world.partner.admin, world.customer_id, M365_BASIC, friendly_name="old")
    _suspend(session, world, suspended.id)
    second.status = "pending"
    session.flush()
    with pytest.raises(RemoveBlockedByActiveSubscriptions) as info:
        remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    listed = {(d["subscriptionId"], d["status"]) for d in info.value.data}
    assert listed == {(first.id, "active"), (second.id, "pending")}


def test_an_active_reservation_blocks_removal_until_cancelled(session: Session, world: World) -> None:
    ri = buy(session, world.partner.admin, world.customer_id, AZURE_RESERVATION, quantity=1)
    with pytest.raises(RemoveBlockedByActiveSubscriptions):
        remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    update_subscription(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        subscription_id=ri.id,
        change=SubscriptionChange(status="deleted"),
    )
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)


def test_removal_check_names_what_blocks_it(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    check = check_removal(session, world.partner.admin, customer_id=world.customer_id)
    assert not check.can_remove and [s.id for s in check.blocking] == [sub.id]
    _suspend(session, world, sub.id)
    assert check_removal(session, world.partner.admin, customer_id=world.customer_id).can_remove


def test_after_suspending_every_subscription_the_relationship_is_removed(session: Session, world: World) -> None:
    base = buy(session, world.partner.admin, world.customer_id, M365_E3)
    buy(session, world.partner.admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=base.id)
    _suspend(session, world, base.id)  # the add-on follows its parent
    rel = remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    assert rel.status == "removed" and rel.removed_at is not None
    assert rel.removed_by_user_id == world.partner.admin.user_id


def test_removal_takes_the_customer_out_of_the_list(session: Session, world: World) -> None:
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    page = list_customers(session, world.partner.admin)
    assert world.customer_id not in [r.customer.id for r in page.items]
    with pytest.raises(CustomerNotFound):
        get_customer(session, world.partner.admin, customer_id=world.customer_id)


def test_removal_ends_delegated_admin_privileges(session: Session, world: World) -> None:
    rel_before = session.scalars(
        select(ResellerRelationship).where(ResellerRelationship.customer_id == world.customer_id)
    ).one()
    assert rel_before.has_delegated_admin
    rel = remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    assert rel.has_delegated_admin is False
    assert list_partners_of_customer(session, world.customer_admin) == []


def test_removal_refuses_purchases_on_behalf_of_the_customer(session: Session, world: World) -> None:
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(NoCommerceRelationship) as info:
        buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    assert info.value.code == 20002
    with pytest.raises(NoCommerceRelationship):
        list_orders(session, world.partner.admin, customer_id=world.customer_id)


def test_after_removal_subscriptions_are_not_found_for_the_former_partner(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    _suspend(session, world, sub.id)
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        get_subscription(session, world.partner.admin, customer_id=world.customer_id, subscription_id=sub.id)
    with pytest.raises(CustomerNotFound):
        list_subscriptions(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):  # no reactivation after removal
        update_subscription(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            subscription_id=sub.id,
            change=SubscriptionChange(status="active"),
        )


def test_removal_writes_one_activity_record_and_keeps_history(session: Session, world: World) -> None:
    rel = remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    [rec] = activity(session, operation="remove_partner_customer_relationship", customer_id=world.customer_id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.resource_id == rel.id
    assert rec.user_principal_name == world.partner.admin.email
    assert rec.old_value == {"relationshipToPartner": "reseller", "allowDelegatedAccess": True}
    assert rec.new_value == {"relationshipToPartner": "none", "allowDelegatedAccess": False}
    assert rec.customer_name == "Fabrikam Srl"
    history = list_relationship_history(session, world.partner.admin, customer_id=world.customer_id)
    assert [h.status for h in history] == ["removed"]


def test_removing_twice_answers_not_found(session: Session, world: World) -> None:
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)


def test_another_partner_cannot_remove_and_learns_nothing(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        remove_reseller_relationship(session, world.other.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        list_relationship_history(session, world.other.admin, customer_id=world.customer_id)


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent", "admin_agent"])
def test_only_a_global_admin_removes_by_default(session: Session, world: World, role: str) -> None:
    with pytest.raises(Forbidden):
        remove_reseller_relationship(session, getattr(world.partner, role), customer_id=world.customer_id)


def test_admin_agents_remove_when_the_partner_allows_it(session: Session, world: World) -> None:
    from partnerhub.tenants.models import Partner

    partner = session.get(Partner, world.partner.partner_id)
    assert partner is not None
    partner.admin_agents_may_remove = True
    session.flush()
    remove_reseller_relationship(session, world.partner.admin_agent, customer_id=world.customer_id)


def test_the_customer_cannot_remove_a_partners_relationship_this_way(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        remove_reseller_relationship(session, world.customer_admin, customer_id=world.customer_id)


def test_another_partners_relationship_with_the_same_customer_is_untouched(session: Session, world: World) -> None:
    invitation = create_invitation(session, world.other.admin, base_url="http://x")
    accept_invitation(session, world.customer_admin, code=invitation.code)
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    get_customer(session, world.other.admin, customer_id=world.customer_id)
    assert [p.partner_id for p in list_partners_of_customer(session, world.customer_admin)] == [world.other.partner_id]


def test_re_establishing_through_a_request_restores_the_customer_and_keeps_history(
    session: Session, world: World
) -> None:
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    invitation = create_invitation(session, world.partner.admin, base_url="http://x", customer_id=world.customer_id)
    accept_invitation(session, world.customer_admin, code=invitation.code)
    assert get_customer(session, world.partner.admin, customer_id=world.customer_id).customer.id == world.customer_id
    history = list_relationship_history(session, world.partner.admin, customer_id=world.customer_id)
    assert [h.status for h in history] == ["removed", "active"]
    buy(session, world.partner.admin, world.customer_id, M365_BASIC)  # purchases work again


def test_a_subscription_of_another_customer_is_not_found(session: Session, world: World) -> None:
    other_customer = make_customer(session, world.partner.admin)
    sub = buy(session, world.partner.admin, other_customer.customer.id)
    with pytest.raises(SubscriptionNotFound):
        get_subscription(session, world.partner.admin, customer_id=world.customer_id, subscription_id=sub.id)


# --- the four effects of the seed, with the indirect model and GDAP ---------------------------------------


def test_removal_takes_the_partner_out_of_the_customers_support_contacts(session: Session) -> None:
    from partnerhub.auth.service import actor_for_user
    from partnerhub.customers.schemas import BillingProfileInput
    from partnerhub.customers.service import create_customer
    from partnerhub.partnerships.service import accept_partnership, invite_reseller
    from partnerhub.support_contacts.service import (
        get_support_contact,
        list_available_support_contacts,
        set_support_contact,
    )
    from tests.factories import make_partner

    provider = make_partner(session, partner_type="indirect-provider")
    reseller = make_partner(session, partner_type="indirect-reseller")
    partnership = invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
    accept_partnership(session, reseller.admin, partnership_id=partnership.id)
    created = create_customer(
        session,
        provider.admin,
        company_name="Tailspin Toys",
        domain="tailspin.example",
        billing=BillingProfileInput(),
        associated_partner_id=reseller.partner_id,
    )
    cid = created.customer.id
    customer_admin = actor_for_user(session, created.admin)
    sub = buy(session, provider.admin, cid, M365_BASIC)
    set_support_contact(
        session, provider.admin, customer_id=cid, subscription_id=sub.id, support_tenant_id=reseller.partner_id
    )
    available = {c.partner_id for c in list_available_support_contacts(session, customer_admin, customer_id=cid)}
    assert available == {provider.partner_id, reseller.partner_id}

    remove_reseller_relationship(session, reseller.admin, customer_id=cid)

    available = {c.partner_id for c in list_available_support_contacts(session, customer_admin, customer_id=cid)}
    assert available == {provider.partner_id}
    contact = get_support_contact(session, provider.admin, customer_id=cid, subscription_id=sub.id)
    assert contact is not None and contact.partner_id == provider.partner_id  # fell back to the provider
    [fallback] = activity(session, operation="update_subscription_support_contact", customer_id=cid)[-1:]
    assert fallback.resource_id == sub.id and fallback.partner_id == provider.partner_id
    # The provider's own relationship is untouched by the reseller's removal.
    get_customer(session, provider.admin, customer_id=cid)


def test_removal_ends_every_gdap_relationship_but_not_another_partners(session: Session, world: World) -> None:
    from partnerhub.delegated_admin.gdap import (
        approve_admin_relationship,
        create_admin_relationship,
        list_admin_relationships,
        lock_for_approval,
    )

    admin = world.partner.admin
    drafted = create_admin_relationship(
        session,
        admin,
        customer_id=world.customer_id,
        display_name="Draft",
        role_ids=["User Administrator"],
        duration_days=30,
    )
    pending = create_admin_relationship(
        session,
        admin,
        customer_id=world.customer_id,
        display_name="Pending",
        role_ids=["Helpdesk Administrator"],
        duration_days=30,
    )
    lock_for_approval(session, admin, admin_relationship_id=pending.id)
    active = create_admin_relationship(
        session,
        admin,
        customer_id=world.customer_id,
        display_name="Active",
        role_ids=["Global Reader"],
        duration_days=30,
    )
    lock_for_approval(session, admin, admin_relationship_id=active.id)
    approve_admin_relationship(session, world.customer_admin, admin_relationship_id=active.id)
    invitation = create_invitation(session, world.other.admin, base_url="http://x")
    accept_invitation(session, world.customer_admin, code=invitation.code)
    theirs = create_admin_relationship(
        session,
        world.other.admin,
        customer_id=world.customer_id,
        display_name="Theirs",
        role_ids=["Global Reader"],
        duration_days=30,
    )

    remove_reseller_relationship(session, admin, customer_id=world.customer_id)

    for rel in (drafted, pending, active):
        session.refresh(rel)
        assert rel.status == "terminated" and rel.ended_by == "partner"
    session.refresh(theirs)
    assert theirs.status == "created"
    ended = activity(session, operation="terminate_granular_admin_relationship", customer_id=world.customer_id)
    assert sorted(r.resource_id for r in ended) == sorted([drafted.id, pending.id, active.id])
    remaining = list_admin_relationships(session, world.customer_admin)
    assert [r.id for r in remaining if r.status not in ("terminated", "expired")] == [theirs.id]

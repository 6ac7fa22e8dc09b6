"""The customer ends a reseller relationship (issue 15 §2): its Global admin ends one partner's relationship,
under the seed's precondition and with the seed's four effects, recorded as the partner's removal is but naming
the customer's admin, and visible to the partner in its activity log and the relationship's history."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.audit.service import ActivityQuery, list_activity
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.auth.service import actor_for_user
from partnerhub.customers.service import get_customer, list_customers
from partnerhub.delegated_admin.gdap import (
    approve_admin_relationship,
    create_admin_relationship,
    lock_for_approval,
)
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.roles import USER_ADMINISTRATOR
from partnerhub.errors import (
    CustomerNotFound,
    Forbidden,
    NoCommerceRelationship,
    PartnerNotFound,
    RemoveBlockedByActiveSubscriptions,
)
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.relationships.service import list_relationship_history
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.support_contacts.service import set_support_contact
from partnerhub.usecases.customer_ends_relationship import (
    check_customer_ending,
    customer_ends_relationship,
    end_reseller_relationship,
)
from partnerhub.usecases.customer_partners import list_partners_of_customer
from tests.activity import activity, operation_names
from tests.conftest import World
from tests.factories import M365_BASIC, M365_E3, buy, make_customer
from tests.partnerships.world import customer_admin, customer_for_reseller, make_indirect, partner_up


def _suspend(session: Session, actor: Actor, customer_id: str, subscription_id: str) -> None:
    update_subscription(
        session,
        actor,
        customer_id=customer_id,
        subscription_id=subscription_id,
        change=SubscriptionChange(status="suspended"),
    )


def _gdap(session: Session, world: World) -> str:
    rel = create_admin_relationship(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        display_name="Helpdesk access",
        role_ids=[USER_ADMINISTRATOR],
        duration_days=90,
    )
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rel.id)
    approve_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id)
    return rel.id


def test_it_is_refused_while_a_subscription_bought_through_the_partner_is_active(
    session: Session, world: World
) -> None:
    active = buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    pending = buy(session, world.partner.admin, world.customer_id, M365_E3)
    pending.status = "pending"
    session.flush()
    with pytest.raises(RemoveBlockedByActiveSubscriptions) as info:
        customer_ends_relationship(session, world.customer_admin, partner_id=world.partner.partner_id)
    assert info.value.code == 800100
    assert {(d["subscriptionId"], d["status"]) for d in info.value.data} == {
        (active.id, "active"),
        (pending.id, "pending"),
    }
    get_customer(session, world.partner.admin, customer_id=world.customer_id)
    assert activity(session, operation="remove_partner_customer_relationship") == []
    check = check_customer_ending(session, world.customer_admin, partner_id=world.partner.partner_id)
    assert not check.can_end and {s.id for s in check.blocking} == {active.id, pending.id}
    assert check.partner_name == "Contoso Direct"


def test_the_four_effects_of_the_seed_in_one_step(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    gdap_id = _gdap(session, world)
    _suspend(session, world.partner.admin, world.customer_id, sub.id)
    assert check_customer_ending(session, world.customer_admin, partner_id=world.partner.partner_id).can_end
    rel = customer_ends_relationship(session, world.customer_admin, partner_id=world.partner.partner_id.upper())
    assert (rel.status, rel.removed_by, rel.removed_by_user_id) == ("removed", "customer", world.customer_admin.user_id)
    # 1. the customer leaves the partner's list
    assert world.customer_id not in [r.customer.id for r in list_customers(session, world.partner.admin).items]
    with pytest.raises(CustomerNotFound):
        get_customer(session, world.partner.admin, customer_id=world.customer_id)
    # 3. delegated admin privileges end: DAP and every GDAP relationship
    assert rel.has_delegated_admin is False
    gdap = session.get(AdminRelationship, gdap_id)
    assert gdap is not None and gdap.status == "terminated"
    [ended] = activity(session, operation="terminate_granular_admin_relationship", resource_id=gdap_id)
    assert ended.new_value is not None and ended.new_value["endedBy"] == "customer"
    # 4. no purchase on behalf of the customer
    with pytest.raises(NoCommerceRelationship):
        buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    assert list_partners_of_customer(session, world.customer_admin) == []


def test_the_partner_leaves_the_support_contacts(session: Session) -> None:
    indirect = make_indirect(session)
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    customer_id = created.customer.id
    sub = buy(session, indirect.provider.admin, customer_id, M365_BASIC)  # no reseller of record: nothing blocks
    set_support_contact(
        session,
        indirect.provider.admin,
        customer_id=customer_id,
        subscription_id=sub.id,
        support_tenant_id=indirect.reseller.partner_id,
    )
    assert sub.support_contact_id == indirect.reseller.partner_id
    customer_ends_relationship(session, customer_admin(session, created), partner_id=indirect.reseller.partner_id)
    assert sub.support_contact_id is None  # 2. back to the default: the provider
    assert "update_subscription_support_contact" in operation_names(session, resource_id=sub.id)


def test_the_record_names_the_customers_admin_and_the_partner_sees_it(session: Session, world: World) -> None:
    rel = customer_ends_relationship(session, world.customer_admin, partner_id=world.partner.partner_id)
    [rec] = activity(session, operation="remove_partner_customer_relationship")
    assert (rec.partner_id, rec.customer_id, rec.resource_id) == (world.partner.partner_id, world.customer_id, rel.id)
    assert (rec.user_id, rec.user_principal_name) == (world.customer_admin.user_id, world.customer_admin.email)
    assert rec.old_value == {"relationshipToPartner": "reseller", "allowDelegatedAccess": True}
    assert rec.new_value == {"relationshipToPartner": "none", "allowDelegatedAccess": False, "initiatedBy": "customer"}
    removals = ActivityQuery(operation="remove_partner_customer_relationship")
    for reader in (world.partner.admin, world.customer_admin):
        assert [r.id for r in list_activity(session, reader, query=removals).items] == [rec.id]
    assert list_activity(session, world.other.admin, query=removals).items == []
    [episode] = list_relationship_history(session, world.partner.admin, customer_id=world.customer_id)
    assert (episode.status, episode.removed_by, episode.removed_at) == ("removed", "customer", rec.created_at)


def test_another_partners_relationship_stays(session: Session, world: World) -> None:
    invitation = create_invitation(session, world.other.admin, base_url="http://x")
    accept_invitation(session, world.customer_admin, code=invitation.code)
    customer_ends_relationship(session, world.customer_admin, partner_id=world.other.partner_id)
    get_customer(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        get_customer(session, world.other.admin, customer_id=world.customer_id)


def test_a_partner_without_an_active_relationship_is_not_found(session: Session, world: World) -> None:
    for partner_id in (world.other.partner_id, "not-a-partner"):
        with pytest.raises(PartnerNotFound):
            customer_ends_relationship(session, world.customer_admin, partner_id=partner_id)
        with pytest.raises(PartnerNotFound):
            check_customer_ending(session, world.customer_admin, partner_id=partner_id)
    customer_ends_relationship(session, world.customer_admin, partner_id=world.partner.partner_id)
    with pytest.raises(PartnerNotFound):  # ending twice
        customer_ends_relationship(session, world.customer_admin, partner_id=world.partner.partner_id)


def test_only_the_customers_global_admin_ends_it_this_way(session: Session, world: World) -> None:
    ordinary = Actor(
        world.customer_admin.user_id, world.customer_admin.email, world.customer_id, "customer", frozenset({Role.USER})
    )
    for actor in (ordinary, world.partner.admin, world.other.admin):
        with pytest.raises(Forbidden):
            customer_ends_relationship(session, actor, partner_id=world.partner.partner_id)


def test_either_side_ends_it_through_one_door(session: Session, world: World) -> None:
    """`end_reseller_relationship` (DELETE /v1/customers/{c}/partners/{p}): the customer's Global admin for any
    partner of its own tenant, a partner only its own relationship (the seed's removal); anything else is not
    found, as a missing id is."""
    second = make_customer(session, world.partner.admin)
    stranger = actor_for_user(session, make_customer(session, world.other.admin).admin)
    with pytest.raises(CustomerNotFound):  # another customer's relationship
        end_reseller_relationship(session, stranger, customer_id=world.customer_id, partner_id=world.partner.partner_id)
    with pytest.raises(CustomerNotFound):  # another partner's relationship
        end_reseller_relationship(
            session, world.other.admin, customer_id=world.customer_id, partner_id=world.partner.partner_id
        )
    with pytest.raises(Forbidden):  # the partner's own, but not a role that removes
        end_reseller_relationship(
            session, world.partner.sales_agent, customer_id=world.customer_id, partner_id=world.partner.partner_id
        )
    by_customer = end_reseller_relationship(
        session, world.customer_admin, customer_id=world.customer_id, partner_id=world.partner.partner_id
    )
    by_partner = end_reseller_relationship(
        session, world.partner.admin, customer_id=second.customer.id, partner_id=world.partner.partner_id
    )
    assert (by_customer.removed_by, by_partner.removed_by) == ("customer", "partner")
    assert [r.new_value for r in activity(session, operation="remove_partner_customer_relationship")] == [
        {"relationshipToPartner": "none", "allowDelegatedAccess": False, "initiatedBy": "customer"},
        {"relationshipToPartner": "none", "allowDelegatedAccess": False},
    ]


def test_re_establishing_after_the_customer_ended_it_keeps_both_episodes(session: Session, world: World) -> None:
    customer_ends_relationship(session, world.customer_admin, partner_id=world.partner.partner_id)
    again = create_invitation(session, world.partner.admin, base_url="http://x", customer_id=world.customer_id)
    accept_invitation(session, world.customer_admin, code=again.code)
    history = list_relationship_history(session, world.partner.admin, customer_id=world.customer_id)
    assert [(h.status, h.removed_by) for h in history] == [("removed", "customer"), ("active", None)]

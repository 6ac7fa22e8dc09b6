"""A shared customer's billing profile (issue 12, F4): the customer owns it; every partner related to it (an active
reseller relationship) with a role that manages customers may change it, only over the etag it read when the
customer is shared; every change appears in the activity log of every related partner."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.customers.schemas import BillingProfileInput, make_etag
from partnerhub.customers.service import get_customer, update_billing_profile
from partnerhub.errors import CustomerNotFound, Forbidden, SharedCustomerNeedsEtag, StaleEtag
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.activity import activity
from tests.conftest import World
from tests.factories import share_customer

OP = "update_customer_billing_profile"


def _etag(session: Session, world: World) -> str:
    customer = get_customer(session, world.partner.admin, customer_id=world.customer_id).customer
    return make_etag(customer.id, customer.version)


def test_a_change_appears_in_the_log_of_every_related_partner(session: Session, world: World) -> None:
    share_customer(session, world.other.admin, world.customer_admin)
    update_billing_profile(
        session,
        world.other.admin_agent,
        customer_id=world.customer_id,
        billing=BillingProfileInput(city="Torino"),
        etag=_etag(session, world),
    )
    own = activity(session, operation=OP, partner_id=world.other.partner_id)
    theirs = activity(session, operation=OP, partner_id=world.partner.partner_id)
    assert len(own) == len(theirs) == 1
    assert own[0].new_value == theirs[0].new_value == {"city": "Torino"}
    assert own[0].old_value == theirs[0].old_value == {"city": "Milano"}
    assert own[0].customer_id == theirs[0].customer_id == world.customer_id
    assert own[0].correlation_id == theirs[0].correlation_id
    # the acting partner sees its user; the other partner sees which partner acted, not that partner's user
    assert own[0].user_principal_name == world.other.admin_agent.email
    assert (theirs[0].user_principal_name, theirs[0].user_id) == ("Northwind Cloud", None)


def test_a_shared_customers_profile_needs_the_etag(session: Session, world: World) -> None:
    update_billing_profile(
        session, world.partner.admin, customer_id=world.customer_id, billing=BillingProfileInput(city="Como")
    )  # not shared: without an etag, as before
    share_customer(session, world.other.admin, world.customer_admin)
    with pytest.raises(SharedCustomerNeedsEtag) as refused:
        update_billing_profile(
            session, world.partner.admin, customer_id=world.customer_id, billing=BillingProfileInput(city="Lecco")
        )
    assert refused.value.code == 800184
    assert get_customer(session, world.partner.admin, customer_id=world.customer_id).customer.city == "Como"


def test_nobody_overwrites_another_partners_change_unseen(session: Session, world: World) -> None:
    share_customer(session, world.other.admin, world.customer_admin)
    read_by_both = _etag(session, world)
    update_billing_profile(
        session,
        world.other.admin,
        customer_id=world.customer_id,
        billing=BillingProfileInput(phone_number="+39 011 1"),
        etag=read_by_both,
    )
    with pytest.raises(StaleEtag):
        update_billing_profile(
            session,
            world.partner.sales_agent,
            customer_id=world.customer_id,
            billing=BillingProfileInput(phone_number="+39 02 2"),
            etag=read_by_both,
        )
    assert (
        get_customer(session, world.partner.admin, customer_id=world.customer_id).customer.phone_number == "+39 011 1"
    )
    assert len(activity(session, operation=OP, customer_id=world.customer_id)) == 2  # one change, two logs


def test_a_former_partner_neither_changes_it_nor_hears_of_it(session: Session, world: World) -> None:
    share_customer(session, world.other.admin, world.customer_admin)
    remove_reseller_relationship(session, world.other.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        update_billing_profile(
            session,
            world.other.admin,
            customer_id=world.customer_id,
            billing=BillingProfileInput(city="Asti"),
            etag=_etag(session, world),
        )
    update_billing_profile(
        session, world.partner.admin, customer_id=world.customer_id, billing=BillingProfileInput(city="Asti")
    )  # no longer shared
    assert activity(session, operation=OP, partner_id=world.other.partner_id) == []
    assert len(activity(session, operation=OP, partner_id=world.partner.partner_id)) == 1


def test_helpdesk_agents_and_the_customer_do_not_change_it(session: Session, world: World) -> None:
    for actor in (world.partner.helpdesk_agent, world.customer_admin):
        with pytest.raises(Forbidden):
            update_billing_profile(
                session,
                actor,
                customer_id=world.customer_id,
                billing=BillingProfileInput(city="Bari"),
                etag=_etag(session, world),
            )

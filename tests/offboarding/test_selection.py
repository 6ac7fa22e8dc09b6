"""The customers picked for a bulk offboarding: only the partner's own current customers, in the order given."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.errors import Forbidden
from partnerhub.usecases.offboarding_selection import list_selected_customers
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.conftest import World
from tests.factories import make_customer


def test_the_selection_keeps_the_partners_customers_in_the_given_order(session: Session, world: World) -> None:
    second = make_customer(session, world.partner.admin, name="Alpha").customer.id
    foreign = make_customer(session, world.other.admin, name="Northwind").customer.id
    picked = list_selected_customers(
        session, world.partner.admin, customer_ids=[f" {second.upper()} ", foreign, world.customer_id, second, "nope"]
    )
    assert [c.id for c in picked] == [second, world.customer_id]


def test_a_former_customer_is_left_out(session: Session, world: World) -> None:
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    assert list_selected_customers(session, world.partner.admin, customer_ids=[world.customer_id]) == []


def test_only_who_may_remove_relationships_may_select(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        list_selected_customers(session, world.partner.sales_agent, customer_ids=[world.customer_id])
    assert list_selected_customers(session, world.partner.admin, customer_ids=[]) == []

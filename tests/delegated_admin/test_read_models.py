"""The read models of the delegated admin pages: who may read them, and what each shows (DOMAIN.md §4)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.delegated_admin.read_models import (
    admin_relationship_detail,
    admin_relationship_for_customer,
    customer_admin_relationships,
    security_group_detail,
)
from partnerhub.delegated_admin.roles import GLOBAL_READER, USER_ADMINISTRATOR
from partnerhub.delegated_admin.service import (
    create_admin_relationship,
    create_security_group,
    lock_for_approval,
    remove_delegated_admin,
    terminate_admin_relationship,
)
from partnerhub.errors import AdminRelationshipNotFound, CustomerNotFound, Forbidden, SecurityGroupNotFound
from partnerhub.usecases.customer_partners import partner_access_of_customer
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.conftest import World
from tests.delegated_admin.conftest import active_gdap
from tests.factories import make_customer


def _request(session: Session, world: World, name: str, *, lock: bool = True) -> str:
    rel = create_admin_relationship(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        display_name=name,
        role_ids=[GLOBAL_READER],
        duration_days=30,
    )
    if lock:
        lock_for_approval(session, world.partner.admin, admin_relationship_id=rel.id)
    return rel.id


def test_a_partner_sees_its_relationships_with_one_customer(session: Session, world: World) -> None:
    other_customer = make_customer(session, world.partner.admin).customer.id
    mine = _request(session, world, "Fabrikam readers", lock=False)
    create_admin_relationship(
        session, world.partner.admin, customer_id=other_customer, display_name="Elsewhere", role_ids=[GLOBAL_READER]
    )
    view = customer_admin_relationships(session, world.partner.admin_agent, customer_id=world.customer_id)
    assert view.customer.company_name == "Fabrikam Srl"
    assert [r.id for r in view.relationships] == [mine]


@pytest.mark.parametrize("who", ["sales_agent", "helpdesk_agent"])
def test_other_partner_roles_are_refused(session: Session, world: World, who: str) -> None:
    with pytest.raises(Forbidden):
        customer_admin_relationships(session, getattr(world.partner, who), customer_id=world.customer_id)


def test_a_customer_user_is_refused_the_partner_view_of_its_own_tenant(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        customer_admin_relationships(session, world.customer_admin, customer_id=world.customer_id)


def test_another_partners_customer_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        customer_admin_relationships(session, world.other.admin, customer_id=world.customer_id)


def test_the_detail_needs_the_relationship_to_be_with_the_customer_in_the_address(
    session: Session, world: World
) -> None:
    rel_id = _request(session, world, "Fabrikam readers", lock=False)
    group = create_security_group(session, world.partner.admin, display_name="Support")
    detail = admin_relationship_detail(
        session, world.partner.admin, customer_id=world.customer_id, admin_relationship_id=rel_id
    )
    assert detail.relationship.id == rel_id and detail.assignments == []
    assert [g.group.id for g in detail.groups] == [group.id]
    other_customer = make_customer(session, world.partner.admin).customer.id
    with pytest.raises(AdminRelationshipNotFound):
        admin_relationship_detail(
            session, world.partner.admin, customer_id=other_customer, admin_relationship_id=rel_id
        )


def test_the_customer_sees_each_partner_with_dap_and_the_requests_sent_to_it(session: Session, world: World) -> None:
    draft = _request(session, world, "Draft", lock=False)
    pending = _request(session, world, "Pending")
    [contoso] = partner_access_of_customer(session, world.customer_admin)
    assert contoso.name == "Contoso Direct"
    assert contoso.reseller is not None and contoso.reseller.has_delegated_admin
    assert [r.id for r in contoso.admin_relationships] == [pending]
    with pytest.raises(AdminRelationshipNotFound):
        admin_relationship_for_customer(session, world.customer_admin, admin_relationship_id=draft)
    request = admin_relationship_for_customer(session, world.customer_admin, admin_relationship_id=pending)
    assert request.partner_name == "Contoso Direct"
    remove_delegated_admin(
        session, world.customer_admin, customer_id=world.customer_id, partner_id=world.partner.partner_id
    )
    [contoso] = partner_access_of_customer(session, world.customer_admin)
    assert contoso.reseller is not None and not contoso.reseller.has_delegated_admin


def test_a_former_partners_ended_relationships_stay_visible_as_history(session: Session, world: World) -> None:
    gdap = active_gdap(
        session, world.partner.admin, world.customer_admin, customer_id=world.customer_id, roles=[USER_ADMINISTRATOR]
    )
    terminate_admin_relationship(session, world.partner.admin, admin_relationship_id=gdap.relationship.id)
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    [former] = partner_access_of_customer(session, world.customer_admin)
    assert (former.name, former.reseller) == ("Contoso Direct", None)
    assert [r.status for r in former.admin_relationships] == ["terminated"]


def test_partner_users_are_refused_the_customer_view(session: Session, world: World) -> None:
    pending = _request(session, world, "Pending")
    with pytest.raises(Forbidden):
        partner_access_of_customer(session, world.partner.admin)
    with pytest.raises(Forbidden):
        admin_relationship_for_customer(session, world.partner.admin, admin_relationship_id=pending)


def test_a_security_group_is_read_only_by_its_partner(session: Session, world: World) -> None:
    group = create_security_group(session, world.partner.admin, display_name="Support")
    assert security_group_detail(session, world.partner.admin_agent, security_group_id=group.id).members == []
    with pytest.raises(SecurityGroupNotFound):
        security_group_detail(session, world.other.admin, security_group_id=group.id)
    with pytest.raises(Forbidden):
        security_group_detail(session, world.partner.sales_agent, security_group_id=group.id)

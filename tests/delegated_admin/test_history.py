"""What happened to a GDAP relationship is kept by the service layer, whichever door acted: each request that
took effect (lockForApproval, approve, reject, terminate, by whom), each change of the relationship or its
access assignments as an operation; nothing is kept for what the system did on its own or for a refusal.
Deleting a draft, and the customers with an active relationship (Graph's delegatedAdminCustomers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.clock import frozen_at, utc_now
from partnerhub.delegated_admin.admin_customers import get_delegated_admin_customer, list_delegated_admin_customers
from partnerhub.delegated_admin.gdap import delete_admin_relationship
from partnerhub.delegated_admin.history import list_relationship_operations, list_relationship_requests
from partnerhub.delegated_admin.models import AccessAssignment, AdminRelationshipActionRequest
from partnerhub.delegated_admin.roles import HELPDESK_ADMINISTRATOR, USER_ADMINISTRATOR
from partnerhub.delegated_admin.service import (
    create_access_assignment,
    create_admin_relationship,
    create_security_group,
    end_admin_relationships_for,
    get_admin_relationship,
    lock_for_approval,
    reject_admin_relationship,
    terminate_admin_relationship,
    update_access_assignment,
    update_admin_relationship,
)
from partnerhub.errors import (
    AdminRelationshipInvalidState,
    AdminRelationshipNotFound,
    DelegatedAdminCustomerNotFound,
    Forbidden,
    StaleEtag,
)
from tests.conftest import World
from tests.delegated_admin.conftest import active_gdap, records
from tests.factories import make_customer


def _draft(session: Session, world: World, name: str = "Draft") -> str:
    return create_admin_relationship(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        display_name=name,
        role_ids=[USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR],
    ).id


def test_each_request_that_took_effect_is_kept_with_who_made_it(session: Session, world: World) -> None:
    gdap = active_gdap(
        session,
        world.partner.admin_agent,
        world.customer_admin,
        customer_id=world.customer_id,
        roles=[USER_ADMINISTRATOR],
    )
    rid = gdap.relationship.id
    terminate_admin_relationship(session, world.customer_admin, admin_relationship_id=rid)
    with pytest.raises(AdminRelationshipInvalidState):
        terminate_admin_relationship(session, world.partner.admin, admin_relationship_id=rid)
    kept = list_relationship_requests(session, world.partner.admin, admin_relationship_id=rid)
    assert [(r.action, r.status, r.requested_by) for r in kept] == [
        ("lockForApproval", "succeeded", world.partner.admin_agent.user_id),
        ("approve", "succeeded", world.customer_admin.user_id),
        ("terminate", "succeeded", world.customer_admin.user_id),
    ]
    assert [r.id for r in list_relationship_requests(session, world.customer_admin, admin_relationship_id=rid)] == [
        r.id for r in kept
    ]

    rejected = _draft(session, world, "Rejected")
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rejected)
    reject_admin_relationship(session, world.customer_admin, admin_relationship_id=rejected)
    assert [
        r.action for r in list_relationship_requests(session, world.partner.admin, admin_relationship_id=rejected)
    ] == ["lockForApproval", "reject"]
    with pytest.raises(AdminRelationshipNotFound):
        list_relationship_requests(session, world.other.admin, admin_relationship_id=rid)
    with pytest.raises(Forbidden):
        list_relationship_requests(session, world.partner.sales_agent, admin_relationship_id=rid)


def test_what_the_system_does_on_its_own_is_not_a_request(session: Session, world: World) -> None:
    rid = _draft(session, world)
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rid)
    end_admin_relationships_for(
        session, world.partner.admin, partner_id=world.partner.partner_id, customer_id=world.customer_id, now=utc_now()
    )
    assert get_admin_relationship(session, world.partner.admin, admin_relationship_id=rid).status == "terminated"
    assert [r.action for r in list_relationship_requests(session, world.partner.admin, admin_relationship_id=rid)] == [
        "lockForApproval"
    ]


def test_each_change_is_an_operation_and_no_change_is_none(session: Session, world: World) -> None:
    rid = _draft(session, world)
    group = create_security_group(session, world.partner.admin, display_name="Helpdesk")
    assignment = create_access_assignment(
        session,
        world.partner.admin,
        admin_relationship_id=rid,
        security_group_id=group.id,
        role_ids=[USER_ADMINISTRATOR],
    )
    update_access_assignment(
        session, world.partner.admin, access_assignment_id=assignment.id, role_ids=[USER_ADMINISTRATOR]
    )  # the same roles: no change
    update_admin_relationship(session, world.partner.admin, admin_relationship_id=rid, display_name="Renamed")
    update_admin_relationship(session, world.partner.admin, admin_relationship_id=rid, display_name="Renamed")
    kept = list_relationship_operations(session, world.customer_admin, admin_relationship_id=rid)
    assert [(o.operation_type, o.status) for o in kept] == [
        ("delegatedAdminAccessAssignmentUpdate", "succeeded"),
        ("delegatedAdminRelationshipUpdate", "succeeded"),
    ]
    assert kept[0].data["accessAssignmentId"] == assignment.id and kept[1].data == {"displayName": "Renamed"}


def test_a_draft_is_deleted_with_what_was_prepared_on_it(session: Session, world: World) -> None:
    rid = _draft(session, world)
    group = create_security_group(session, world.partner.admin, display_name="Prepared")
    create_access_assignment(
        session,
        world.partner.admin,
        admin_relationship_id=rid,
        security_group_id=group.id,
        role_ids=[USER_ADMINISTRATOR],
    )
    with pytest.raises(StaleEtag):
        delete_admin_relationship(session, world.partner.admin, admin_relationship_id=rid, version=99)
    with pytest.raises(AdminRelationshipNotFound):
        delete_admin_relationship(session, world.customer_admin, admin_relationship_id=rid)
    with pytest.raises(Forbidden):
        delete_admin_relationship(session, world.partner.helpdesk_agent, admin_relationship_id=rid)
    delete_admin_relationship(session, world.partner.admin_agent, admin_relationship_id=rid, version=1)
    with pytest.raises(AdminRelationshipNotFound):
        get_admin_relationship(session, world.partner.admin, admin_relationship_id=rid)
    left = session.scalars(select(AccessAssignment).where(AccessAssignment.admin_relationship_id == rid)).all()
    assert left == []
    [deleted] = records(session, "delete_granular_admin_relationship", rid)
    assert deleted.old_value is not None and deleted.old_value["status"] == "created" and deleted.new_value is None
    assert deleted.user_id == world.partner.admin_agent.user_id
    _draft(session, world)  # the name is free again


def test_only_a_draft_still_within_its_90_days_can_be_deleted(session: Session, world: World) -> None:
    sent = _draft(session, world, "Sent")
    lock_for_approval(session, world.partner.admin, admin_relationship_id=sent)
    with pytest.raises(AdminRelationshipInvalidState):
        delete_admin_relationship(session, world.partner.admin, admin_relationship_id=sent)
    old = _draft(session, world, "Old")
    with frozen_at(utc_now() + timedelta(days=91)), pytest.raises(AdminRelationshipInvalidState):
        delete_admin_relationship(session, world.partner.admin, admin_relationship_id=old)
    kept = session.scalars(
        select(AdminRelationshipActionRequest).where(AdminRelationshipActionRequest.admin_relationship_id == sent)
    ).all()
    assert [r.action for r in kept] == ["lockForApproval"]


def test_delegated_admin_customers_are_those_an_active_relationship_reaches(session: Session, world: World) -> None:
    assert list_delegated_admin_customers(session, world.partner.admin) == []
    active_gdap(
        session, world.partner.admin, world.customer_admin, customer_id=world.customer_id, roles=[USER_ADMINISTRATOR]
    )
    other = make_customer(session, world.partner.admin, name="Aardvark Spa")
    create_admin_relationship(
        session, world.partner.admin, customer_id=other.customer.id, display_name="Draft", role_ids=[USER_ADMINISTRATOR]
    )
    found = list_delegated_admin_customers(session, world.partner.admin_agent)
    assert [(c.tenant_id, c.display_name) for c in found] == [(world.customer_id, "Fabrikam Srl")]
    assert get_delegated_admin_customer(session, world.partner.admin, customer_id=world.customer_id) == found[0]
    for actor, customer_id in ((world.partner.admin, other.customer.id), (world.other.admin, world.customer_id)):
        with pytest.raises(DelegatedAdminCustomerNotFound):
            get_delegated_admin_customer(session, actor, customer_id=customer_id)
    for refused in (world.customer_admin, world.partner.sales_agent):
        with pytest.raises(Forbidden):
            list_delegated_admin_customers(session, refused)
    with frozen_at(utc_now() + timedelta(days=731)):  # past its end, without auto-extend
        assert list_delegated_admin_customers(session, world.partner.admin) == []

"""Security groups, access assignments, and the check "may user U act with role R in customer C?"
(DOMAIN.md §4 and §8: DAP, GDAP, and GDAP's precedence when both cover a user)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from partnerhub.clock import frozen_at
from partnerhub.delegated_admin.roles import (
    ALL_ROLE_IDS,
    DIRECTORY_READERS,
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    HELPDESK_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    resolve_role,
    role_name,
)
from partnerhub.delegated_admin.service import (
    add_group_member,
    create_access_assignment,
    create_admin_relationship,
    create_security_group,
    delegated_roles,
    delete_access_assignment,
    list_access_assignments,
    list_security_groups,
    may_act,
    remove_delegated_admin,
    remove_group_member,
    require_delegated_role,
    terminate_admin_relationship,
    update_access_assignment,
)
from partnerhub.errors import (
    AccessAssignmentExists,
    AccessAssignmentNotFound,
    AccessAssignmentRolesNotInRelationship,
    AdminRelationshipInvalidState,
    AdminRelationshipNotFound,
    AdminRelationshipRolesRequired,
    CustomerNotFound,
    DelegatedRoleRequired,
    Forbidden,
    SecurityGroupNameInvalid,
    SecurityGroupNameTaken,
    SecurityGroupNotFound,
    UnknownGdapRole,
    UserNotFound,
)
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.conftest import World
from tests.delegated_admin.conftest import active_gdap, records
from tests.factories import make_customer

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def test_roles_are_read_by_id_or_name_in_any_case() -> None:
    assert resolve_role("  global   ADMINISTRATOR ") == GLOBAL_ADMINISTRATOR
    assert resolve_role(USER_ADMINISTRATOR.upper()) == USER_ADMINISTRATOR
    assert role_name(HELPDESK_ADMINISTRATOR) == "Helpdesk Administrator" and len(ALL_ROLE_IDS) == 96
    with pytest.raises(UnknownGdapRole):
        resolve_role("Owner")


# --- security groups ----------------------------------------------------------------------------------


def test_security_groups_are_created_with_unique_names_and_recorded(session: Session, world: World) -> None:
    group = create_security_group(session, world.partner.admin_agent, display_name=" Tier 1 ")
    assert group.display_name == "Tier 1" and group.partner_id == world.partner.partner_id
    [rec] = records(session, "create_security_group", group.id)
    assert rec.partner_id == world.partner.partner_id and rec.new_value == {"displayName": "Tier 1"}
    with pytest.raises(SecurityGroupNameTaken):
        create_security_group(session, world.partner.admin, display_name="tier 1")
    with pytest.raises(SecurityGroupNameInvalid):
        create_security_group(session, world.partner.admin, display_name="x" * 101)
    create_security_group(session, world.other.admin, display_name="Tier 1")  # another partner's namespace
    with pytest.raises(Forbidden):
        create_security_group(session, world.partner.helpdesk_agent, display_name="Mine")


def test_members_come_from_the_partners_own_tenant(session: Session, world: World) -> None:
    group = create_security_group(session, world.partner.admin, display_name="Tier 1")
    add_group_member(session, world.partner.admin, security_group_id=group.id, user=world.partner.helpdesk_agent.email)
    add_group_member(
        session, world.partner.admin, security_group_id=group.id, user=world.partner.helpdesk_agent.email.upper()
    )  # again: no change
    [rec] = records(session, "add_security_group_member", group.id)
    assert rec.new_value == {
        "userId": world.partner.helpdesk_agent.user_id,
        "userPrincipalName": world.partner.helpdesk_agent.email,
    }
    for stranger in (world.other.admin.email, world.customer_admin.email, "nobody@example.com"):
        with pytest.raises(UserNotFound):
            add_group_member(session, world.partner.admin, security_group_id=group.id, user=stranger)
    with pytest.raises(SecurityGroupNotFound):
        add_group_member(session, world.other.admin, security_group_id=group.id, user=world.other.admin.email)
    [listed] = list_security_groups(session, world.partner.admin)
    assert [u.email for u in listed.members] == [world.partner.helpdesk_agent.email]
    assert list_security_groups(session, world.other.admin) == []
    remove_group_member(
        session, world.partner.admin, security_group_id=group.id, user=world.partner.helpdesk_agent.user_id or ""
    )
    remove_group_member(
        session, world.partner.admin, security_group_id=group.id, user=world.partner.helpdesk_agent.email
    )  # not a member any more: no change
    [rec] = records(session, "remove_security_group_member", group.id)
    assert rec.old_value is not None and rec.old_value["userPrincipalName"] == world.partner.helpdesk_agent.email
    assert list_security_groups(session, world.partner.admin)[0].members == []


# --- access assignments -------------------------------------------------------------------------------


def _draft(session: Session, world: World, roles: list[str]) -> tuple[str, str]:
    rel = create_admin_relationship(
        session, world.partner.admin, customer_id=world.customer_id, display_name="Support", role_ids=roles
    )
    group = create_security_group(session, world.partner.admin, display_name="Support desk")
    return rel.id, group.id


def test_an_assignment_gives_a_group_a_subset_of_the_relationships_roles(session: Session, world: World) -> None:
    rel_id, group_id = _draft(session, world, [USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR])
    a = create_access_assignment(
        session,
        world.partner.admin_agent,
        admin_relationship_id=rel_id,
        security_group_id=group_id,
        role_ids=["Helpdesk Administrator"],
    )
    assert a.status == "active" and a.role_ids == [HELPDESK_ADMINISTRATOR]
    [rec] = records(session, "create_granular_admin_access_assignment", a.id)
    assert rec.customer_id == world.customer_id and rec.partner_id == world.partner.partner_id
    assert rec.new_value == {
        "adminRelationshipId": rel_id,
        "securityGroupId": group_id,
        "roles": [HELPDESK_ADMINISTRATOR],
    }
    with pytest.raises(AccessAssignmentExists):
        create_access_assignment(
            session,
            world.partner.admin,
            admin_relationship_id=rel_id,
            security_group_id=group_id,
            role_ids=[USER_ADMINISTRATOR],
        )
    [view] = list_access_assignments(session, world.customer_admin, admin_relationship_id=rel_id)
    assert view.assignment.id == a.id and view.group_name == "Support desk"


def test_assignment_roles_must_be_in_the_relationship_and_not_empty(session: Session, world: World) -> None:
    rel_id, group_id = _draft(session, world, [USER_ADMINISTRATOR])
    with pytest.raises(AccessAssignmentRolesNotInRelationship) as info:
        create_access_assignment(
            session,
            world.partner.admin,
            admin_relationship_id=rel_id,
            security_group_id=group_id,
            role_ids=[USER_ADMINISTRATOR, GLOBAL_ADMINISTRATOR],
        )
    assert GLOBAL_ADMINISTRATOR in str(info.value)
    with pytest.raises(AdminRelationshipRolesRequired):
        create_access_assignment(
            session, world.partner.admin, admin_relationship_id=rel_id, security_group_id=group_id, role_ids=[]
        )
    assert records(session, "create_granular_admin_access_assignment") == []


def test_assignments_stay_within_the_partner(session: Session, world: World) -> None:
    rel_id, group_id = _draft(session, world, [USER_ADMINISTRATOR])
    foreign_group = create_security_group(session, world.other.admin, display_name="Theirs")
    with pytest.raises(SecurityGroupNotFound):
        create_access_assignment(
            session,
            world.partner.admin,
            admin_relationship_id=rel_id,
            security_group_id=foreign_group.id,
            role_ids=[USER_ADMINISTRATOR],
        )
    with pytest.raises(AdminRelationshipNotFound):
        create_access_assignment(
            session,
            world.other.admin,
            admin_relationship_id=rel_id,
            security_group_id=foreign_group.id,
            role_ids=[USER_ADMINISTRATOR],
        )
    a = create_access_assignment(
        session,
        world.partner.admin,
        admin_relationship_id=rel_id,
        security_group_id=group_id,
        role_ids=[USER_ADMINISTRATOR],
    )
    with pytest.raises(AccessAssignmentNotFound):
        delete_access_assignment(session, world.other.admin, access_assignment_id=a.id)


def test_assignments_are_updated_and_deleted_with_records(session: Session, world: World) -> None:
    rel_id, group_id = _draft(session, world, [USER_ADMINISTRATOR, GLOBAL_READER])
    a = create_access_assignment(
        session, world.partner.admin, admin_relationship_id=rel_id, security_group_id=group_id, role_ids=[GLOBAL_READER]
    )
    update_access_assignment(
        session, world.partner.admin, access_assignment_id=a.id, role_ids=[GLOBAL_READER, USER_ADMINISTRATOR]
    )
    update_access_assignment(
        session, world.partner.admin, access_assignment_id=a.id, role_ids=[USER_ADMINISTRATOR, GLOBAL_READER]
    )  # same roles: no change
    [rec] = records(session, "update_granular_admin_access_assignment", a.id)
    assert rec.old_value == {"roles": [GLOBAL_READER]}
    assert rec.new_value == {"roles": [GLOBAL_READER, USER_ADMINISTRATOR]}
    delete_access_assignment(session, world.partner.admin, access_assignment_id=a.id)
    assert a.status == "deleted"
    [rec] = records(session, "delete_granular_admin_access_assignment", a.id)
    assert rec.new_value == {"status": "deleted"}
    assert list_access_assignments(session, world.partner.admin, admin_relationship_id=rel_id) == []
    with pytest.raises(AccessAssignmentNotFound):
        delete_access_assignment(session, world.partner.admin, access_assignment_id=a.id)
    create_access_assignment(
        session, world.partner.admin, admin_relationship_id=rel_id, security_group_id=group_id, role_ids=[GLOBAL_READER]
    )  # the group may come back


def test_an_ended_relationship_takes_no_assignments(session: Session, world: World) -> None:
    gdap = active_gdap(
        session, world.partner.admin, world.customer_admin, customer_id=world.customer_id, roles=[USER_ADMINISTRATOR]
    )
    terminate_admin_relationship(session, world.partner.admin, admin_relationship_id=gdap.relationship.id)
    other_group = create_security_group(session, world.partner.admin, display_name="Late")
    with pytest.raises(AdminRelationshipInvalidState):
        create_access_assignment(
            session,
            world.partner.admin,
            admin_relationship_id=gdap.relationship.id,
            security_group_id=other_group.id,
            role_ids=[USER_ADMINISTRATOR],
        )
    with pytest.raises(AdminRelationshipInvalidState):
        update_access_assignment(
            session, world.partner.admin, access_assignment_id=gdap.assignment.id, role_ids=[USER_ADMINISTRATOR]
        )


# --- the check ----------------------------------------------------------------------------------------


def test_dap_gives_admin_agents_global_administrator_and_helpdesk_agents_helpdesk(
    session: Session, world: World
) -> None:
    p, cid = world.partner, world.customer_id
    assert delegated_roles(session, actor=p.admin, customer_id=cid) == {GLOBAL_ADMINISTRATOR}
    assert delegated_roles(session, actor=p.admin_agent, customer_id=cid) == {GLOBAL_ADMINISTRATOR}
    assert delegated_roles(session, user_id=p.helpdesk_agent.user_id, customer_id=cid) == {HELPDESK_ADMINISTRATOR}
    assert delegated_roles(session, actor=p.sales_agent, customer_id=cid) == frozenset()
    assert delegated_roles(session, actor=world.other.admin, customer_id=cid) == frozenset()
    assert may_act(session, p.admin_agent, customer_id=cid, role_id="Global Administrator")


def test_without_dap_or_gdap_a_partner_holds_no_role(session: Session, world: World) -> None:
    no_dap = make_customer(session, world.partner.admin, dap=False)
    assert delegated_roles(session, actor=world.partner.admin, customer_id=no_dap.customer.id) == frozenset()
    with pytest.raises(DelegatedRoleRequired) as info:
        require_delegated_role(
            session,
            world.partner.admin,
            customer_id=no_dap.customer.id,
            any_of=(USER_ADMINISTRATOR,),
            operation="create customer user",
        )
    assert info.value.kind == "forbidden"


def test_a_customers_global_admin_holds_every_role_in_its_own_tenant_only(session: Session, world: World) -> None:
    assert delegated_roles(session, actor=world.customer_admin, customer_id=world.customer_id) == ALL_ROLE_IDS
    other = make_customer(session, world.partner.admin)
    assert delegated_roles(session, actor=world.customer_admin, customer_id=other.customer.id) == frozenset()
    with pytest.raises(CustomerNotFound):
        require_delegated_role(
            session,
            world.customer_admin,
            customer_id=other.customer.id,
            any_of=(GLOBAL_READER,),
            operation="list customer users",
        )


def test_gdap_gives_the_assigned_roles_to_group_members_only(session: Session, world: World) -> None:
    no_dap = make_customer(session, world.partner.admin, dap=False)
    from partnerhub.auth.service import actor_for_user

    cust_admin = actor_for_user(session, no_dap.admin)
    cid = no_dap.customer.id
    active_gdap(
        session,
        world.partner.admin,
        cust_admin,
        customer_id=cid,
        roles=[USER_ADMINISTRATOR, GLOBAL_READER],
        assigned=[GLOBAL_READER],
        members=[world.partner.sales_agent],
    )
    assert delegated_roles(session, actor=world.partner.sales_agent, customer_id=cid) == {GLOBAL_READER}
    assert delegated_roles(session, actor=world.partner.admin, customer_id=cid) == frozenset()


def test_when_dap_and_gdap_both_cover_a_user_gdap_alone_applies(session: Session, world: World) -> None:
    agent, cid = world.partner.admin_agent, world.customer_id
    gdap = active_gdap(
        session, world.partner.admin, world.customer_admin, customer_id=cid, roles=[DIRECTORY_READERS], members=[agent]
    )
    assert delegated_roles(session, actor=agent, customer_id=cid) == {DIRECTORY_READERS}
    assert not may_act(session, agent, customer_id=cid, role_id=GLOBAL_ADMINISTRATOR)
    assert delegated_roles(session, actor=world.partner.admin, customer_id=cid) == {GLOBAL_ADMINISTRATOR}  # DAP
    remove_group_member(session, world.partner.admin, security_group_id=gdap.group.id, user=agent.email)
    assert delegated_roles(session, actor=agent, customer_id=cid) == {GLOBAL_ADMINISTRATOR}  # DAP again


def test_roles_end_with_the_assignment_the_relationship_or_its_time(session: Session, world: World) -> None:
    agent, cid = world.partner.sales_agent, world.customer_id
    with frozen_at(T0) as clock:
        gdap = active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=cid,
            roles=[USER_ADMINISTRATOR],
            members=[agent],
            duration_days=5,
        )
        second = active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=cid,
            roles=[GLOBAL_READER],
            members=[agent],
            duration_days=30,
        )
        assert delegated_roles(session, actor=agent, customer_id=cid) == {USER_ADMINISTRATOR, GLOBAL_READER}
        clock.move(timedelta(days=5))  # past the end of the first, before the clock writes it
        assert delegated_roles(session, actor=agent, customer_id=cid) == {GLOBAL_READER}
        delete_access_assignment(session, world.partner.admin, access_assignment_id=second.assignment.id)
        assert delegated_roles(session, actor=agent, customer_id=cid) == frozenset()
    assert gdap.relationship.status == "active"


def test_an_auto_extending_relationship_keeps_its_roles_past_its_first_end(session: Session, world: World) -> None:
    agent, cid = world.partner.sales_agent, world.customer_id
    with frozen_at(T0) as clock:
        active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=cid,
            roles=[USER_ADMINISTRATOR],
            members=[agent],
            duration_days=5,
            auto_extend_days=180,
        )
        clock.move(timedelta(days=6))
        assert delegated_roles(session, actor=agent, customer_id=cid) == {USER_ADMINISTRATOR}


def test_pending_and_terminated_relationships_give_nothing(session: Session, world: World) -> None:
    agent, cid = world.partner.sales_agent, world.customer_id
    gdap = active_gdap(
        session, world.partner.admin, world.customer_admin, customer_id=cid, roles=[USER_ADMINISTRATOR], members=[agent]
    )
    terminate_admin_relationship(session, world.customer_admin, admin_relationship_id=gdap.relationship.id)
    assert delegated_roles(session, actor=agent, customer_id=cid) == frozenset()
    rel = create_admin_relationship(
        session, world.partner.admin, customer_id=cid, display_name="Pending", role_ids=[USER_ADMINISTRATOR]
    )
    create_access_assignment(
        session,
        world.partner.admin,
        admin_relationship_id=rel.id,
        security_group_id=gdap.group.id,
        role_ids=[USER_ADMINISTRATOR],
    )
    assert delegated_roles(session, actor=agent, customer_id=cid) == frozenset()


def test_a_partner_without_any_relationship_learns_nothing(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        require_delegated_role(
            session,
            world.other.admin,
            customer_id=world.customer_id,
            any_of=(GLOBAL_READER,),
            operation="list customer users",
        )
    remove_delegated_admin(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(DelegatedRoleRequired):  # still a reseller: it may know the customer exists
        require_delegated_role(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            any_of=(GLOBAL_READER,),
            operation="list customer users",
        )
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        require_delegated_role(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            any_of=(GLOBAL_READER,),
            operation="list customer users",
        )

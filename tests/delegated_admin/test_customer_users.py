"""The customer tenant's users (DOMAIN.md §8): what DAP, GDAP and the customer's own Global admin allow."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.auth.passwords import verify_password
from partnerhub.auth.service import actor_for_user
from partnerhub.delegated_admin.roles import (
    DIRECTORY_READERS,
    GLOBAL_READER,
    HELPDESK_ADMINISTRATOR,
    USER_ADMINISTRATOR,
)
from partnerhub.delegated_admin.service import (
    create_customer_user,
    list_customer_users,
    remove_delegated_admin,
    reset_customer_user_password,
)
from partnerhub.errors import (
    CustomerNotFound,
    CustomerUserDomainMismatch,
    DelegatedRoleRequired,
    DuplicateEmail,
    GlobalAdminPasswordResetRefused,
    UserNotFound,
)
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.conftest import World
from tests.delegated_admin.conftest import active_gdap, records
from tests.factories import make_customer

ADMIN = "admin@fabrikam.example"


def _no_dap_customer(session: Session, world: World) -> tuple[str, Actor]:
    created = make_customer(session, world.partner.admin, dap=False, domain="contoso-spa.example")
    return created.customer.id, actor_for_user(session, created.admin)


def test_a_dap_admin_agent_lists_creates_and_resets(session: Session, world: World) -> None:
    agent = world.partner.admin_agent
    user, password = create_customer_user(
        session, agent, customer_id=world.customer_id, user_name="Anna.Rossi", display_name="Anna Rossi"
    )
    assert user.email == "anna.rossi@fabrikam.example" and user.roles == [Role.USER.value]
    assert user.tenant_id == world.customer_id and user.locale == "it"
    assert verify_password(user.password_hash, password)
    [rec] = records(session, "create_customer_user", user.id)
    assert rec.resource_type == "customer_user" and rec.customer_id == world.customer_id
    assert rec.partner_id == world.partner.partner_id and rec.user_principal_name == agent.email
    assert rec.new_value is not None and rec.new_value["userPrincipalName"] == user.email
    assert password not in str(rec.new_value)
    assert [u.email for u in list_customer_users(session, agent, customer_id=world.customer_id)] == [
        ADMIN,
        "anna.rossi@fabrikam.example",
    ]
    same, new_password = reset_customer_user_password(session, agent, customer_id=world.customer_id, user=user.email)
    assert same is user and new_password != password and verify_password(user.password_hash, new_password)
    [rec] = records(session, "reset_customer_user_password", user.id)
    assert rec.customer_id == world.customer_id and rec.partner_id == world.partner.partner_id
    reset_customer_user_password(session, agent, customer_id=world.customer_id, user=ADMIN)  # Global Administrator


def test_user_names_live_in_the_customers_domain(session: Session, world: World) -> None:
    with pytest.raises(CustomerUserDomainMismatch) as info:
        create_customer_user(
            session, world.partner.admin, customer_id=world.customer_id, user_name="anna@contoso-direct.example"
        )
    assert "fabrikam.example" in str(info.value)
    with pytest.raises(DuplicateEmail):
        create_customer_user(session, world.partner.admin, customer_id=world.customer_id, user_name=ADMIN)
    assert records(session, "create_customer_user") == []


def test_a_dap_helpdesk_agent_reads_and_resets_but_never_a_global_admin(session: Session, world: World) -> None:
    helpdesk = world.partner.helpdesk_agent
    user, _ = create_customer_user(session, world.partner.admin, customer_id=world.customer_id, user_name="marco")
    assert len(list_customer_users(session, helpdesk, customer_id=world.customer_id)) == 2
    reset_customer_user_password(session, helpdesk, customer_id=world.customer_id, user=user.id)
    with pytest.raises(GlobalAdminPasswordResetRefused):
        reset_customer_user_password(session, helpdesk, customer_id=world.customer_id, user=ADMIN)
    with pytest.raises(DelegatedRoleRequired):
        create_customer_user(session, helpdesk, customer_id=world.customer_id, user_name="luca")
    assert len(records(session, "reset_customer_user_password")) == 1


def test_a_sales_agent_has_no_role_in_the_customer_tenant(session: Session, world: World) -> None:
    with pytest.raises(DelegatedRoleRequired) as info:
        list_customer_users(session, world.partner.sales_agent, customer_id=world.customer_id)
    assert world.customer_id in str(info.value) and info.value.code == 800215


def test_without_dap_the_partner_needs_gdap(session: Session, world: World) -> None:
    cid, cust_admin = _no_dap_customer(session, world)
    with pytest.raises(DelegatedRoleRequired):
        list_customer_users(session, world.partner.admin, customer_id=cid)
    active_gdap(
        session,
        world.partner.admin,
        cust_admin,
        customer_id=cid,
        roles=[USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR],
        assigned=[USER_ADMINISTRATOR],
        members=[world.partner.sales_agent],
    )
    user, _ = create_customer_user(session, world.partner.sales_agent, customer_id=cid, user_name="giulia")
    assert user.email == "giulia@contoso-spa.example"
    with pytest.raises(GlobalAdminPasswordResetRefused):  # User Administrator cannot either, as in Entra
        reset_customer_user_password(
            session, world.partner.sales_agent, customer_id=cid, user="admin@contoso-spa.example"
        )
    with pytest.raises(DelegatedRoleRequired):
        list_customer_users(session, world.partner.admin, customer_id=cid)  # not in the group


def test_gdap_helpdesk_administrator_resets_only(session: Session, world: World) -> None:
    cid, cust_admin = _no_dap_customer(session, world)
    user, _ = create_customer_user(session, cust_admin, customer_id=cid, user_name="paolo")
    active_gdap(
        session,
        world.partner.admin,
        cust_admin,
        customer_id=cid,
        roles=[HELPDESK_ADMINISTRATOR],
        members=[world.partner.sales_agent],
    )
    reset_customer_user_password(session, world.partner.sales_agent, customer_id=cid, user=user.email)
    with pytest.raises(DelegatedRoleRequired):
        create_customer_user(session, world.partner.sales_agent, customer_id=cid, user_name="sara")


def test_gdap_precedence_narrows_a_dap_admin_agent(session: Session, world: World) -> None:
    agent = world.partner.admin_agent
    active_gdap(
        session,
        world.partner.admin,
        world.customer_admin,
        customer_id=world.customer_id,
        roles=[DIRECTORY_READERS, GLOBAL_READER],
        members=[agent],
    )
    assert len(list_customer_users(session, agent, customer_id=world.customer_id)) == 1
    with pytest.raises(DelegatedRoleRequired):
        create_customer_user(session, agent, customer_id=world.customer_id, user_name="x")
    create_customer_user(session, world.partner.admin, customer_id=world.customer_id, user_name="x")  # via DAP


def test_the_customers_global_admin_administers_its_own_users(session: Session, world: World) -> None:
    user, _ = create_customer_user(
        session, world.customer_admin, customer_id=world.customer_id, user_name="chiara@fabrikam.example"
    )
    [rec] = records(session, "create_customer_user", user.id)
    assert rec.partner_id is None and rec.customer_id == world.customer_id
    reset_customer_user_password(session, world.customer_admin, customer_id=world.customer_id, user=ADMIN)
    ordinary = actor_for_user(session, user)
    with pytest.raises(DelegatedRoleRequired):
        list_customer_users(session, ordinary, customer_id=world.customer_id)
    other = make_customer(session, world.partner.admin)
    with pytest.raises(CustomerNotFound):
        list_customer_users(session, world.customer_admin, customer_id=other.customer.id)
    with pytest.raises(UserNotFound):
        reset_customer_user_password(
            session, world.customer_admin, customer_id=world.customer_id, user=world.partner.admin.email
        )


def test_former_and_foreign_partners_get_not_found(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        list_customer_users(session, world.other.admin, customer_id=world.customer_id)
    remove_delegated_admin(session, world.partner.admin, customer_id=world.customer_id)
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        create_customer_user(session, world.partner.admin, customer_id=world.customer_id, user_name="x")

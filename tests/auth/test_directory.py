"""The user directory the dashboard reads: a partner's users for its Global admins only, one user by id
(another tenant's user is not found), and the signed-in user's own record."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.directory import get_my_user, get_partner_user, list_partner_users
from partnerhub.errors import Forbidden, UserNotFound
from tests.conftest import World


def test_a_global_admin_lists_only_its_own_partners_users(session: Session, world: World) -> None:
    emails = [u.email for u in list_partner_users(session, world.partner.admin)]
    assert emails == sorted(emails)
    assert world.partner.admin.email in emails and world.partner.sales_agent.email in emails
    assert world.other.admin.email not in emails
    assert world.customer_admin.email not in emails


@pytest.mark.parametrize("role", ["admin_agent", "sales_agent", "helpdesk_agent"])
def test_agents_may_not_list_users(session: Session, world: World, role: str) -> None:
    with pytest.raises(Forbidden):
        list_partner_users(session, getattr(world.partner, role))


def test_customer_admins_and_the_operator_have_no_partner_user_list(session: Session, world: World) -> None:
    for actor in (world.customer_admin, Actor.system()):
        with pytest.raises(Forbidden):
            list_partner_users(session, actor)


def test_a_user_of_another_tenant_is_not_found(session: Session, world: World) -> None:
    own = get_partner_user(session, world.partner.admin, user_id=str(world.partner.sales_agent.user_id))
    assert own.email == world.partner.sales_agent.email
    with pytest.raises(UserNotFound):
        get_partner_user(session, world.partner.admin, user_id=str(world.other.sales_agent.user_id))
    with pytest.raises(UserNotFound):
        get_partner_user(session, world.partner.admin, user_id="no-such-user")
    with pytest.raises(Forbidden):
        get_partner_user(session, world.partner.sales_agent, user_id=str(world.partner.admin.user_id))


def test_my_user_is_the_signed_in_users_own_record(session: Session, world: World) -> None:
    assert get_my_user(session, world.customer_admin).email == world.customer_admin.email
    with pytest.raises(UserNotFound):
        get_my_user(session, Actor.system())

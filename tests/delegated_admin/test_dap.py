"""DAP (DOMAIN.md §4, §8): either side removes it while the reseller relationship stays; granting it again
happens only through a relationship request the customer accepts."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.customers.service import get_customer
from partnerhub.delegated_admin.roles import GLOBAL_ADMINISTRATOR
from partnerhub.delegated_admin.service import delegated_roles, remove_delegated_admin
from partnerhub.errors import (
    CustomerNotFound,
    DelegatedAdminGrantRefused,
    DelegatedAdminPartnerRequired,
    Forbidden,
    PartnerNotFound,
)
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.usecases.customer_partners import list_partners_of_customer
from tests.conftest import World
from tests.delegated_admin.conftest import records
from tests.factories import M365_BASIC, buy, make_customer


@pytest.mark.parametrize("role", ["admin", "admin_agent"])
def test_the_partner_removes_its_own_dap_and_keeps_the_reseller_relationship(
    session: Session, world: World, role: str
) -> None:
    actor = getattr(world.partner, role)
    rel = remove_delegated_admin(session, actor, customer_id=world.customer_id.upper())
    assert rel.has_delegated_admin is False and rel.status == "active"
    [rec] = records(session, "remove_partner_customer_dap", rel.id)
    assert rec.resource_type == "partner_customer_dap" and rec.user_principal_name == actor.email
    assert rec.partner_id == world.partner.partner_id and rec.customer_id == world.customer_id
    assert rec.old_value == {"allowDelegatedAccess": True} and rec.new_value == {"allowDelegatedAccess": False}
    # The reseller relationship goes on: the customer is listed and purchases work.
    get_customer(session, world.partner.admin, customer_id=world.customer_id)
    buy(session, world.partner.admin, world.customer_id, M365_BASIC)
    assert delegated_roles(session, actor=world.partner.admin, customer_id=world.customer_id) == frozenset()


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent"])
def test_other_partner_roles_cannot_remove_dap(session: Session, world: World, role: str) -> None:
    with pytest.raises(Forbidden):
        remove_delegated_admin(session, getattr(world.partner, role), customer_id=world.customer_id)
    assert get_customer(session, world.partner.admin, customer_id=world.customer_id).relationship.has_delegated_admin


def test_the_customers_global_admin_removes_a_partners_dap(session: Session, world: World) -> None:
    rel = remove_delegated_admin(
        session, world.customer_admin, customer_id=world.customer_id, partner_id=world.partner.partner_id
    )
    assert rel.has_delegated_admin is False
    [rec] = records(session, "remove_partner_customer_dap", rel.id)
    assert rec.user_principal_name == world.customer_admin.email and rec.partner_id == world.partner.partner_id
    [partner] = list_partners_of_customer(session, world.customer_admin)
    assert partner.partner_id == world.partner.partner_id and partner.relationship.has_delegated_admin is False


def test_the_customer_must_name_a_partner_it_has(session: Session, world: World) -> None:
    with pytest.raises(DelegatedAdminPartnerRequired):
        remove_delegated_admin(session, world.customer_admin, customer_id=world.customer_id)
    with pytest.raises(PartnerNotFound):
        remove_delegated_admin(
            session, world.customer_admin, customer_id=world.customer_id, partner_id=world.other.partner_id
        )
    other = make_customer(session, world.partner.admin)
    with pytest.raises(CustomerNotFound):
        remove_delegated_admin(
            session, world.customer_admin, customer_id=other.customer.id, partner_id=world.partner.partner_id
        )
    assert records(session, "remove_partner_customer_dap") == []


def test_another_partner_cannot_touch_the_relationship(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        remove_delegated_admin(session, world.other.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        remove_delegated_admin(
            session, world.other.admin, customer_id=world.customer_id, partner_id=world.partner.partner_id
        )
    assert get_customer(session, world.partner.admin, customer_id=world.customer_id).relationship.has_delegated_admin


def test_removing_dap_that_is_already_off_changes_nothing(session: Session, world: World) -> None:
    remove_delegated_admin(session, world.partner.admin, customer_id=world.customer_id)
    rel = remove_delegated_admin(
        session, world.customer_admin, customer_id=world.customer_id, partner_id=world.partner.partner_id
    )
    assert rel.has_delegated_admin is False
    assert len(records(session, "remove_partner_customer_dap")) == 1


def test_dap_comes_back_only_through_an_accepted_request(session: Session, world: World) -> None:
    remove_delegated_admin(session, world.partner.admin, customer_id=world.customer_id)
    invitation = create_invitation(
        session, world.partner.admin, base_url="http://x", customer_id=world.customer_id, include_delegated_admin=True
    )
    accept_invitation(session, world.customer_admin, code=invitation.code)
    assert delegated_roles(session, actor=world.partner.admin_agent, customer_id=world.customer_id) == {
        GLOBAL_ADMINISTRATOR
    }


def test_the_grant_refusal_is_a_documented_error_in_both_languages() -> None:
    err = DelegatedAdminGrantRefused()
    assert err.code == 800213 and err.kind == "invalid"
    assert "relationship request" in err.render("en")
    assert "privilegi di amministratore con delega" in err.render("it")


def test_a_partner_cannot_grant_itself_dap(session: Session, world: World) -> None:
    from partnerhub.delegated_admin.dap import set_delegated_admin
    from partnerhub.errors import DelegatedAdminGrantRefused

    assert set_delegated_admin(
        session, world.partner.admin, customer_id=world.customer_id, allow=True
    ).has_delegated_admin  # already held: no change
    set_delegated_admin(session, world.partner.admin, customer_id=world.customer_id, allow=False)
    with pytest.raises(DelegatedAdminGrantRefused):
        set_delegated_admin(session, world.partner.admin, customer_id=world.customer_id, allow=True)

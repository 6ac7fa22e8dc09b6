"""Verified domains (issue 12, F5): a partner's users have e-mail addresses in the partner's own domains, which
the operator sets; at onboarding the Global admin's domain is the first. No answer tells a partner about the
users of another tenant, and no partner can take a customer's domain."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import add_partner_user
from partnerhub.customers.schemas import BillingProfileInput
from partnerhub.customers.service import create_customer
from partnerhub.errors import (
    CannotBeOwnCustomer,
    DomainAlreadyVerified,
    DomainHasOtherTenantsUsers,
    DuplicateDomain,
    DuplicateEmail,
    EmailOutsideVerifiedDomains,
    Forbidden,
    LastVerifiedDomain,
    PartnerDomainNotFound,
)
from partnerhub.tenants.domains import (
    add_partner_domain,
    list_partner_domains,
    remove_partner_domain,
    verified_domains,
)
from partnerhub.tenants.service import create_partner
from tests.activity import activity
from tests.conftest import World
from tests.factories import make_customer, make_partner

OPERATOR = Actor.system()


def test_onboarding_verifies_the_partners_domain_and_its_global_admins(session: Session) -> None:
    created = create_partner(
        session,
        OPERATOR,
        name="Wingtip",
        partner_type="direct",
        domain="wingtip.onmicrosoft.example",
        admin_email="GA@Wingtip.example",
    )
    assert verified_domains(session, created.partner.id) == ["wingtip.example", "wingtip.onmicrosoft.example"]
    same = create_partner(
        session,
        OPERATOR,
        name="Tailspin",
        partner_type="direct",
        domain="tailspin.example",
        admin_email="ga@tailspin.example",
    )
    assert verified_domains(session, same.partner.id) == ["tailspin.example"]


def test_onboarding_with_an_admin_in_another_tenants_domain_is_refused(session: Session, world: World) -> None:
    for taken in ("fabrikam.example", "northwind.example"):  # a customer's domain, another partner's
        with pytest.raises(DuplicateDomain):
            create_partner(
                session,
                OPERATOR,
                name="Squatter",
                partner_type="direct",
                domain="squatter.example",
                admin_email=f"boss@{taken}",
            )


def test_a_partner_adds_users_only_in_its_verified_domains(session: Session, world: World) -> None:
    admin = world.partner.admin
    user, _ = add_partner_user(session, admin, email="Marco@Contoso-Direct.example", roles=["sales-agent"])
    assert user.email == "marco@contoso-direct.example"
    for email in ("anna@fabrikam.example", "x@gmail.example", "admin@newcustomer.example"):
        with pytest.raises(EmailOutsideVerifiedDomains) as refused:
            add_partner_user(session, admin, email=email, roles=["sales-agent"])
        assert refused.value.params["domains"] == "contoso-direct.example"
        assert refused.value.render("it").startswith(f"{email} non è")
    assert [r.new_value["email"] for r in activity(session, operation="add_user", partner_id=world.partner.partner_id)][
        -1
    ] == user.email


def test_an_address_of_another_tenants_user_is_answered_as_outside_the_domains(session: Session, world: World) -> None:
    # the add-user answer used to say "already exists" for any address of the platform
    for email in (world.other.admin.email, world.customer_admin.email):
        with pytest.raises(EmailOutsideVerifiedDomains):
            add_partner_user(session, world.partner.admin, email=email, roles=["sales-agent"])
    with pytest.raises(DuplicateEmail):  # within its own domains a partner may learn its own users
        add_partner_user(session, world.partner.admin, email=world.partner.sales_agent.email, roles=["sales-agent"])


def test_a_squatted_customer_domain_no_longer_blocks_the_customer(session: Session, world: World) -> None:
    with pytest.raises(EmailOutsideVerifiedDomains):
        add_partner_user(session, world.partner.admin, email="admin@wanted.example", roles=["global-admin"])
    created = make_customer(session, world.other.admin, name="Wanted Inc", domain="wanted.example")
    assert created.admin.email == "admin@wanted.example"


def test_a_partner_cannot_create_a_customer_in_a_verified_domain(session: Session, world: World) -> None:
    add_partner_domain(session, OPERATOR, partner_id=world.other.partner_id, domain="northwind-cloud.example")
    with pytest.raises(CannotBeOwnCustomer):
        create_customer(
            session,
            world.other.admin,
            company_name="Self",
            domain="northwind-cloud.example",
            billing=BillingProfileInput(),
        )
    with pytest.raises(DuplicateDomain):
        create_customer(
            session,
            world.partner.admin,
            company_name="Theirs",
            domain="northwind-cloud.example",
            billing=BillingProfileInput(),
        )


def test_the_operator_adds_and_removes_domains_with_activity_records(session: Session, world: World) -> None:
    pid = world.partner.partner_id
    added = add_partner_domain(session, OPERATOR, partner_id=pid, domain=" Contoso.COM. ")
    assert added.domain == "contoso.com"
    assert verified_domains(session, pid) == ["contoso-direct.example", "contoso.com"]
    user, _ = add_partner_user(session, world.partner.admin, email="luca@contoso.com", roles=["sales-agent"])
    assert user.tenant_id == pid
    remove_partner_domain(session, OPERATOR, partner_id=pid, domain="contoso.com")
    assert [d.domain for d in list_partner_domains(session, OPERATOR, partner_id=pid)] == ["contoso-direct.example"]
    records = activity(session, partner_id=pid, resource_type="partner_domain")
    assert [(r.operation_type, r.resource_id) for r in records] == [
        ("add_partner_domain", "contoso.com"),
        ("remove_partner_domain", "contoso.com"),
    ]
    assert records[0].new_value == {"domain": "contoso.com"}


def test_a_domain_of_another_tenant_cannot_be_verified(session: Session, world: World) -> None:
    for taken in ("fabrikam.example", "northwind.example", "contoso-direct.example"):
        with pytest.raises(DomainAlreadyVerified):
            add_partner_domain(session, OPERATOR, partner_id=world.other.partner_id, domain=taken)
    with pytest.raises(DomainAlreadyVerified):  # its own, again
        add_partner_domain(session, OPERATOR, partner_id=world.other.partner_id, domain="northwind.example")


def test_a_domain_where_other_tenants_have_users_cannot_be_verified(session: Session, world: World) -> None:
    # a user added before domains were verified (or after a domain was removed) keeps its address
    add_partner_domain(session, OPERATOR, partner_id=world.partner.partner_id, domain="shared-mail.example")
    add_partner_user(session, world.partner.admin, email="old@shared-mail.example", roles=["sales-agent"])
    remove_partner_domain(session, OPERATOR, partner_id=world.partner.partner_id, domain="shared-mail.example")
    with pytest.raises(DomainHasOtherTenantsUsers) as refused:
        add_partner_domain(session, OPERATOR, partner_id=world.other.partner_id, domain="shared-mail.example")
    assert refused.value.params["count"] == 1


def test_the_last_domain_stays_and_an_unknown_one_is_not_found(session: Session, world: World) -> None:
    pid = world.partner.partner_id
    with pytest.raises(LastVerifiedDomain):
        remove_partner_domain(session, OPERATOR, partner_id=pid, domain="contoso-direct.example")
    with pytest.raises(PartnerDomainNotFound):
        remove_partner_domain(session, OPERATOR, partner_id=pid, domain="northwind.example")
    assert verified_domains(session, pid) == ["contoso-direct.example"]


def test_only_the_operator_sets_domains(session: Session, world: World) -> None:
    for actor in (world.partner.admin, world.customer_admin):
        with pytest.raises(Forbidden):
            add_partner_domain(session, actor, partner_id=world.partner.partner_id, domain="mine.example")
        with pytest.raises(Forbidden):
            list_partner_domains(session, actor, partner_id=world.partner.partner_id)


def test_factories_and_new_partners_build_valid_worlds(session: Session) -> None:
    partner = make_partner(session, name="Valid", domain="valid.example")
    assert verified_domains(session, partner.partner_id) == ["valid.example"]
    assert partner.sales_agent.email.endswith("@valid.example")

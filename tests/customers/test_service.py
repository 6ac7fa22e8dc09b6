"""Customers: creation (tenant, Global admin, relationship), the scoped list with keyset paging and prefix
search, single reads, and the billing profile with its etag and activity record."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role, User
from partnerhub.auth.passwords import verify_password
from partnerhub.auth.service import actor_for_user
from partnerhub.customers.models import Customer
from partnerhub.customers.queries import SearchField
from partnerhub.customers.schemas import BillingProfileInput, make_etag
from partnerhub.customers.service import (
    create_customer,
    find_customer_by_id,
    get_customer,
    list_customers,
    update_billing_profile,
)
from partnerhub.errors import (
    CannotBeOwnCustomer,
    CustomerNotFound,
    DuplicateDomain,
    Forbidden,
    InvalidInput,
    StaleEtag,
)
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.relationships.models import RelationshipStatus
from partnerhub.tenants.models import Tenant, TenantKind
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.activity import activity
from tests.conftest import World
from tests.factories import make_customer, make_partner


def _billing(**overrides: str) -> BillingProfileInput:
    values = {
        "first_name": "Giulia",
        "last_name": "Bianchi",
        "email": "giulia@example.com",
        "culture": "it-IT",
        "language": "it",
        "address_line1": "Via Torino 5",
        "city": "Torino",
        "postal_code": "10121",
        "country": "IT",
    }
    values.update(overrides)
    return BillingProfileInput(**values)


def _names(session: Session, actor: Actor, *, prefix: str | None = None, field: SearchField = "company") -> list[str]:
    return [row.customer.company_name for row in list_customers(session, actor, prefix=prefix, field=field).items]


# --- create --------------------------------------------------------------------------------------------


def test_create_customer_creates_tenant_global_admin_and_active_relationship_with_dap(
    session: Session, world: World
) -> None:
    admin = world.partner.admin
    created = create_customer(
        session,
        admin,
        company_name="  Wingtip Toys  ",
        domain="WingTip.Example",
        billing=_billing(),
        organization_registration_number=" IT123 ",
    )

    customer = created.customer
    assert customer.company_name == "Wingtip Toys"
    assert customer.domain == "wingtip.example"
    assert customer.organization_registration_number == "IT123"
    assert customer.version == 1
    assert (customer.first_name, customer.city, customer.country, customer.language) == ("Giulia", "Torino", "IT", "it")
    assert customer.billing_company_name == "Wingtip Toys"  # defaults to the company name

    tenant = session.get(Tenant, customer.id)
    assert tenant is not None
    assert tenant.kind == TenantKind.CUSTOMER
    assert tenant.domain == "wingtip.example"

    assert created.admin.email == "admin@wingtip.example"
    assert created.admin.tenant_id == customer.id
    assert created.admin.roles == [Role.GLOBAL_ADMIN.value]
    assert created.admin.locale == "it"
    assert verify_password(created.admin.password_hash, created.password)
    assert not verify_password(created.admin.password_hash, created.password + "x")
    assert created.password not in created.admin.password_hash

    rel = created.relationship
    assert rel.partner_id == world.partner.partner_id
    assert rel.customer_id == customer.id
    assert rel.status == RelationshipStatus.ACTIVE
    assert rel.has_delegated_admin is True
    assert rel.origin == "customer-created"

    (rec,) = activity(session, operation="add_customer", customer_id=customer.id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.resource_type == "customer"
    assert rec.resource_id == customer.id
    assert rec.customer_name == "Wingtip Toys"
    assert rec.user_id == admin.user_id
    assert rec.user_principal_name == admin.email
    assert rec.correlation_id == admin.correlation_id
    assert rec.new_value == {
        "companyName": "Wingtip Toys",
        "domain": "wingtip.example",
        "adminUserName": "admin@wingtip.example",
        "allowDelegatedAccess": True,
    }
    assert created.password not in str(rec.new_value)


def test_created_customer_admin_is_a_customer_global_admin_actor(session: Session, world: World) -> None:
    created = create_customer(
        session, world.partner.admin, company_name="Wingtip", domain="wingtip.example", billing=_billing()
    )
    actor = actor_for_user(session, created.admin)
    assert actor.is_customer_user
    assert actor.tenant_id == created.customer.id
    assert Role.GLOBAL_ADMIN in actor.roles
    assert get_customer(session, actor, customer_id=created.customer.id).customer.id == created.customer.id


def test_create_customer_without_delegated_access_grants_no_dap(session: Session, world: World) -> None:
    created = create_customer(
        session,
        world.partner.admin,
        company_name="No Dap Spa",
        domain="nodap.example",
        billing=_billing(),
        allow_delegated_access=False,
    )
    assert created.relationship.has_delegated_admin is False
    (rec,) = activity(session, operation="add_customer", customer_id=created.customer.id)
    assert rec.new_value is not None
    assert rec.new_value["allowDelegatedAccess"] is False


def test_create_customer_keeps_an_explicit_billing_company_name(session: Session, world: World) -> None:
    created = create_customer(
        session,
        world.partner.admin,
        company_name="Wingtip",
        domain="wingtip.example",
        billing=_billing(company_name="Wingtip Billing Srl"),
    )
    assert created.customer.billing_company_name == "Wingtip Billing Srl"


def test_create_customer_with_a_taken_domain_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DuplicateDomain) as err:
        create_customer(
            session, world.partner.admin, company_name="Copycat", domain="FABRIKAM.example", billing=_billing()
        )
    assert err.value.code == 800101
    assert session.scalar(select(Customer).where(Customer.company_name == "Copycat")) is None
    assert all(r.customer_name != "Copycat" for r in activity(session, operation="add_customer"))


def test_create_customer_with_another_partners_domain_is_a_duplicate(session: Session, world: World) -> None:
    with pytest.raises(DuplicateDomain):
        create_customer(
            session, world.partner.admin, company_name="Northwind", domain="northwind.example", billing=_billing()
        )


@pytest.mark.parametrize(
    "domain", ["", "not a domain", "fabrikam", "-bad.example", "bad_domain.example", "x.c", "café.example"]
)
def test_create_customer_with_an_invalid_domain_is_refused(session: Session, world: World, domain: str) -> None:
    with pytest.raises(InvalidInput):
        create_customer(session, world.partner.admin, company_name="Bad Domain", domain=domain, billing=_billing())
    assert session.scalar(select(Customer).where(Customer.company_name == "Bad Domain")) is None


def test_create_customer_without_a_company_name_is_refused(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        create_customer(session, world.partner.admin, company_name="   ", domain="blank.example", billing=_billing())
    assert session.scalar(select(Tenant).where(Tenant.domain == "blank.example")) is None


def test_create_customer_with_an_invalid_country_is_refused_before_anything_is_written(
    session: Session, world: World
) -> None:
    with pytest.raises(InvalidInput):
        create_customer(
            session,
            world.partner.admin,
            company_name="Nowhere",
            domain="nowhere.example",
            billing=_billing(country="ITA"),
        )
    assert session.scalar(select(Tenant).where(Tenant.domain == "nowhere.example")) is None
    assert session.scalar(select(User).where(User.email == "admin@nowhere.example")) is None


def test_a_partner_cannot_be_its_own_customer(session: Session, world: World) -> None:
    with pytest.raises(CannotBeOwnCustomer) as err:
        create_customer(
            session, world.partner.admin, company_name="Myself", domain=" Contoso-Direct.example. ", billing=_billing()
        )
    assert err.value.code == 800140
    assert session.scalar(select(Customer).where(Customer.company_name == "Myself")) is None


def test_a_sales_agent_can_create_a_customer(session: Session, world: World) -> None:
    created = create_customer(
        session, world.partner.sales_agent, company_name="Sold Srl", domain="sold.example", billing=_billing()
    )
    assert created.relationship.partner_id == world.partner.partner_id
    (rec,) = activity(session, operation="add_customer", customer_id=created.customer.id)
    assert rec.user_id == world.partner.sales_agent.user_id


def test_an_admin_agent_can_create_a_customer(session: Session, world: World) -> None:
    created = create_customer(
        session, world.partner.admin_agent, company_name="Agent Srl", domain="agent.example", billing=_billing()
    )
    assert created.relationship.partner_id == world.partner.partner_id


def test_a_helpdesk_agent_cannot_create_a_customer(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        create_customer(
            session,
            world.partner.helpdesk_agent,
            company_name="Helpdesk Srl",
            domain="helpdesk.example",
            billing=_billing(),
        )
    assert session.scalar(select(Tenant).where(Tenant.domain == "helpdesk.example")) is None


def test_a_customer_user_cannot_create_a_customer(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        create_customer(session, world.customer_admin, company_name="Sub Srl", domain="sub.example", billing=_billing())


def test_the_operator_cannot_create_a_customer_for_no_partner(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        create_customer(session, Actor.system(), company_name="Orphan", domain="orphan.example", billing=_billing())


# --- list ----------------------------------------------------------------------------------------------


def test_every_partner_role_lists_its_customers(session: Session, world: World) -> None:
    p = world.partner
    for actor in (p.admin, p.admin_agent, p.sales_agent, p.helpdesk_agent):
        assert _names(session, actor) == ["Fabrikam Srl"]


def test_a_customer_user_cannot_list_customers(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        list_customers(session, world.customer_admin)


def test_another_partner_does_not_see_the_customer_in_its_list(session: Session, world: World) -> None:
    make_customer(session, world.other.admin, name="Northwind Client")
    assert _names(session, world.other.admin) == ["Northwind Client"]
    assert _names(session, world.other.helpdesk_agent) == ["Northwind Client"]
    assert _names(session, world.partner.admin) == ["Fabrikam Srl"]


def test_the_list_shows_only_customers_with_an_active_relationship(session: Session, world: World) -> None:
    make_customer(session, world.partner.admin, name="Kept Spa")
    removed = make_customer(session, world.partner.admin, name="Removed Spa")
    remove_reseller_relationship(session, world.partner.admin, customer_id=removed.customer.id)

    page = list_customers(session, world.partner.admin)
    assert [r.customer.company_name for r in page.items] == ["Fabrikam Srl", "Kept Spa"]
    assert all(r.relationship.status == RelationshipStatus.ACTIVE for r in page.items)
    assert all(r.relationship.partner_id == world.partner.partner_id for r in page.items)
    assert page.next_cursor is None


def test_a_customer_shared_by_two_partners_appears_in_both_lists(session: Session, world: World) -> None:
    invitation = create_invitation(session, world.other.sales_agent, base_url="https://hub.example")
    accept_invitation(session, world.customer_admin, code=invitation.code)
    assert _names(session, world.other.admin) == ["Fabrikam Srl"]
    assert _names(session, world.partner.admin) == ["Fabrikam Srl"]


def test_keyset_paging_returns_every_customer_exactly_once_in_company_name_order(
    session: Session, world: World
) -> None:
    partner = make_partner(session)
    # mixed case and a duplicated name: the order is case-insensitive and ties are broken by id
    for name in ["delta", "Alpha", "charlie", "Echo", "bravo", "Bravo", "foxtrot"]:
        make_customer(session, partner.admin, name=name)

    seen: list[Customer] = []
    after = None
    pages = 0
    while True:
        page = list_customers(session, partner.sales_agent, size=3, after=after)
        pages += 1
        assert len(page.items) <= 3
        seen.extend(r.customer for r in page.items)
        if page.next_cursor is None:
            break
        assert page.next_cursor == (page.items[-1].customer.company_name_key, page.items[-1].customer.id)
        after = page.next_cursor
        assert pages < 10

    assert pages == 3
    assert len(seen) == 7
    assert len({c.id for c in seen}) == 7
    assert [c.company_name.lower() for c in seen] == ["alpha", "bravo", "bravo", "charlie", "delta", "echo", "foxtrot"]
    bravos = [c.id for c in seen if c.company_name.lower() == "bravo"]
    assert bravos == sorted(bravos)


def test_a_page_exactly_filled_has_no_next_cursor(session: Session, world: World) -> None:
    partner = make_partner(session)
    for name in ["A1", "A2", "A3"]:
        make_customer(session, partner.admin, name=name)
    page = list_customers(session, partner.admin, size=3)
    assert len(page.items) == 3
    assert page.next_cursor is None


def test_keyset_paging_by_domain_follows_domain_order(session: Session, world: World) -> None:
    partner = make_partner(session)
    for domain in ["zulu.example", "alpha.example", "mike.example", "bravo.example"]:
        make_customer(session, partner.admin, domain=domain)
    first = list_customers(session, partner.admin, size=2, field="domain")
    assert [r.customer.domain for r in first.items] == ["alpha.example", "bravo.example"]
    assert first.next_cursor == ("bravo.example", first.items[-1].customer.id)
    second = list_customers(session, partner.admin, size=2, field="domain", after=first.next_cursor)
    assert [r.customer.domain for r in second.items] == ["mike.example", "zulu.example"]
    assert second.next_cursor is None


@pytest.mark.parametrize("size", [0, -1, 501])
def test_a_page_size_outside_1_to_500_is_refused(session: Session, world: World, size: int) -> None:
    with pytest.raises(InvalidInput):
        list_customers(session, world.partner.admin, size=size)


def test_prefix_search_by_company_name_is_case_insensitive(session: Session, world: World) -> None:
    make_customer(session, world.partner.admin, name="Fabrikam Italia")
    make_customer(session, world.partner.admin, name="Fab Lab")
    make_customer(session, world.partner.admin, name="Adatum")
    assert _names(session, world.partner.admin, prefix="fabrik") == ["Fabrikam Italia", "Fabrikam Srl"]
    assert _names(session, world.partner.admin, prefix="FAB") == ["Fab Lab", "Fabrikam Italia", "Fabrikam Srl"]
    assert _names(session, world.partner.admin, prefix="  fab l ") == ["Fab Lab"]  # the prefix is trimmed
    assert _names(session, world.partner.admin, prefix="srl") == []  # a prefix, not a substring


def test_prefix_search_by_domain_is_case_insensitive(session: Session, world: World) -> None:
    make_customer(session, world.partner.admin, name="Zeta", domain="fabrikam-eu.example")
    make_customer(session, world.partner.admin, name="Other", domain="adatum.example")
    found = list_customers(session, world.partner.admin, prefix="FABRIKAM", field="domain")
    assert [r.customer.domain for r in found.items] == ["fabrikam-eu.example", "fabrikam.example"]
    assert _names(session, world.partner.admin, prefix="example", field="domain") == []


def test_prefix_search_treats_like_wildcards_literally(session: Session, world: World) -> None:
    make_customer(session, world.partner.admin, name="100% Cloud")
    make_customer(session, world.partner.admin, name="100 Percent")
    make_customer(session, world.partner.admin, name="a_b Consulting")
    make_customer(session, world.partner.admin, name="axb Consulting")
    make_customer(session, world.partner.admin, name="Back\\slash")
    make_customer(session, world.partner.admin, name="Backslash")

    assert _names(session, world.partner.admin, prefix="100%") == ["100% Cloud"]
    assert _names(session, world.partner.admin, prefix="a_b") == ["a_b Consulting"]
    assert _names(session, world.partner.admin, prefix="back\\") == ["Back\\slash"]
    assert _names(session, world.partner.admin, prefix="%") == []
    assert _names(session, world.partner.admin, prefix="_") == []
    assert _names(session, world.partner.admin, prefix="%", field="domain") == []
    assert _names(session, world.partner.admin, prefix="fab_ikam", field="domain") == []


def test_prefix_search_stays_within_the_partners_customers(session: Session, world: World) -> None:
    make_customer(session, world.other.admin, name="Fabrikam Northwind")
    assert _names(session, world.partner.admin, prefix="fab") == ["Fabrikam Srl"]
    assert _names(session, world.other.admin, prefix="fab") == ["Fabrikam Northwind"]


def test_prefix_search_pages_with_keyset(session: Session, world: World) -> None:
    for name in ["Fab 1", "Fab 2", "Fab 3", "Other"]:
        make_customer(session, world.partner.admin, name=name)
    first = list_customers(session, world.partner.admin, prefix="fab", size=2)
    second = list_customers(session, world.partner.admin, prefix="fab", size=2, after=first.next_cursor)
    names = [r.customer.company_name for r in [*first.items, *second.items]]
    assert names == ["Fab 1", "Fab 2", "Fab 3", "Fabrikam Srl"]
    assert second.next_cursor is None


# --- get / find ----------------------------------------------------------------------------------------


def test_find_customer_by_id_finds_the_exact_customer(session: Session, world: World) -> None:
    found = find_customer_by_id(session, world.partner.helpdesk_agent, customer_id=f"  {world.customer_id.upper()} ")
    assert found is not None
    assert found.customer.id == world.customer_id
    assert found.customer.company_name == "Fabrikam Srl"


def test_find_customer_by_id_returns_none_for_unknown_or_foreign_ids(session: Session, world: World) -> None:
    foreign = make_customer(session, world.other.admin)
    assert find_customer_by_id(session, world.partner.admin, customer_id=foreign.customer.id) is None
    assert find_customer_by_id(session, world.partner.admin, customer_id="00000000-0000-0000-0000-000000000000") is None
    assert find_customer_by_id(session, world.other.admin, customer_id=world.customer_id) is None


def test_another_partners_customer_is_not_found_never_forbidden(session: Session, world: World) -> None:
    for actor in (world.other.admin, world.other.admin_agent, world.other.sales_agent, world.other.helpdesk_agent):
        with pytest.raises(CustomerNotFound) as err:
            get_customer(session, actor, customer_id=world.customer_id)
        assert err.value.kind == "not_found"


def test_a_former_partner_no_longer_finds_the_customer(session: Session, world: World) -> None:
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        get_customer(session, world.partner.admin, customer_id=world.customer_id)
    assert find_customer_by_id(session, world.partner.admin, customer_id=world.customer_id) is None


def test_a_customer_user_sees_only_its_own_tenant(session: Session, world: World) -> None:
    assert get_customer(session, world.customer_admin, customer_id=world.customer_id).customer.id == world.customer_id
    other = make_customer(session, world.partner.admin)
    with pytest.raises(CustomerNotFound):
        get_customer(session, world.customer_admin, customer_id=other.customer.id)


def test_the_operator_sees_any_customer(session: Session, world: World) -> None:
    assert get_customer(session, Actor.system(), customer_id=world.customer_id).customer.company_name == "Fabrikam Srl"
    with pytest.raises(CustomerNotFound):
        get_customer(session, Actor.system(), customer_id="00000000-0000-0000-0000-000000000000")


# --- billing profile -----------------------------------------------------------------------------------


def test_update_billing_profile_records_old_and_new_values(session: Session, world: World) -> None:
    before = get_customer(session, world.partner.admin, customer_id=world.customer_id).customer
    assert before.version == 1
    old_city = before.city

    updated = update_billing_profile(
        session,
        world.partner.admin_agent,
        customer_id=world.customer_id,
        billing=BillingProfileInput(city=" Roma ", phone_number="+39 06 1234", first_name="Anna", country="it"),
    )
    assert updated.city == "Roma"
    assert updated.phone_number == "+39 06 1234"
    assert updated.country == "IT"
    assert updated.version == 2

    (rec,) = activity(session, operation="update_customer_billing_profile", customer_id=world.customer_id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.resource_type == "customer"
    assert rec.resource_id == world.customer_id
    assert rec.customer_name == "Fabrikam Srl"
    assert rec.user_id == world.partner.admin_agent.user_id
    # unchanged values (first name, country) are no change
    assert rec.old_value == {"city": old_city, "phone_number": ""}
    assert rec.new_value == {"city": "Roma", "phone_number": "+39 06 1234"}


def test_update_billing_profile_with_unchanged_values_writes_no_record(session: Session, world: World) -> None:
    customer = get_customer(session, world.partner.admin, customer_id=world.customer_id).customer
    same = BillingProfileInput(
        first_name=customer.first_name,
        city=customer.city,
        country=customer.country.lower(),
        language=customer.language.upper(),
    )
    updated = update_billing_profile(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        billing=same,
        etag=make_etag(customer.id, customer.version),
    )
    assert updated.version == 1
    assert activity(session, operation="update_customer_billing_profile", customer_id=world.customer_id) == []


def test_update_billing_profile_with_a_fresh_etag_applies(session: Session, world: World) -> None:
    customer = get_customer(session, world.partner.admin, customer_id=world.customer_id).customer
    etag = make_etag(customer.id, customer.version)
    update_billing_profile(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        billing=BillingProfileInput(city="Napoli"),
        etag=etag,
    )
    assert customer.city == "Napoli"
    # the etag the client gets back after the change works for the next one (quoted and weak forms too)
    for form in ('"{}"', 'W/"{}"'):
        fresh = form.format(make_etag(customer.id, customer.version))
        update_billing_profile(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            billing=BillingProfileInput(city=f"City {customer.version}"),
            etag=fresh,
        )
    assert customer.version == 4
    assert len(activity(session, operation="update_customer_billing_profile", customer_id=world.customer_id)) == 3


def test_update_billing_profile_with_a_stale_etag_is_refused(session: Session, world: World) -> None:
    customer = get_customer(session, world.partner.admin, customer_id=world.customer_id).customer
    stale = make_etag(customer.id, customer.version)
    update_billing_profile(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        billing=BillingProfileInput(city="Bologna"),
        etag=stale,
    )

    with pytest.raises(StaleEtag) as err:
        update_billing_profile(
            session,
            world.partner.sales_agent,
            customer_id=world.customer_id,
            billing=BillingProfileInput(city="Firenze"),
            etag=stale,
        )
    assert err.value.code == 2055
    assert customer.city == "Bologna"
    assert customer.version == 2
    assert len(activity(session, operation="update_customer_billing_profile", customer_id=world.customer_id)) == 1


@pytest.mark.parametrize("etag", ["garbage", "", 'W/""', "eyJpZCI6IngiLCJ2ZXJzaW9uIjoxfQ=="])
def test_an_etag_that_is_not_this_customers_is_stale(session: Session, world: World, etag: str) -> None:
    with pytest.raises(StaleEtag):
        update_billing_profile(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            billing=BillingProfileInput(city="Genova"),
            etag=etag,
        )


def test_another_customers_etag_is_stale(session: Session, world: World) -> None:
    other = make_customer(session, world.partner.admin)
    with pytest.raises(StaleEtag):
        update_billing_profile(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            billing=BillingProfileInput(city="Genova"),
            etag=make_etag(other.customer.id, 1),
        )


@pytest.mark.parametrize("country", ["ITA", "I", "1T", "", "I "])
def test_update_billing_profile_with_an_invalid_country_is_refused(
    session: Session, world: World, country: str
) -> None:
    with pytest.raises(InvalidInput):
        update_billing_profile(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            billing=BillingProfileInput(country=country, city="Bari"),
        )
    customer = session.get(Customer, world.customer_id)
    assert customer is not None
    assert customer.city != "Bari"
    assert activity(session, operation="update_customer_billing_profile", customer_id=world.customer_id) == []


def test_update_billing_profile_with_an_invalid_email_is_refused(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        update_billing_profile(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            billing=BillingProfileInput(email="not-an-email"),
        )


def test_a_helpdesk_agent_cannot_update_the_billing_profile(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        update_billing_profile(
            session,
            world.partner.helpdesk_agent,
            customer_id=world.customer_id,
            billing=BillingProfileInput(city="Bari"),
        )
    assert activity(session, operation="update_customer_billing_profile", customer_id=world.customer_id) == []


def test_another_partner_cannot_update_the_billing_profile(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        update_billing_profile(
            session, world.other.admin, customer_id=world.customer_id, billing=BillingProfileInput(city="Bari")
        )
    customer = session.get(Customer, world.customer_id)
    assert customer is not None
    assert customer.city == "Milano"
    assert activity(session, operation="update_customer_billing_profile", customer_id=world.customer_id) == []


def test_update_billing_profile_accepts_the_customer_id_in_any_case(session: Session, world: World) -> None:
    # ids are GUIDs: get_customer and find_customer_by_id already accept " ID " in upper case
    updated = update_billing_profile(
        session,
        world.partner.admin,
        customer_id=f" {world.customer_id.upper()} ",
        billing=BillingProfileInput(city="Palermo"),
    )
    assert updated.id == world.customer_id
    assert updated.city == "Palermo"
    (rec,) = activity(session, operation="update_customer_billing_profile", customer_id=world.customer_id)
    assert rec.new_value == {"city": "Palermo"}


def test_get_customer_gives_the_partners_dap_flag_for_any_id_case(session: Session, world: World) -> None:
    no_dap = make_customer(session, world.partner.admin, dap=False)
    helpdesk = world.partner.helpdesk_agent
    assert get_customer(session, helpdesk, customer_id=world.customer_id.upper()).has_delegated_admin is True
    assert get_customer(session, world.partner.admin, customer_id=no_dap.customer.id).has_delegated_admin is False
    with pytest.raises(CustomerNotFound):
        get_customer(session, world.other.admin, customer_id=world.customer_id)


def test_over_long_fields_are_refused_before_anything_is_written(session: Session, world: World) -> None:
    from partnerhub.customers.schemas import BillingProfileInput
    from partnerhub.customers.service import create_customer

    with pytest.raises(InvalidInput):
        create_customer(
            session, world.partner.admin, company_name="x" * 201, domain="long.example", billing=BillingProfileInput()
        )
    with pytest.raises(InvalidInput):
        create_customer(
            session,
            world.partner.admin,
            company_name="Long Srl",
            domain="long.example",
            billing=BillingProfileInput(city="c" * 101),
        )
    with pytest.raises(InvalidInput):
        update_billing_profile(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            billing=BillingProfileInput(postal_code="1" * 21),
        )

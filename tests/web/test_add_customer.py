"""Add customer on the pages (issue 15 §5): company, domain and billing profile; the Global admin's
one-time password shown once with a Copy button, never again; refusals next to their field; only roles that
may create customers are offered it; in English and Italian."""

from __future__ import annotations

from partnerhub.customers.models import Customer
from partnerhub.db import read_session
from tests.activity import operation_names
from tests.web.conftest import Site

FORM = {
    "company_name": "Fabrikam Srl",
    "domain": "fabrikam.example",
    "first_name": "Anna",
    "last_name": "Rossi",
    "email": "anna@fabrikam.example",
    "language": "it",
    "address_line1": "Via Roma 1",
    "city": "Milano",
    "postal_code": "20100",
    "country": "IT",
}


def test_a_sales_agent_adds_a_customer_and_sees_the_admin_password_once(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.sales_agent.email)
    listing = browser.get("/customers")
    assert 'href="/customers/new"' in listing.text

    form = browser.get("/customers/new")
    assert form.status_code == 200 and "Add customer" in form.text
    created = browser.post("/customers/new", FORM)

    assert created.status_code == 200, created.text
    assert "admin@fabrikam.example" in created.text
    assert 'data-copy-target="admin-password"' in created.text
    assert created.headers["cache-control"] == "no-store"
    with read_session(site.engine) as session:
        customer = session.query(Customer).filter_by(domain="fabrikam.example").one()
        assert (customer.company_name, customer.email, customer.language, customer.country) == (
            "Fabrikam Srl",
            "anna@fabrikam.example",
            "it",
            "IT",
        )
        customer_id = customer.id
    assert operation_names(site.engine, resource_id=customer_id)[0] == "add_customer"
    again = browser.get(f"/customers/{customer_id}/account")
    assert 'id="admin-password"' not in again.text
    assert f'href="/customers/{customer_id}/subscriptions"' in created.text


def test_a_taken_domain_and_missing_fields_are_refused_next_to_them_keeping_the_input(site: Site) -> None:
    partner = site.partner()
    site.customer(partner, domain="fabrikam.example")
    browser = site.signed_in(partner.admin.email)
    browser.get("/customers/new")

    taken = browser.post("/customers/new", FORM)
    assert taken.status_code == 400
    assert 'id="f-domain-error"' in taken.text and 'value="Fabrikam Srl"' in taken.text

    browser.get("/customers/new")
    missing = browser.post("/customers/new", {**FORM, "company_name": "", "country": "Italy"})
    assert missing.status_code == 400
    assert 'id="f-company_name-error"' in missing.text and 'id="f-country-error"' in missing.text


def test_a_helpdesk_agent_is_not_offered_add_customer(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.helpdesk_agent.email)

    assert 'href="/customers/new"' not in browser.get("/customers").text
    assert browser.get("/customers/new").status_code == 403


def test_the_form_in_italian(site: Site) -> None:
    partner = site.partner()
    page = site.signed_in(partner.admin.email, language="it").get("/customers/new")
    assert "Aggiungi cliente" in page.text and "Dominio" in page.text

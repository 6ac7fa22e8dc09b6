"""Edit billing profile on a customer's Account page (issue 12, F4): the form carries the etag it was shown
with; a change made meanwhile by another partner of the same customer is refused with the reason, never
overwritten; each change is in the activity log of every related partner; English and Italian."""

from __future__ import annotations

from partnerhub.customers.models import Customer
from partnerhub.db import read_session, transaction
from tests.activity import activity
from tests.factories import share_customer
from tests.web.conftest import Site

FIELDS = {
    "first_name": "Anna",
    "last_name": "Rossi",
    "email": "fatture@fabrikam.example",
    "phone_number": "+39 02 1234",
    "address_line1": "Via Roma 1",
    "city": "Milano",
    "state": "",
    "postal_code": "20100",
    "country": "IT",
}


def _shared(site: Site) -> tuple[str, str, str]:
    """Fabrikam, customer of Contoso and, through an accepted request, of Northwind: (id, two admins' e-mails)."""
    contoso = site.partner(name="Contoso Direct")
    northwind = site.partner(name="Northwind Cloud")
    customer_id, customer_admin = site.customer(contoso, name="Fabrikam Srl")
    with transaction(site.engine) as session:
        from partnerhub.auth.service import actor_for_email

        share_customer(session, northwind.admin, actor_for_email(session, customer_admin))
    return customer_id, contoso.admin.email, northwind.admin.email


def _customer(site: Site, customer_id: str) -> Customer:
    with read_session(site.engine) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        session.expunge(customer)
        return customer


def test_a_partner_edits_the_profile_and_both_partners_logs_show_it(site: Site) -> None:
    customer_id, contoso, _northwind = _shared(site)
    browser = site.signed_in(contoso)
    account = browser.get(f"/customers/{customer_id}/account")
    assert f'href="/customers/{customer_id}/billing"' in account.text
    form = browser.get(f"/customers/{customer_id}/billing")
    assert form.status_code == 200 and 'name="etag"' in form.text
    assert "Every partner of this customer sees each change in its activity log." in form.text
    saved = browser.post(f"/customers/{customer_id}/billing", {**FIELDS, "city": "Torino", "etag": _etag_of(form.text)})
    assert saved.status_code == 200 and saved.url.path == f"/customers/{customer_id}/account"
    assert "The billing profile of Fabrikam Srl was saved." in saved.text and "Torino" in saved.text
    assert _customer(site, customer_id).city == "Torino"
    records = activity(site.engine, operation="update_customer_billing_profile", customer_id=customer_id)
    assert sorted(r.user_principal_name for r in records) == sorted([contoso, "Contoso Direct"])
    assert len({r.partner_id for r in records}) == 2
    assert all(r.new_value is not None and r.new_value["city"] == "Torino" for r in records)


def test_a_change_by_the_other_partner_meanwhile_is_not_overwritten(site: Site) -> None:
    customer_id, contoso, northwind = _shared(site)
    first = site.signed_in(contoso)
    shown = first.get(f"/customers/{customer_id}/billing")
    second = site.signed_in(northwind)
    second.get(f"/customers/{customer_id}/billing")
    assert (
        second.post(
            f"/customers/{customer_id}/billing",
            {**FIELDS, "phone_number": "+39 011 9", "etag": _etag_of(second.last.text if second.last else "")},
        ).status_code
        == 200
    )
    refused = first.post(
        f"/customers/{customer_id}/billing",
        {**FIELDS, "phone_number": "+39 02 0", "etag": _etag_of(shown.text)},
        csrf=None,
    )
    assert refused.status_code == 400
    assert "has been changed by someone else since you read it" in refused.text
    assert 'value="+39 02 0"' in refused.text  # what was typed is kept
    assert _customer(site, customer_id).phone_number == "+39 011 9"


def test_a_helpdesk_agent_has_no_form(site: Site) -> None:
    partner = site.partner()
    customer_id, _admin = site.customer(partner)
    browser = site.signed_in(partner.helpdesk_agent.email)
    assert f'href="/customers/{customer_id}/billing"' not in browser.get(f"/customers/{customer_id}/account").text
    assert browser.get(f"/customers/{customer_id}/billing").status_code == 403


def test_the_form_speaks_italian(site: Site) -> None:
    customer_id, contoso, _northwind = _shared(site)
    browser = site.signed_in(contoso, language="it")
    page = browser.get(f"/customers/{customer_id}/billing")
    assert "Modifica il profilo di fatturazione" in page.text
    assert "Ogni partner di questo cliente vede ogni modifica nel proprio registro attività." in page.text


def _etag_of(html: str) -> str:
    marker = 'name="etag" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]

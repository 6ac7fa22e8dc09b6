"""The activity log page: the partner's own records with readable operations and old → new values, filters
by date range, customer and operation (bad input shown next to the field and kept), keyset paging, and the
CSV export of the same filter."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.service import set_user_roles
from partnerhub.clock import utc_now
from partnerhub.db import transaction
from partnerhub.http.web.activity import OPERATION_LABELS, RESOURCE_LABELS
from partnerhub.locale import gettext
from tests.web.conftest import Site


def test_every_operation_and_resource_type_has_a_readable_label_in_both_languages() -> None:
    assert set(OPERATION_LABELS) == set(Operation)
    assert set(RESOURCE_LABELS) == set(ResourceType)
    assert OPERATION_LABELS[Operation.REMOVE_PARTNER_CUSTOMER_RELATIONSHIP] == "Remove partner customer relationship"
    assert gettext("Remove partner customer relationship", "it") == "Rimuovi la relazione tra partner e cliente"


def test_the_log_shows_the_partners_own_records_of_the_last_30_days(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    site.customer(partner, name="Fabrikam Srl")
    site.customer(other, name="Someone Else Ltd")
    page = site.signed_in(partner.admin.email).get("/activity")
    assert page.status_code == 200
    assert "Add customer" in page.text and "Fabrikam Srl" in page.text
    assert "Someone Else Ltd" not in page.text
    today = utc_now().date()
    assert f'value="{(today - timedelta(days=30)).isoformat()}"' in page.text
    assert f'value="{today.isoformat()}"' in page.text
    assert 'href="/activity/export.csv?' in page.text


def test_filtering_by_customer_and_operation(site: Site) -> None:
    partner = site.partner()
    first, _ = site.customer(partner, name="Fabrikam Srl")
    site.customer(partner, name="Tailspin Toys")
    browser = site.signed_in(partner.admin.email)
    by_customer = browser.get("/activity", params={"customer": first})
    assert by_customer.status_code == 200
    assert "Fabrikam Srl" in by_customer.text and "Tailspin Toys" not in by_customer.text.split("<table")[1]
    by_operation = browser.get("/activity", params={"operation": "sign_in"})
    table = by_operation.text.split("<table")[1]
    assert "Sign in" in table and "Add customer" not in table
    assert '<option value="sign_in" selected>' in by_operation.text


def test_the_customer_picker_offers_the_partners_customers(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner, name="Fabrikam Srl")
    page = site.signed_in(partner.admin.email).get("/activity")
    assert f'<option value="{customer_id}">Fabrikam Srl</option>' in page.text
    assert 'list="customer-options"' in page.text


def test_bad_dates_are_shown_next_to_their_fields_and_kept(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    page = browser.get("/activity", params={"start": "2026-13-45", "end": "yesterday"})
    assert page.status_code == 400
    assert page.text.count("Enter a date such as 2026-11-24.") == 2
    assert 'value="2026-13-45"' in page.text and 'value="yesterday"' in page.text
    assert 'id="f-start-error"' in page.text and 'id="f-end-error"' in page.text
    assert "export.csv" not in page.text


def test_an_end_before_the_start_is_refused_next_to_the_end_date(site: Site) -> None:
    partner = site.partner()
    page = site.signed_in(partner.admin.email).get("/activity", params={"start": "2026-05-10", "end": "2026-05-01"})
    assert page.status_code == 400
    assert 'id="f-end-error">The end date must be on or after the start date.' in page.text
    assert 'value="2026-05-10"' in page.text and 'value="2026-05-01"' in page.text


def test_a_malformed_customer_id_or_operation_is_refused(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    page = browser.get("/activity", params={"customer": "fabrikam", "operation": "drop_tables"})
    assert page.status_code == 400
    assert 'id="f-customer-error"' in page.text and 'value="fabrikam"' in page.text
    assert 'id="f-operation-error"' in page.text


def test_old_and_new_values_are_shown_compactly(site: Site) -> None:
    partner = site.partner()
    with transaction(site.engine) as session:
        set_user_roles(session, partner.admin, email=partner.sales_agent.email, roles=["sales-agent", "admin-agent"])
    page = site.signed_in(partner.admin.email).get("/activity", params={"operation": "update_user_roles"})
    assert "Update user roles" in page.text
    assert "<details" in page.text and "<summary>roles</summary>" in page.text
    assert "&#34;sales-agent&#34;]</span>" in page.text  # the old value
    assert "[&#34;sales-agent&#34;, &#34;admin-agent&#34;]" in page.text  # the new value


def test_the_log_pages_with_a_keyset_cursor(site: Site) -> None:
    partner = site.partner()
    with transaction(site.engine) as session:
        for n in range(55):
            record(
                session,
                partner.admin,
                operation=Operation.UPDATE_CUSTOMER_BILLING_PROFILE,
                resource_type=ResourceType.CUSTOMER,
                resource_id=f"r-{n:03d}",
                partner_id=partner.partner_id,
                new={"n": n},
                now=utc_now() - timedelta(minutes=n),
            )
    browser = site.signed_in(partner.admin.email)
    first = browser.get("/activity", params={"operation": "update_customer_billing_profile"})
    assert first.text.count("Update customer billing profile</td>") == 50
    assert "r-000" in first.text and "r-050" not in first.text
    next_link = first.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = browser.get(next_link)
    assert second.status_code == 200
    assert second.text.count("Update customer billing profile</td>") == 5
    assert "r-054" in second.text and "r-000" not in second.text
    assert 'rel="next"' not in second.text and "First page" in second.text


def test_the_csv_export_follows_the_filter(site: Site) -> None:
    partner = site.partner()
    first, _ = site.customer(partner, name="Fabrikam Srl")
    site.customer(partner, name="=Tailspin Toys")
    browser = site.signed_in(partner.admin.email)
    exported = browser.get("/activity/export.csv", params={"customer": first})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:2] == ["operationDate", "operationType"]
    assert {r[5] for r in rows[1:]} == {first}
    everything = list(csv.reader(io.StringIO(browser.get("/activity/export.csv").text)))
    assert "'=Tailspin Toys" in {r[6] for r in everything[1:]}  # a formula is defused


def test_an_export_with_a_bad_filter_goes_back_to_the_page(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    answer = browser.client.get("/activity/export.csv", params={"start": "nope"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/activity?start=nope")


def test_the_operator_sees_every_partners_activity(site: Site) -> None:
    from partnerhub.auth.actor import Actor
    from partnerhub.tenants.service import create_operator_account

    first, second = site.partner(), site.partner()
    site.customer(first, name="Fabrikam Srl")
    site.customer(second, name="Tailspin Toys")
    with transaction(site.engine) as session:
        user, _ = create_operator_account(session, Actor.system(), email="ops@platform.example")
    page = site.signed_in(user.email).get("/activity")
    assert "Fabrikam Srl" in page.text and "Tailspin Toys" in page.text
    assert 'list="customer-options"' in page.text and "<datalist" not in page.text


def test_the_log_speaks_italian(site: Site) -> None:
    partner = site.partner()
    site.customer(partner, name="Fabrikam Srl")
    page = site.signed_in(partner.admin.email, language="it").get("/activity")
    assert "<h1>Log attività</h1>" in page.text
    assert "Aggiungi cliente" in page.text and "Esporta CSV" in page.text
    bad = site.signed_in(partner.admin.email, language="it").get("/activity", params={"start": "x"})
    assert "Inserisci una data come 2026-11-24." in bad.text


def test_a_customers_global_admin_sees_its_own_tenants_records(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    _customer_id, admin_email = site.customer(partner, name="Fabrikam Srl")
    site.customer(other, name="Tailspin Toys")
    page = site.signed_in(admin_email).get("/activity")
    assert page.status_code == 200
    assert "Add customer" in page.text and "Fabrikam Srl" in page.text and "Tailspin Toys" not in page.text
    assert 'id="f-customer"' not in page.text  # its own tenant is the only customer it can see

"""The activity log page's AuditService filters (issue 15 §6): a field (customer name, customer ID,
resource type, operation type), an operator (equals, contains, starts with) and a value, kept in the form,
the next page's link and the CSV export; bad choices refused next to their field; in English and Italian."""

from __future__ import annotations

import csv
import io

from tests.web.conftest import Site


def test_customer_name_contains_ignores_case_and_keeps_the_filter_in_the_export(site: Site) -> None:
    partner = site.partner()
    site.customer(partner, name="Fabrikam Srl")
    site.customer(partner, name="Northwind Traders")
    browser = site.signed_in(partner.admin.email)

    page = browser.get("/activity", params={"field": "CustomerName", "operator": "substring", "value": "WIND"})

    assert page.status_code == 200
    table = page.text.split("<table")[1]
    assert "Northwind Traders" in table and "Fabrikam Srl" not in table
    assert '<option value="substring" selected>' in page.text and 'value="WIND"' in page.text
    export = browser.get("/activity/export.csv?field=CustomerName&operator=substring&value=WIND")
    names = {row["customerName"] for row in csv.DictReader(io.StringIO(export.text.lstrip("\ufeff")))}
    assert names == {"Northwind Traders"}


def test_operation_type_starts_with(site: Site) -> None:
    partner = site.partner()
    site.customer(partner, name="Fabrikam Srl")
    browser = site.signed_in(partner.admin.email)

    page = browser.get("/activity", params={"field": "OperationType", "operator": "starts_with", "value": "add_c"})

    table = page.text.split("<table")[1]
    assert "Add customer" in table and "Sign in" not in table


def test_a_value_without_a_field_or_an_unknown_operator_is_refused_next_to_it(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)

    unknown = browser.get("/activity", params={"field": "CustomerName", "operator": "greater_than", "value": "x"})
    assert unknown.status_code == 400
    assert 'id="f-operator-error"' in unknown.text

    italian = site.signed_in(partner.admin.email, language="it")
    page = italian.get("/activity")
    assert "Nome del cliente" in page.text and "contiene" in page.text and "inizia con" in page.text

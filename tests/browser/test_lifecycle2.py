"""Issue 15 §3 and §5 in a real browser, in English and in Italian: a partner adds a customer (the Global
admin's one-time password shown once, with a Copy button), then suspends one of its subscriptions with a note
and sees the suspension reason, whose it is, when and why, on the subscription page."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Browsers, LiveSite, expect

pytestmark = pytest.mark.slow


def test_add_customer_then_suspend_with_a_note(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    partner = live_site.partner(name=f"Lifecycle Partner {language.upper()}")
    company = f"Fabrikam {language.upper()} Srl"
    domain = f"fabrikam-{language}.example"

    me = browsers.user(language)
    me.sign_in(partner.admin.email)
    me.nav("Customers").click()
    me.page.get_by_role("link", name=me.t("Add customer"), exact=True).click()
    expect(me.page).to_have_url(re.compile(r"/customers/new$"))
    me.page.get_by_label(me.t("Company name")).fill(company)
    me.page.get_by_label(me.t("Domain"), exact=False).first.fill(domain)
    me.page.get_by_label(me.t("First name"), exact=True).fill("Anna")
    me.page.get_by_label(me.t("Last name"), exact=True).fill("Rossi")
    me.page.get_by_label(me.t("E-mail address")).fill(f"anna@{domain}")
    me.page.get_by_label(me.t("City")).fill("Milano")
    me.shot("lifecycle2-01-add-customer")
    me.page.get_by_role("button", name=me.t("Add customer"), exact=True).click()

    expect(me.page.get_by_role("heading", level=1)).to_have_text(me.t("Customer added"))
    expect(me.page.locator("#admin-password")).not_to_be_empty()
    expect(me.page.get_by_role("button", name=me.t("Copy password"))).to_be_visible()
    expect(me.page.get_by_text(f"admin@{domain}")).to_be_visible()
    me.shot("lifecycle2-02-customer-added")
    customer_id = me.page.locator("dd.mono").inner_text().strip()

    sub_id = live_site.buy(partner, customer_id, friendly_name="Sede di Milano")
    me.go(f"/customers/{customer_id}/subscriptions/{sub_id}")
    me.page.get_by_role("radio", name=me.t("Suspended"), exact=True).check()
    me.page.get_by_label(me.t("Note on the suspension (optional)")).fill("Fattura 42 non pagata")
    me.page.get_by_role("button", name=me.t("Submit"), exact=True).click()
    expect(me.flash()).to_contain_text(me.t("Subscription {name} is suspended.", name="Sede di Milano"))

    me.go(f"/customers/{customer_id}/subscriptions/{sub_id}")
    reasons = me.page.locator("ul.suspensions")
    expect(reasons).to_contain_text(me.t("Suspended by the reseller"))
    expect(reasons).to_contain_text(f"Lifecycle Partner {language.upper()}")
    expect(reasons).to_contain_text("Fattura 42 non pagata")
    me.shot("lifecycle2-03-suspension-reasons")

"""GDAP templates in a real browser, in English and in Italian: the partner makes a template with the grouped
role picker and its filter, gives a security group its roles, then requests a relationship from the template
on a customer's Admin relationships tab; the customer approves and the group has its access at once."""

from __future__ import annotations

import re

from partnerhub.db import transaction
from partnerhub.delegated_admin.access import create_security_group
from tests.browser.conftest import Browsers, LiveSite, expect


def test_a_template_used_for_a_customer(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    partner = live_site.partner(name=f"Template Partner {language.upper()}")
    company = f"Tailspin {language.upper()} Srl"
    customer_id, customer_admin = live_site.customer(partner, name=company, language=language)
    group = f"Helpdesk tier 1 {language.upper()}"
    with transaction(live_site.engine) as session:
        create_security_group(session, partner.admin, display_name=group)
    name = f"Standard MSP {language.upper()}"
    roles = ("Helpdesk Administrator", "Global Reader", "Exchange Administrator")

    me = browsers.user(language)
    me.sign_in(partner.admin.email)
    me.nav("GDAP templates").click()
    expect(me.page).to_have_url(re.compile(r"/gdap-templates$"))
    form = me.page.get_by_role("region", name=me.t("Create a template"))
    form.get_by_role("textbox", name=me.t("Name")).fill(name)
    form.get_by_label(me.t("Duration in days")).fill("365")
    finder = form.get_by_label(me.t("Find a role"))
    for role in roles:
        finder.fill(me.t(role))
        form.get_by_role("checkbox", name=me.t(role), exact=True).check()
    finder.fill("")
    form.get_by_label(re.compile(re.escape(me.t("Extend automatically by {days} at the end", days="180")[:20]))).check()
    me.shot("gdap-templates-01-create", full_page=False)
    form.get_by_role("button", name=me.t("Create template")).click()

    expect(me.page.get_by_role("heading", level=1)).to_have_text(name)
    expect(me.flash()).to_contain_text(
        me.t("Template {name} was saved. Give its security groups their roles below.", name=name)
    )
    groups = me.page.get_by_role("region", name=me.t("Security groups"))
    groups.get_by_role("combobox", name=me.t("Security group")).select_option(label=group)
    groups.get_by_role("checkbox", name=me.t("Helpdesk Administrator"), exact=True).check()
    groups.get_by_role("button", name=me.t("Add")).click()
    expect(me.page.get_by_role("row").filter(has_text=group)).to_contain_text(me.t("Helpdesk Administrator"))
    me.shot("gdap-templates-02-template")
    assert me.has_no_horizontal_overflow()

    me.go(f"/customers/{customer_id}/admin-relationships")
    request = me.page.get_by_role("region", name=me.t("Request from a template"))
    request.get_by_role("combobox", name=me.t("Template")).select_option(label=name)
    request.get_by_role("button", name=me.t("Request from template")).click()
    heading = me.page.get_by_role("heading", level=2, name=re.compile(re.escape(name)))
    expect(heading).to_contain_text(me.t("Approval pending"))
    link = me.page.get_by_label(me.t("Approval link")).input_value()

    admin = browsers.user(language)
    admin.sign_in(customer_admin)
    admin.page.goto(link)
    admin.page.get_by_role("button", name=admin.t("Approve"), exact=True).click()
    expect(admin.page.get_by_role("heading", level=1)).to_contain_text(admin.t("Active"))

    me.page.reload()
    expect(heading).to_contain_text(me.t("Active"))
    assignments = me.page.get_by_role("region", name=me.t("Access assignments"))
    expect(assignments.get_by_role("row").filter(has_text=group)).to_contain_text(me.t("Helpdesk Administrator"))
    expect(me.page.get_by_role("button", name=me.t("Renew"))).to_be_visible()
    me.shot("gdap-templates-03-approved-with-access")

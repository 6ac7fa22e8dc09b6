"""A GDAP relationship in a real browser, in English and in Italian: the partner requests it on the customer's
Admin relationships tab and locks it for approval; the customer's Global admin, in a second browser, opens the
approval link and approves it; the partner sees it active."""

from __future__ import annotations

import re

from tests.browser.conftest import Browsers, LiveSite, expect


def test_gdap_request_approved_by_the_customer(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    partner_name = f"Gdap Partner {language.upper()}"
    partner = live_site.partner(name=partner_name)
    company = f"Wingtip {language.upper()} Srl"
    customer_id, customer_admin = live_site.customer(partner, name=company, language=language)
    name = f"Helpdesk {language.upper()} 2027"
    roles = ("Helpdesk Administrator", "Global Reader")

    me = browsers.user(language)
    me.sign_in(partner.admin.email)
    me.go(f"/customers/{customer_id}/subscriptions")
    me.page.get_by_role("navigation", name=me.t("Customer sections")).get_by_role(
        "link", name=me.t("Admin relationships"), exact=True
    ).click()
    expect(me.page).to_have_url(re.compile(rf"/customers/{customer_id}/admin-relationships$"))
    form = me.page.get_by_role("region", name=me.t("Request a new admin relationship"))
    form.get_by_role("textbox", name=me.t("Name")).fill(name)
    form.get_by_label(me.t("Duration in days")).fill("180")
    for role in roles:  # the catalog's roles are grouped: the filter opens the group holding the role
        form.get_by_label(me.t("Find a role")).fill(me.t(role))
        form.get_by_role("checkbox", name=me.t(role), exact=True).check()
    me.shot("gdap-01-request-form")
    form.get_by_role("button", name=me.t("Create admin relationship")).click()

    expect(me.page).to_have_url(re.compile(rf"/customers/{customer_id}/admin-relationships/[0-9a-f-]+(#new)?$"))
    heading = me.page.get_by_role("heading", level=2, name=re.compile(re.escape(name)))
    expect(heading).to_contain_text(me.t("Created"))
    me.page.get_by_role("button", name=me.t("Request approval")).click()
    expect(heading).to_contain_text(me.t("Approval pending"))
    expect(me.flash()).to_contain_text(
        me.t(
            "Admin relationship {name} is waiting for approval: send the approval link to a Global admin of "
            "{customer}.",
            name=name,
            customer=company,
        )
    )
    link = me.page.get_by_label(me.t("Approval link")).input_value()
    assert link.startswith(live_site.base_url + "/partner-relationships/admin-relationships/"), link
    me.shot("gdap-02-approval-pending")

    # The customer's Global admin, in another browser, approves through the link
    admin = browsers.user(language)
    admin.sign_in(customer_admin)
    expect(admin.page).to_have_url(re.compile(r"/partner-relationships$"))
    card = admin.page.get_by_role("region", name=partner_name)
    row = card.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text(admin.t("Approval pending"))
    admin.shot("gdap-03-customer-partner-relationships")
    admin.page.goto(link)
    expect(admin.page.get_by_role("heading", level=2)).to_have_text(
        admin.t("{partner} asks for admin access to your tenant", partner=partner_name)
    )
    for role in roles:
        expect(admin.page.get_by_role("listitem").filter(has_text=admin.t(role))).to_have_count(1)
    admin.shot("gdap-04-customer-approval")
    admin.page.get_by_role("button", name=admin.t("Approve"), exact=True).click()
    expect(admin.flash()).to_contain_text(
        admin.t(
            "You approved {name}: {partner} now has the roles it asked for, until the end date shown.",
            name=name,
            partner=partner_name,
        )
    )
    expect(admin.page.get_by_role("heading", level=1)).to_contain_text(admin.t("Active"))
    expect(admin.page.get_by_role("link", name=admin.t("End"), exact=True)).to_be_visible()

    # Back at the partner: the relationship is active
    me.page.reload()
    expect(heading).to_contain_text(me.t("Active"))
    expect(me.page.get_by_role("link", name=me.t("Terminate"))).to_be_visible()
    me.shot("gdap-05-partner-sees-active")
    me.page.get_by_role("navigation", name=me.t("Breadcrumb")).get_by_role(
        "link", name=me.t("Admin relationships")
    ).click()
    expect(me.page.get_by_role("table").get_by_role("row").filter(has_text=name)).to_contain_text(me.t("Active"))

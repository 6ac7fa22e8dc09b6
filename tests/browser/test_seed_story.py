"""The seed's story in a real browser, in English and in Italian: suspend each subscription (the remove control
stays disabled, naming what is still active, until the last one is suspended), remove the reseller relationship,
see the customer leave the list, request the relationship again and have the customer's Global admin accept
it in a second browser: the customer is back."""

from __future__ import annotations

import re

from tests.browser.conftest import Browsers, LiveSite, User, expect
from tests.factories import M365_BASIC, M365_E3


def suspend(me: User, customer_id: str, name: str, *, shot: str | None = None) -> None:
    """Customers > customer > Subscriptions > the subscription > Suspended > Submit."""
    me.go(f"/customers/{customer_id}/subscriptions")
    me.page.get_by_role("table").get_by_role("link", name=name, exact=True).click()
    expect(me.page.get_by_role("heading", level=2)).to_contain_text(name)
    me.page.get_by_role("radio", name=me.t("Suspended")).check()
    if shot:
        me.shot(shot)
    me.page.get_by_role("button", name=me.t("Submit"), exact=True).click()
    expect(me.page).to_have_url(re.compile(rf"/customers/{customer_id}/subscriptions$"))
    expect(me.flash()).to_contain_text(me.t("Subscription {name} is suspended.", name=name))


def open_account(me: User) -> None:
    me.page.get_by_role("navigation", name=me.t("Customer sections")).get_by_role(
        "link", name=me.t("Account"), exact=True
    ).click()
    expect(me.page.get_by_role("heading", name=me.t("Remove reseller relationship"))).to_be_visible()


def test_seed_story(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    partner_name = f"Contoso {language.upper()}"
    partner = live_site.partner(name=partner_name)
    company = f"Fabrikam {language.upper()} Srl"
    customer_id, customer_admin = live_site.customer(partner, name=company, language=language)
    names = ["Sede di Milano", "Sede di Roma"]
    live_site.buy(partner, customer_id, M365_BASIC, friendly_name=names[0])
    live_site.buy(partner, customer_id, M365_E3, friendly_name=names[1])

    me = browsers.user(language)
    me.sign_in(partner.admin.email, shot="seed-01-sign-in")
    # From the Dashboard, go to Customers, and choose the customer
    expect(me.page.get_by_role("heading", name=me.t("Dashboard"), level=1)).to_be_visible()
    me.shot("seed-02-dashboard")
    me.nav("Customers").click()
    expect(me.page.get_by_role("heading", name=me.t("Customers"), level=1)).to_be_visible()
    me.shot("seed-03-customers")
    me.page.get_by_role("link", name=company, exact=True).click()
    expect(me.page.get_by_role("heading", name=company, level=1)).to_be_visible()
    for name in names:
        expect(me.page.get_by_role("table").get_by_role("link", name=name, exact=True)).to_be_visible()

    # While any subscription is active, the remove control is disabled and says which ones are active
    open_account(me)
    remove_button = me.page.get_by_role("button", name=me.t("Remove reseller relationship"))
    expect(remove_button).to_be_disabled()
    reason = me.page.locator("#remove-reason")
    for name in names:
        expect(reason.get_by_role("link", name=name, exact=True)).to_be_visible()
        expect(remove_button).to_have_accessible_description(re.compile(re.escape(name)))
    me.shot("seed-04-account-remove-disabled")

    suspend(me, customer_id, names[0], shot="seed-05-subscription-suspend")
    me.go(f"/customers/{customer_id}/account")
    expect(remove_button).to_be_disabled()
    expect(reason.get_by_role("link", name=names[1], exact=True)).to_be_visible()
    expect(reason.get_by_role("link", name=names[0], exact=True)).to_have_count(0)

    suspend(me, customer_id, names[1])
    expect(me.flash()).to_contain_text(
        me.t("No active subscription remains: you can now remove the reseller relationship from Account.")
    )
    open_account(me)
    expect(remove_button).to_have_count(0)
    me.page.get_by_role("link", name=me.t("Remove reseller relationship")).click()
    expect(
        me.page.get_by_role("heading", name=me.t("Remove the reseller relationship with {name}?", name=company))
    ).to_be_visible()
    me.shot("seed-06-remove-confirmation")
    me.page.get_by_role("button", name=me.t("Remove reseller relationship")).click()

    # The customer has left the list
    expect(me.page).to_have_url(re.compile(r"/customers$"))
    expect(me.flash()).to_contain_text(company)
    expect(me.page.get_by_role("link", name=company, exact=True)).to_have_count(0)
    me.shot("seed-07-customer-removed")

    request_relationship_again(
        browsers,
        me,
        language,
        customer_id=customer_id,
        company=company,
        partner_name=partner_name,
        customer_admin=customer_admin,
    )


def request_relationship_again(
    browsers: Browsers,
    me: User,
    language: str,
    *,
    customer_id: str,
    company: str,
    partner_name: str,
    customer_admin: str,
) -> None:
    """Request a reseller relationship for the customer; its Global admin opens the personalised link in a
    second browser, signs in from there and accepts; the customer is back in the partner's list."""
    me.nav("Request a reseller relationship").click()
    expect(me.page.get_by_role("heading", name=me.t("Request a reseller relationship"), level=1)).to_be_visible()
    form = me.page.get_by_role("region", name=me.t("New tracked invitation"))
    form.get_by_label(me.t("Customer ID")).fill(customer_id)
    form.get_by_role("radio", name={"en": "English", "it": "Italiano"}[language]).check()
    form.get_by_label(me.t("Include delegated admin privileges")).check()
    me.shot("seed-08-request-relationship")
    form.get_by_role("button", name=me.t("Create invitation")).click()

    # the link is shown on this page only (the database keeps a hash of its code)
    expect(me.page).to_have_url(re.compile(r"/invitations$"))
    expect(me.flash()).to_contain_text(
        me.t("Invitation created. Send the link or the e-mail below to a Global admin of the customer.")
    )
    link = me.page.get_by_role("region", name=me.t("Personalised link")).get_by_label(me.t("Link")).input_value()
    assert link.startswith(f"{me.site.base_url}/invitations/"), link
    expect(me.page.locator("#invitation-email")).to_contain_text(link)
    me.shot("seed-09-invitation-sent")
    me.page.get_by_role("link", name=me.t("Invitation details")).click()
    expect(me.page.get_by_text(me.t("The link is shown only once, when the invitation is created."))).to_be_visible()
    assert link not in me.page.content()
    me.shot("seed-09b-invitation-details")
    me.page.goto(f"{me.site.base_url}/invitations/link/rotate")
    expect(me.page.get_by_role("heading", name=me.t("Replace your reusable link?"))).to_be_visible()
    me.shot("seed-09c-rotate-link-confirmation")
    me.page.get_by_role("link", name=me.t("Cancel")).click()
    expect(me.page.locator("form[action$='/resend'] button")).to_have_text(me.t("Resend"))
    me.shot("seed-09d-invitations")

    # The customer's Global admin, in another browser, opens the link, signs in from there and accepts
    admin = browsers.user(language)
    admin.page.goto(link)
    admin.choose_language()
    heading = admin.page.get_by_role("heading", level=1)
    expect(heading).to_have_text(admin.t("{partner} requests a reseller relationship", partner=partner_name))
    admin.page.get_by_role("link", name=admin.t("Sign in to accept")).click()
    admin.submit_sign_in(customer_admin)
    expect(admin.page).to_have_url(link)
    expect(heading).to_have_text(admin.t("{partner} requests a reseller relationship", partner=partner_name))
    admin.shot("seed-10-customer-acceptance")
    admin.page.get_by_role("button", name=admin.t("Accept"), exact=True).click()
    expect(admin.page).to_have_url(re.compile(r"/partner-relationships$"))
    expect(admin.flash()).to_contain_text(
        admin.t(
            "You accepted the reseller relationship with {partner}, with delegated admin privileges: it can now "
            "purchase subscriptions and administer your tenant on your behalf.",
            partner=partner_name,
        )
    )
    expect(admin.page.get_by_role("region", name=partner_name)).to_be_visible()
    admin.shot("seed-11-customer-accepted")

    # Back at the partner: the customer is in the list again, with its history kept
    me.nav("Customers").click()
    expect(me.page.get_by_role("link", name=company, exact=True)).to_be_visible()
    me.shot("seed-12-customer-back")
    me.page.get_by_role("link", name=company, exact=True).click()
    expect(me.page.get_by_role("heading", name=company, level=1)).to_be_visible()

"""The customer's side of the relationship lifecycle in a real browser, in English and in Italian (issue 15 §1,
§2): its Global admin finds the requests waiting for its answer on Partner relationships, declines one (the
partner that sent it sees it declined in its filtered list), and ends a partner's reseller relationship after a
confirmation that lists the four effects, first refused while a subscription is active."""

from __future__ import annotations

import re

from partnerhub.auth.service import actor_for_email
from partnerhub.db import transaction
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.browser.conftest import Browsers, LiveSite, expect
from tests.factories import PartnerWorld


def _former_partner_invites(live_site: LiveSite, partner: PartnerWorld, customer_id: str, admin: str) -> None:
    """`partner` was the customer's partner once (its reusable way in, then a removal), and now asks again."""
    with transaction(live_site.engine) as session:
        first = create_invitation(session, partner.admin, base_url=live_site.base_url)
        accept_invitation(session, actor_for_email(session, admin), code=first.code)
        remove_reseller_relationship(session, partner.admin, customer_id=customer_id)
        create_invitation(
            session, partner.admin, base_url=live_site.base_url, customer_id=customer_id, include_delegated_admin=True
        )


def test_the_customer_declines_a_request_and_ends_a_relationship(
    browsers: Browsers, live_site: LiveSite, language: str
) -> None:
    suffix = language.upper()
    contoso = live_site.partner(name=f"Contoso Lifecycle {suffix}")
    litware_name, contoso_name = f"Litware Cloud {suffix}", f"Contoso Lifecycle {suffix}"
    litware = live_site.partner(name=litware_name)
    customer_id, admin_email = live_site.customer(contoso, name=f"Fabrikam {suffix} Srl", language=language, dap=False)
    subscription_id = live_site.buy(contoso, customer_id, friendly_name=f"Sede {suffix}")
    with transaction(live_site.engine) as session:
        create_invitation(
            session, contoso.admin, base_url=live_site.base_url, customer_id=customer_id, include_delegated_admin=True
        )
    _former_partner_invites(live_site, litware, customer_id, admin_email)

    admin = browsers.user(language)
    admin.sign_in(admin_email)
    expect(admin.page).to_have_url(re.compile(r"/partner-relationships$"))
    inbox = admin.page.get_by_role("region", name=admin.t("Requests waiting for your answer"))
    expect(inbox.get_by_role("row")).to_have_count(3)  # the header and one row per partner
    admin.shot("lifecycle-01-inbox")

    inbox.get_by_role("link", name=admin.t("Review the request of {partner}", partner=litware_name)).click()
    expect(admin.page.get_by_role("heading", level=1)).to_have_text(
        admin.t("{partner} requests a reseller relationship", partner=litware_name)
    )
    expect(admin.page.get_by_role("button", name=admin.t("Accept"), exact=True)).to_be_visible()
    admin.shot("lifecycle-02-accept-or-decline")
    admin.page.get_by_role("button", name=admin.t("Decline"), exact=True).click()
    expect(admin.page).to_have_url(re.compile(r"/partner-relationships$"))
    expect(admin.flash()).to_contain_text(
        admin.t(
            "You declined the request of {partner}: it can no longer be accepted, and {partner} sees that you "
            "declined it.",
            partner=litware_name,
        )
    )
    expect(inbox.get_by_role("row")).to_have_count(2)

    card = admin.page.get_by_role("region", name=contoso_name)
    card.get_by_role("link", name=admin.t("End the reseller relationship with {partner}", partner=contoso_name)).click()
    expect(admin.page.get_by_role("heading", level=1)).to_have_text(
        admin.t("End the reseller relationship with {partner}?", partner=contoso_name)
    )
    end_button = admin.page.get_by_role("button", name=admin.t("End reseller relationship"))
    expect(end_button).to_be_disabled()
    expect(admin.page.get_by_text(f"Sede {suffix}")).to_be_visible()
    admin.shot("lifecycle-03-end-blocked")

    with transaction(live_site.engine) as session:  # the partner suspends what it sold
        update_subscription(
            session,
            contoso.admin,
            customer_id=customer_id,
            subscription_id=subscription_id,
            change=SubscriptionChange(status="suspended"),
        )
    admin.page.reload()
    expect(end_button).to_be_enabled()
    expect(admin.page.locator("ul.effects").get_by_role("listitem")).to_have_count(4)
    admin.shot("lifecycle-04-end-confirmation")
    end_button.click()
    expect(admin.page).to_have_url(re.compile(r"/partner-relationships$"))
    expect(admin.flash()).to_contain_text(
        admin.t(
            "The reseller relationship with {partner} has ended. It can no longer purchase on your behalf or "
            "administer your tenant; to work with it again, ask it for a new request.",
            partner=contoso_name,
        )
    )
    expect(admin.page.get_by_role("region", name=contoso_name)).to_have_count(0)
    admin.shot("lifecycle-05-ended")

    # The partner whose request was declined sees it, filtered by status
    partner = browsers.user(language)
    partner.sign_in(litware.admin.email)
    partner.go("/invitations")
    partner.page.get_by_label(partner.t("Status"), exact=True).select_option("declined")
    partner.page.get_by_role("button", name=partner.t("Filter"), exact=True).click()
    expect(partner.page).to_have_url(re.compile(r"/invitations\?status=declined$"))
    rows = partner.page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text(partner.t("Declined"))
    partner.shot("lifecycle-06-partner-sees-declined")

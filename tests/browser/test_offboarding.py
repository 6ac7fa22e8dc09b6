"""Offboarding in a real browser, in English and in Italian: one customer from its Offboard tab (a preview of
what changes, then one confirmation), and two picked in the customer list as a bulk job whose page follows the
worker's progress until it is done."""

from __future__ import annotations

import re

from tests.browser.conftest import Browsers, LiveSite, expect
from tests.factories import M365_BASIC, M365_E3

JOB_TIMEOUT_MS = 30_000  # the worker polls every 2 s and the job page reloads itself every 2 s


def test_offboarding_one_customer_then_two_in_bulk(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    partner = live_site.partner(name=f"Offboard Partner {language.upper()}")
    tag = language.upper()
    single, _ = live_site.customer(partner, name=f"Adatum {tag} Srl", language=language)
    live_site.buy(partner, single, M365_BASIC, friendly_name="Adatum office")
    live_site.buy(partner, single, M365_E3, friendly_name="Adatum managers")
    bulk = {f"Bellows {tag} Srl": "", f"Coho {tag} SpA": ""}
    for company in bulk:
        bulk[company], _ = live_site.customer(partner, name=company, language=language)
        live_site.buy(partner, bulk[company], M365_BASIC, friendly_name=f"{company} seats")
    staying = f"Dunmore {tag} Srl"
    live_site.customer(partner, name=staying, language=language)

    me = browsers.user(language)
    me.sign_in(partner.admin.email)

    # One customer: the preview lists what will be suspended, then one confirmation
    me.go(f"/customers/{single}/subscriptions")
    me.page.get_by_role("navigation", name=me.t("Customer sections")).get_by_role(
        "link", name=me.t("Offboard"), exact=True
    ).click()
    expect(me.page).to_have_url(re.compile(rf"/customers/{single}/offboard$"))
    to_suspend = me.page.get_by_role("region", name=me.t("Subscriptions to suspend"))
    for name in ("Adatum office", "Adatum managers"):
        expect(to_suspend.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(me.page.get_by_role("region", name=me.t("Delegated admin privileges that end"))).to_contain_text(
        me.t("Delegated admin privileges (DAP)")
    )
    me.shot("offboarding-01-preview")
    me.page.get_by_role("button", name=me.t("Offboard customer")).click()
    expect(me.page).to_have_url(re.compile(r"/customers$"))
    expect(me.flash()).to_contain_text(
        me.t(
            "{name} was offboarded. Subscriptions suspended: {suspended}. Reservations cancelled: {cancelled}. The "
            "reseller relationship was removed; no notice was sent to the customer.",
            name=f"Adatum {tag} Srl",
            suspended=2,
            cancelled=0,
        )
    )
    expect(me.page.get_by_role("link", name=f"Adatum {tag} Srl", exact=True)).to_have_count(0)

    # Two customers at once, picked in the list
    for company in bulk:
        me.page.get_by_role("checkbox", name=me.t("Select {name}", name=company)).check()
    me.shot("offboarding-02-list-selection")
    me.page.get_by_role("button", name=me.t("Offboard selected customers")).click()
    expect(me.page.get_by_role("heading", name=me.t("Offboard these {count} customers?", count=2))).to_be_visible()
    for company in bulk:
        expect(me.page.get_by_role("table").get_by_role("link", name=company, exact=True)).to_be_visible()
    expect(me.page.get_by_role("table").get_by_role("link", name=staying)).to_have_count(0)
    me.shot("offboarding-03-bulk-confirmation")
    me.page.get_by_role("button", name=me.t("Offboard {count} customers", count=2)).click()

    expect(me.page).to_have_url(re.compile(r"/jobs/[0-9a-f-]+$"))
    expect(me.page.get_by_role("heading", name=me.t("Bulk offboarding"), level=1)).to_be_visible()
    expect(me.page.get_by_role("progressbar")).to_be_visible()
    me.shot("offboarding-04-job-started")
    # The worker thread runs the job; the page reloads itself while it runs
    expect(me.page.get_by_role("heading", name=me.t("Bulk offboarding"), level=1)).to_contain_text(
        me.t("Succeeded"), timeout=JOB_TIMEOUT_MS
    )
    expect(me.page.get_by_text(me.t("{done} of {total} customers done", done=2, total=2))).to_be_visible()
    expect(me.page.get_by_role("region", name=me.t("Progress"))).to_contain_text(me.t("Offboarded: {count}", count=2))
    rows = me.page.get_by_role("table").get_by_role("row")
    for company in bulk:
        expect(rows.filter(has_text=company)).to_contain_text(me.t("Succeeded"))
    me.shot("offboarding-05-job-done")

    me.page.get_by_role("link", name=me.t("Back to customers")).click()
    for company in bulk:
        expect(me.page.get_by_role("link", name=company, exact=True)).to_have_count(0)
    expect(me.page.get_by_role("link", name=staying, exact=True)).to_be_visible()

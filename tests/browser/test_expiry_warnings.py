"""GDAP relationships ending soon, in a real browser, in English and in Italian: the dashboard lists them,
soonest first, and the partner renews one; the list then shows the renewal waiting for the customer."""

from __future__ import annotations

import re

from partnerhub.auth.service import actor_for_email
from partnerhub.db import transaction
from partnerhub.delegated_admin.roles import HELPDESK_ADMINISTRATOR, USER_ADMINISTRATOR
from tests.browser.conftest import Browsers, LiveSite, expect
from tests.delegated_admin.conftest import active_gdap
from tests.factories import PartnerWorld


def _ending(live_site: LiveSite, partner: PartnerWorld, company: str, language: str, days: int) -> str:
    customer_id, admin_email = live_site.customer(partner, name=company, language=language)
    with transaction(live_site.engine) as session:
        rel = active_gdap(
            session,
            partner.admin,
            actor_for_email(session, admin_email),
            customer_id=customer_id,
            roles=[USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR],
            duration_days=days,
        )
        return rel.relationship.display_name


def test_the_dashboard_lists_relationships_ending_soon_and_renews_one(
    browsers: Browsers, live_site: LiveSite, language: str
) -> None:
    partner = live_site.partner(name=f"Expiry Partner {language.upper()}")
    soon = _ending(live_site, partner, f"Tailspin {language.upper()} Srl", language, 9)
    later = _ending(live_site, partner, f"Fabrikam {language.upper()} Srl", language, 25)

    me = browsers.user(language)
    me.sign_in(partner.admin.email)
    me.go("/")
    section = me.page.get_by_role("region", name=me.t("GDAP relationships ending soon"))
    rows = section.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two relationships, soonest first
    expect(rows.nth(1)).to_contain_text(soon)
    expect(rows.nth(1)).to_contain_text(me.t("in {days} days", days=9))
    expect(rows.nth(2)).to_contain_text(later)
    assert me.has_no_horizontal_overflow()
    me.shot("expiry-01-dashboard-ending-soon")

    rows.nth(1).get_by_role("button", name=me.t("Renew {name}", name=soon)).click()
    expect(me.page).to_have_url(re.compile(r"/customers/[0-9a-f-]+/admin-relationships/[0-9a-f-]+$"))
    sent = me.t(
        "Renewal {name} was sent to the customer for approval. It extends itself every 180 days, so it "
        "does not end like the relationship it renews.",
        name="\0",
    )
    expect(me.flash()).to_contain_text(sent.split("\0")[1].strip())
    expect(me.page.get_by_role("heading", level=2)).to_contain_text(me.t("Approval pending"))
    me.shot("expiry-02-renewal-sent")

    me.go("/")
    section = me.page.get_by_role("region", name=me.t("GDAP relationships ending soon"))
    expect(section.get_by_role("row").nth(1)).to_contain_text(me.t("Approval pending"))
    expect(section.get_by_role("button", name=me.t("Renew {name}", name=soon))).to_have_count(0)
    me.shot("expiry-03-dashboard-renewal-waiting")

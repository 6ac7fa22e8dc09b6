"""GDAP in bulk in a real browser, in English and in Italian: customers picked in the customer list, the action
chosen there, a confirmation, and the job's page following the worker until every customer has its outcome."""

from __future__ import annotations

import re

from partnerhub.auth.service import actor_for_email
from partnerhub.db import transaction
from partnerhub.delegated_admin.roles import DIRECTORY_READERS, USER_ADMINISTRATOR
from tests.browser.conftest import Browsers, LiveSite, expect
from tests.delegated_admin.conftest import active_gdap

JOB_TIMEOUT_MS = 30_000  # the worker polls every 2 s and the job page reloads itself every 2 s


def test_terminating_the_gdap_of_customers_picked_in_the_list(
    browsers: Browsers, live_site: LiveSite, language: str
) -> None:
    tag = language.upper()
    partner = live_site.partner(name=f"GDAP Bulk Partner {tag}")
    managed = {f"Alder {tag} Srl": "", f"Birch {tag} SpA": ""}
    for company in managed:
        managed[company], admin_email = live_site.customer(partner, name=company, language=language)
        with transaction(live_site.engine) as s:
            active_gdap(
                s,
                partner.admin,
                actor_for_email(s, admin_email),
                customer_id=managed[company],
                roles=[DIRECTORY_READERS, USER_ADMINISTRATOR],
            )
    bare = f"Cedar {tag} Srl"
    live_site.customer(partner, name=bare, language=language)

    me = browsers.user(language)
    me.sign_in(partner.admin_agent.email)
    me.go("/customers")
    for company in [*managed, bare]:
        me.page.get_by_role("checkbox", name=me.t("Select {name}", name=company)).check()
    me.page.get_by_label(me.t("GDAP action")).select_option("terminate")
    me.shot("gdap-bulk-01-list-selection")
    me.page.get_by_role("button", name=me.t("Continue")).click()

    action = me.t("Terminate GDAP relationships")
    expect(
        me.page.get_by_role("heading", name=me.t("{action} for these {count} customers?", action=action, count=3))
    ).to_be_visible()
    me.shot("gdap-bulk-02-confirmation")
    me.page.get_by_role("button", name=me.t("{action} for {count} customers", action=action, count=3)).click()

    expect(me.page).to_have_url(re.compile(r"/gdap/bulk/[0-9a-f-]+$"))
    heading = me.page.get_by_role("heading", name=action, level=1)
    expect(heading).to_contain_text(me.t("Succeeded"), timeout=JOB_TIMEOUT_MS)
    expect(me.page.get_by_text(me.t("{done} of {total} customers done", done=3, total=3))).to_be_visible()
    rows = me.page.get_by_role("table").get_by_role("row")
    for company in managed:
        expect(rows.filter(has_text=company)).to_contain_text(me.t("Relationships ended: {count}.", count=1))
    expect(rows.filter(has_text=bare)).to_contain_text(me.t("Failed"))
    me.shot("gdap-bulk-03-job-done")
    assert me.has_no_horizontal_overflow()

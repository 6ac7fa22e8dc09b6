"""A security group's page carries the group's etag: a form from a page shown before another change is
refused with the reason (issue 15 §4)."""

from __future__ import annotations

import re

from tests.web.conftest import Site


def test_a_page_shown_before_another_change_is_refused_with_the_reason(site: Site) -> None:
    partner = site.partner()
    first_tab = site.signed_in(partner.admin.email)
    second_tab = site.signed_in(partner.admin.email)
    page = first_tab.post("/security-groups", {"display_name": "Helpdesk team"})
    group_id = re.search(r"/security-groups/([0-9a-f-]{36})", str(page.url)).group(1)  # type: ignore[union-attr]
    etag = re.search(r'name="etag" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    second_tab.get(f"/security-groups/{group_id}")
    second_tab.post(f"/security-groups/{group_id}/members", {"email": partner.helpdesk_agent.email})

    stale = first_tab.post(f"/security-groups/{group_id}/members", {"email": partner.sales_agent.email, "etag": etag})

    assert stale.status_code == 400
    assert "has been changed by someone else" in stale.text
    assert partner.sales_agent.email not in stale.text.split('id="add"')[0]

"""Invitation codes on the pages (F10): the link of a tracked invitation is shown once, on the page right
after it is made; afterwards the partner resends it for a new one. The reusable link rotates, after a
confirmation, for a Global admin or an Admin agent."""

from __future__ import annotations

import re

from sqlalchemy import select

from partnerhub.audit.models import ActivityRecord
from partnerhub.db import read_session
from tests.web.conftest import Browser, Site


def _create(browser: Browser, **data: str) -> tuple[str, str]:
    browser.get("/invitations")
    page = browser.post("/invitations", {"language": "en", "valid_days": "30", **data})
    assert page.status_code == 200, page.text
    found = re.search(r'href="/invitations/sent/([0-9a-f-]{36})"', page.text)
    code = re.search(r'id="invitation-link" value="http://testserver/invitations/([^"]+)"', page.text)
    assert found and code, page.text
    return found.group(1), code.group(1)


def _partner_link(browser: Browser) -> str:
    found = re.search(
        r'id="partner-link" value="http://testserver/invitations/([^"]+)"', browser.get("/invitations").text
    )
    assert found
    return found.group(1)


def _operations(site: Site, operation: str) -> list[ActivityRecord]:
    with read_session(site.engine) as session:
        return list(session.scalars(select(ActivityRecord).where(ActivityRecord.operation_type == operation)))


def test_the_link_is_shown_once_and_the_invitation_page_offers_a_resend(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.sales_agent.email)
    invitation_id, code = _create(browser)
    created = browser.last
    assert created is not None and "This is the only time the link is shown" in created.text
    for path in (f"/invitations/sent/{invitation_id}", "/invitations"):
        page = browser.get(path)
        assert page.status_code == 200 and code not in page.text
        assert f'action="/invitations/sent/{invitation_id}/resend"' in page.text
    page = browser.get(f"/invitations/sent/{invitation_id}")
    assert "The link is shown only once, when the invitation is created." in page.text
    assert 'id="invitation-link"' not in page.text and 'id="invitation-email"' not in page.text


def test_resend_shows_a_new_link_and_the_old_one_stops_working(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    browser = site.signed_in(partner.admin.email)
    old_id, old_code = _create(browser, language="it", include_delegated_admin="on")
    browser.get("/invitations")
    page = browser.post(f"/invitations/sent/{old_id}/resend")
    assert page.status_code == 200, page.text
    assert "A new invitation replaces the old one" in page.text
    new_id = re.search(r'href="/invitations/sent/([0-9a-f-]{36})"', page.text)
    new_code = re.search(r'id="invitation-link" value="http://testserver/invitations/([^"]+)"', page.text)
    assert new_id and new_code and new_id.group(1) != old_id and new_code.group(1) != old_code
    assert "Contoso Partner richiede" in page.text  # the e-mail keeps the customer's language
    old = site.browser().get(f"/invitations/{old_code}")
    assert old.status_code == 410 and "revoked this request" in old.text
    assert site.browser().get(f"/invitations/{new_code.group(1)}").status_code == 200
    listing = browser.get("/invitations")
    assert listing.text.count('class="badge badge-revoked"') == 1
    assert listing.text.count('class="badge badge-sent"') == 1
    assert [r.resource_id for r in _operations(site, "resend_relationship_request")] == [new_id.group(1)]


def test_a_helpdesk_agent_sees_no_resend_and_cannot_resend(site: Site) -> None:
    partner = site.partner()
    invitation_id, _ = _create(site.signed_in(partner.admin.email))
    helpdesk = site.signed_in(partner.helpdesk_agent.email)
    page = helpdesk.get(f"/invitations/sent/{invitation_id}")
    assert page.status_code == 200 and "/resend" not in page.text and "/invitations/link/rotate" not in page.text
    helpdesk.get("/invitations")
    assert helpdesk.post(f"/invitations/sent/{invitation_id}/resend").status_code == 403
    assert _operations(site, "resend_relationship_request") == []


def test_rotating_the_reusable_link_asks_for_confirmation_then_ends_the_old_link(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    browser = site.signed_in(partner.admin_agent.email)
    old = _partner_link(browser)
    index = browser.get("/invitations")
    assert 'href="/invitations/link/rotate"' in index.text
    confirm = browser.get("/invitations/link/rotate")
    assert confirm.status_code == 200
    assert "Replace your reusable link?" in confirm.text and "stops working at once" in confirm.text
    assert _partner_link(browser) == old  # opening the confirmation changes nothing
    browser.get("/invitations/link/rotate")
    done = browser.post("/invitations/link/rotate")
    assert str(done.url).endswith("/invitations")
    assert "Your reusable link was replaced: the old link no longer works." in done.text
    new = _partner_link(browser)
    assert new != old
    assert site.browser().get(f"/invitations/{old}").status_code == 404
    assert "Contoso Partner requests a reseller relationship" in site.browser().get(f"/invitations/{new}").text
    assert len(_operations(site, "rotate_partner_invitation_link")) == 1


def test_the_rotation_confirmation_in_italian(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email, language="it")
    page = browser.get("/invitations/link/rotate")
    assert page.status_code == 200 and "Sostituire il tuo link riutilizzabile?" in page.text
    assert "Sostituisci il link" in page.text


def test_sales_and_helpdesk_agents_cannot_rotate_the_link(site: Site) -> None:
    partner = site.partner()
    for user in (partner.sales_agent, partner.helpdesk_agent):
        browser = site.signed_in(user.email)
        assert "/invitations/link/rotate" not in browser.get("/invitations").text
        assert browser.get("/invitations/link/rotate").status_code == 403
        browser.get("/invitations")
        assert browser.post("/invitations/link/rotate").status_code == 403
    assert _operations(site, "rotate_partner_invitation_link") == []

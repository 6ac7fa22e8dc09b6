"""Request a reseller relationship: the partner's reusable link, tracked invitations (link and e-mail in the
customer's language, statuses, revoke), and the page the link opens, where the customer's Global admin
accepts; with the seed story end to end: offboard by hand, remove, invite again, accept, back in the list."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

from sqlalchemy import select

from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import read_session, transaction
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.service import create_invitation
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.activity import operation_names
from tests.factories import M365_BASIC, PartnerWorld, buy
from tests.web.conftest import Browser, Site


def _create(browser: Browser, **data: str) -> tuple[str, str]:
    """Create an invitation on /invitations; returns (its id, the code in its link, shown on this page only)."""
    browser.get("/invitations")
    page = browser.post("/invitations", {"language": "en", "valid_days": "90", **data})
    assert page.status_code == 200, page.text
    found = re.search(r'href="/invitations/sent/([0-9a-f-]{36})"', page.text)
    assert found, page.text
    code = re.search(r'id="invitation-link" value="http://testserver/invitations/([^"]+)"', page.text)
    assert code
    return found.group(1), code.group(1)


def _partner_link_code(browser: Browser) -> str:
    found = re.search(
        r'id="partner-link" value="http://testserver/invitations/([^"]+)"', browser.get("/invitations").text
    )
    assert found
    return found.group(1)


def _relationships(site: Site, customer_id: str) -> list[tuple[str, bool]]:
    with read_session(site.engine) as session:
        rows = session.execute(
            select(ResellerRelationship.status, ResellerRelationship.has_delegated_admin)
            .where(ResellerRelationship.customer_id == customer_id)
            .order_by(ResellerRelationship.activated_at)
        ).all()
    return [(str(status), bool(dap)) for status, dap in rows]


def _request(site: Site, invitation_id: str) -> RelationshipRequest:
    with read_session(site.engine) as session:
        req = session.get(RelationshipRequest, invitation_id)
        assert req is not None
        return req


def _former_customer(site: Site, partner: PartnerWorld, name: str = "Fabrikam") -> tuple[str, str]:
    customer_id, admin_email = site.customer(partner, name=name)
    with transaction(site.engine) as session:
        remove_reseller_relationship(session, partner.admin, customer_id=customer_id)
    return customer_id, admin_email


# --- the partner's side ----------------------------------------------------------------------------


def test_the_page_shows_the_reusable_link_with_a_copy_button(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.sales_agent.email)
    code = _partner_link_code(browser)
    assert len(code) >= 32 and code == _partner_link_code(site.signed_in(partner.admin.email))
    page = browser.get("/invitations")
    assert page.status_code == 200
    assert (
        '<button type="button" class="button" data-copy-target="partner-link" data-copied-label="Copied" hidden>'
        in page.text
    )
    assert 'name="include_delegated_admin"' in page.text
    assert "No tracked invitation was sent yet." in page.text


def test_creating_an_invitation_shows_the_link_and_the_email_in_the_customers_language(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    browser = site.signed_in(partner.admin.email)
    invitation_id, code = _create(browser, language="it", include_delegated_admin="on")
    page = browser.last
    assert page is not None
    assert "Invitation created." in page.text
    assert '<pre class="email" id="invitation-email" lang="it">' in page.text
    assert "Contoso Partner richiede" in page.text  # the e-mail is in Italian, the page in English
    assert 'data-copy-target="invitation-email"' in page.text and 'data-copy-target="invitation-link"' in page.text
    mailto = re.search(r'href="(mailto:[^"]+)"', page.text)
    assert mailto
    subject = re.search(r"subject=([^&]+)&amp;body=(.+)", mailto.group(1))
    assert subject and " " not in mailto.group(1)
    assert unquote(subject.group(1)).startswith("Contoso Partner richiede")
    assert f"http://testserver/invitations/{code}" in unquote(subject.group(2))
    req = _request(site, invitation_id)
    assert (req.language, req.include_delegated_admin, req.status) == ("it", True, "sent")
    assert operation_names(site.engine, resource_id=invitation_id) == ["create_relationship_request"]


def test_a_bad_customer_id_or_validity_is_shown_next_to_the_field(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    foreign, _ = site.customer(other)
    browser = site.signed_in(partner.admin.email)
    browser.get("/invitations")
    page = browser.post("/invitations", {"customer_id": "not-an-id", "language": "it", "valid_days": "0"})
    assert page.status_code == 400
    assert 'id="f-customer_id-error"' in page.text and 'id="f-valid_days-error"' in page.text
    assert 'value="not-an-id"' in page.text and 'value="it" checked' in page.text
    page = browser.post("/invitations", {"customer_id": foreign, "language": "en", "valid_days": "30"})
    assert page.status_code == 400
    assert f"Customer {foreign} was not found." in page.text.split('id="f-customer_id-error"')[1]
    with read_session(site.engine) as session:
        assert session.scalars(select(RelationshipRequest)).all() == []


def test_the_list_shows_each_invitations_status_and_revokes_sent_ones(site: Site) -> None:
    partner = site.partner()
    with frozen_at(utc_now() - timedelta(days=100)), transaction(site.engine) as session:
        create_invitation(session, partner.admin, base_url="http://testserver")
    browser = site.signed_in(partner.admin.email)
    invitation_id, code = _create(browser)
    listing = browser.get("/invitations")
    assert listing.text.count('class="badge badge-sent"') == 1
    assert listing.text.count('class="badge badge-expired"') == 1
    assert listing.text.count(">Revoke</button>") == 1
    done = browser.post(f"/invitations/sent/{invitation_id}/revoke")
    assert "The invitation was revoked: its link no longer works." in done.text
    assert 'class="badge badge-revoked"' in done.text and ">Revoke</button>" not in done.text
    assert _request(site, invitation_id).status == "revoked"
    assert operation_names(site.engine, resource_id=invitation_id) == [
        "create_relationship_request",
        "revoke_relationship_request",
    ]
    again = browser.post(f"/invitations/sent/{invitation_id}/revoke")
    assert "is revoked, not pending" in again.text
    link = site.browser().get(f"/invitations/{code}")
    assert link.status_code == 410
    assert "revoked this request: it can no longer be accepted." in link.text


def test_another_partner_cannot_see_or_revoke_an_invitation(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    invitation_id, _ = _create(site.signed_in(partner.admin.email))
    stranger = site.signed_in(other.admin.email)
    assert stranger.get(f"/invitations/sent/{invitation_id}").status_code == 404
    assert stranger.get("/invitations").status_code == 200
    assert stranger.post(f"/invitations/sent/{invitation_id}/revoke").status_code == 404
    assert _request(site, invitation_id).status == "sent"


# --- the customer's side ---------------------------------------------------------------------------


def test_a_visitor_sees_who_asks_for_what_and_signs_in_to_accept(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    _, code = _create(site.signed_in(partner.admin.email), include_delegated_admin="on")
    page = site.browser().get(f"/invitations/{code}")
    assert page.status_code == 200
    assert "Contoso Partner requests a reseller relationship" in page.text
    assert "it receives delegated admin privileges" in page.text
    assert f'href="/signin?next=/invitations/{code}">Sign in to accept</a>' in page.text
    assert ">Accept</button>" not in page.text


def test_the_customers_global_admin_accepts_and_lands_on_partner_relationships(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    customer_id, admin_email = _former_customer(site, partner)
    invitation_id, code = _create(
        site.signed_in(partner.admin.email), customer_id=customer_id, include_delegated_admin="on"
    )
    customer = site.signed_in(admin_email)
    page = customer.get(f"/invitations/{code}")
    assert ">Accept</button>" in page.text
    done = customer.post(f"/invitations/{code}/accept")
    assert str(done.url).endswith("/partner-relationships")
    assert "You accepted the reseller relationship with Contoso Partner, with delegated admin privileges" in done.text
    assert _relationships(site, customer_id) == [("removed", False), ("active", True)]
    assert _request(site, invitation_id).status == "accepted"
    used = customer.get(f"/invitations/{code}")
    assert used.status_code == 410
    assert "This request has already been accepted and cannot be used again." in used.text


def test_the_partners_reusable_link_is_accepted_the_same_way(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    customer_id, admin_email = _former_customer(site, partner)
    code = _partner_link_code(site.signed_in(partner.admin.email))
    customer = site.signed_in(admin_email)
    customer.get(f"/invitations/{code}")
    done = customer.post(f"/invitations/{code}/accept")
    assert "You accepted the reseller relationship with Contoso Partner: it can now purchase" in done.text
    assert _relationships(site, customer_id)[-1] == ("active", False)


def test_a_partner_user_opening_the_link_cannot_accept_it(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    _, code = _create(browser)
    page = browser.get(f"/invitations/{code}")
    assert "Only a Global admin of the customer&#39;s organisation can accept this request." in page.text
    assert ">Accept</button>" not in page.text
    refused = browser.post(f"/invitations/{code}/accept")
    assert refused.status_code == 403
    assert "Only a Global admin of a customer tenant can accept a relationship request." in refused.text


def test_an_invitation_for_another_customer_is_refused_with_a_message(site: Site) -> None:
    partner = site.partner()
    addressed, _ = _former_customer(site, partner, "Fabrikam")
    _, other_admin = _former_customer(site, partner, "Northwind")
    _, code = _create(site.signed_in(partner.admin.email), customer_id=addressed)
    customer = site.signed_in(other_admin)
    customer.get(f"/invitations/{code}")
    refused = customer.post(f"/invitations/{code}/accept")
    assert refused.status_code == 403
    assert "This relationship request is addressed to another customer." in refused.text


def test_an_expired_or_unknown_link_says_so(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    with frozen_at(utc_now() - timedelta(days=100)), transaction(site.engine) as session:
        code = create_invitation(session, partner.admin, base_url="http://testserver").code
    expired = site.browser().get(f"/invitations/{code}")
    assert expired.status_code == 410
    assert "This request expired on" in expired.text and "Ask Contoso Partner for a new one." in expired.text
    assert "Sign in to accept" not in expired.text
    unknown = site.browser().get("/invitations/no-such-code")
    assert unknown.status_code == 404
    assert "Relationship request no-such-code was not found." in unknown.text


def test_the_acceptance_page_in_italian(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    _, code = _create(site.signed_in(partner.admin.email))
    page = site.browser(language="it").get(f"/invitations/{code}")
    assert "Contoso Partner richiede una relazione con il rivenditore" in page.text
    assert "Accedi per accettare" in page.text


# --- the seed story --------------------------------------------------------------------------------


def test_the_seed_story_remove_then_invite_again_and_accept(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    customer_id, admin_email = site.customer(partner, name="Fabrikam")
    with transaction(site.engine) as session:
        sub_id = buy(session, partner.admin, customer_id, M365_BASIC, friendly_name="Office seats").id
    browser = site.signed_in(partner.admin.email)
    # suspend the subscription (Suspended + Submit), then Account → Remove reseller relationship
    browser.get(f"/customers/{customer_id}/subscriptions/{sub_id}")
    browser.post(
        f"/customers/{customer_id}/subscriptions/{sub_id}",
        {"status": "suspended", "quantity": "5", "friendly_name": "Office seats"},
    )
    browser.get(f"/customers/{customer_id}/remove")
    removed = browser.post(f"/customers/{customer_id}/remove")
    assert str(removed.url).endswith("/customers") and "Fabrikam</a>" not in removed.text
    # request a reseller relationship again
    _, code = _create(browser, customer_id=customer_id)
    # the customer's Global admin opens the link in another browser and accepts
    customer = site.signed_in(admin_email)
    assert "Contoso Partner requests a reseller relationship" in customer.get(f"/invitations/{code}").text
    customer.post(f"/invitations/{code}/accept")
    # the customer is back in the partner's list
    back = browser.get("/customers")
    assert f'<a href="/customers/{customer_id}/subscriptions">Fabrikam</a>' in back.text
    assert _relationships(site, customer_id) == [("removed", False), ("active", False)]
    ops = operation_names(site.engine, customer_id=customer_id)
    assert "remove_partner_customer_relationship" in ops and ops[-1] == "add_partner_customer_relationship"


def test_a_helpdesk_agent_sees_a_sent_invitation_without_its_link(site: Site) -> None:
    partner = site.partner()
    with transaction(site.engine) as session:
        created = create_invitation(session, site.actor(partner.admin.email), base_url="https://ph.example")
        invitation_id, code = created.request.id, created.code
    page = site.signed_in(partner.helpdesk_agent.email).get(f"/invitations/sent/{invitation_id}")
    assert page.status_code == 200
    assert code not in page.text


def test_a_resend_from_a_page_older_than_a_colleagues_change_is_refused(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    invitation_id, _ = _create(browser)
    page = browser.get(f"/invitations/sent/{invitation_id}")
    [etag] = set(re.findall(r'name="etag" value="([^"]+)"', page.text))
    colleague = site.signed_in(partner.admin.email)
    assert colleague.post(f"/invitations/sent/{invitation_id}/resend", {"etag": etag}).status_code == 200
    stale = browser.post(f"/invitations/sent/{invitation_id}/resend", {"etag": etag})
    assert "has been changed by someone else since you read it" in stale.text
    with read_session(site.engine) as session:
        assert (
            len(
                session.scalars(
                    select(RelationshipRequest).where(RelationshipRequest.partner_id == partner.partner_id)
                ).all()
            )
            == 2
        )  # the colleague's resend only

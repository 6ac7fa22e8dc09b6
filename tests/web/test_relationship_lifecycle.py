"""The relationship lifecycle on the pages (issue 15 §1, §2): the customer's Global admin declines beside
Accept, finds the requests addressed to it on Partner relationships and answers them there; the partner filters
its sent invitations on every status; and the customer ends a partner's reseller relationship after a
confirmation that lists the four effects, refused while subscriptions bought through the partner are active."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.db import read_session, transaction
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.service import create_invitation, revoke_invitation
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from tests.activity import activity
from tests.factories import M365_BASIC, PartnerWorld, buy
from tests.web.conftest import Site, csrf_of

BASE = "http://testserver"


def _invite(site: Site, partner: PartnerWorld, customer_id: str | None = None, *, dap: bool = False) -> tuple[str, str]:
    """A tracked invitation made through the service: (its id, its code)."""
    with transaction(site.engine) as session:
        created = create_invitation(
            session, partner.admin, base_url=BASE, customer_id=customer_id, include_delegated_admin=dap
        )
        return created.request.id, created.code


def _status(site: Site, invitation_id: str) -> str:
    with read_session(site.engine) as session:
        req = session.get(RelationshipRequest, invitation_id)
        assert req is not None
        return req.status


def _relationship_statuses(site: Site, partner: PartnerWorld, customer_id: str) -> list[tuple[str, str | None]]:
    with read_session(site.engine) as session:
        rows = session.execute(
            select(ResellerRelationship.status, ResellerRelationship.removed_by)
            .where(
                ResellerRelationship.partner_id == partner.partner_id, ResellerRelationship.customer_id == customer_id
            )
            .order_by(ResellerRelationship.activated_at)
        ).all()
    return [(str(s), by) for s, by in rows]


# --- decline ---------------------------------------------------------------------------------------------


def test_the_customer_declines_beside_accept_and_the_partner_sees_it(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    customer_id, admin = site.customer(partner, name="Fabrikam")
    invitation_id, code = _invite(site, partner, customer_id, dap=True)
    customer = site.signed_in(admin)
    page = customer.get(f"/invitations/{code}")
    assert ">Accept</button>" in page.text
    assert f'formaction="/invitations/{code}/decline"' in page.text and ">Decline</button>" in page.text
    done = customer.post(f"/invitations/{code}/decline")
    assert str(done.url).endswith("/partner-relationships")
    assert "You declined the request of Contoso Partner" in done.text
    assert _status(site, invitation_id) == "declined"
    again = customer.get(f"/invitations/{code}")
    assert again.status_code == 410 and "This request was declined: it can no longer be accepted." in again.text
    assert ">Decline</button>" not in again.text
    partner_browser = site.signed_in(partner.admin.email)
    sent = partner_browser.get("/invitations")
    assert 'class="badge badge-declined">Declined</span>' in sent.text
    details = partner_browser.get(f"/invitations/sent/{invitation_id}")
    assert "The customer declined this invitation on " in details.text and ">Resend" not in details.text
    [record] = activity(site.engine, operation="decline_relationship_request")
    assert record.partner_id == partner.partner_id


def test_a_partner_user_sees_no_decline_and_cannot_decline(site: Site) -> None:
    partner = site.partner()
    invitation_id, code = _invite(site, partner)
    browser = site.signed_in(partner.admin.email)
    assert ">Decline</button>" not in browser.get(f"/invitations/{code}").text
    refused = browser.post(f"/invitations/{code}/decline")
    assert refused.status_code == 403
    assert "Only a Global admin of a customer tenant can decline a relationship request." in refused.text
    assert _status(site, invitation_id) == "sent"


def test_a_revoked_request_is_not_declined_and_the_page_says_why(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    customer_id, admin = site.customer(partner)
    invitation_id, code = _invite(site, partner, customer_id)
    customer = site.signed_in(admin)
    customer.get(f"/invitations/{code}")
    with transaction(site.engine) as session:
        revoke_invitation(session, partner.admin, invitation_id=invitation_id)
    refused = customer.post(f"/invitations/{code}/decline")
    assert refused.status_code == 400 and "This relationship request was revoked by the partner." in refused.text
    assert _status(site, invitation_id) == "revoked"


# --- the inbox on Partner relationships ---------------------------------------------------------------------


def test_partner_relationships_lists_the_requests_waiting_for_an_answer(site: Site) -> None:
    contoso, litware = site.partner(name="Contoso Partner"), site.partner(name="Litware Cloud")
    customer_id, admin = site.customer(contoso, name="Fabrikam", dap=False)
    waiting, _ = _invite(site, contoso, customer_id, dap=True)
    _invite(site, contoso)  # to any customer: in no inbox
    elsewhere, _ = site.customer(litware)
    _invite(site, litware, elsewhere)
    customer = site.signed_in(admin)
    page = customer.get("/partner-relationships")
    assert "Requests waiting for your answer" in page.text
    assert f'href="/invitations/{waiting}"' in page.text and page.text.count('href="/invitations/') == 1
    assert "Reseller relationship and delegated admin privileges" in page.text
    review = customer.get(f"/invitations/{waiting}")
    assert review.status_code == 200 and "Contoso Partner requests a reseller relationship" in review.text
    done = customer.post(f"/invitations/{waiting}/accept")
    assert "You accepted the reseller relationship with Contoso Partner, with delegated admin" in done.text
    assert "No request is waiting for your answer." in customer.get("/partner-relationships").text


def test_another_customer_cannot_open_a_request_by_its_id(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    _, other_admin = site.customer(partner)
    waiting, _ = _invite(site, partner, customer_id)
    stranger = site.signed_in(other_admin)
    assert stranger.get(f"/invitations/{waiting}").status_code == 404
    stranger.get("/partner-relationships")
    assert stranger.post(f"/invitations/{waiting}/decline").status_code == 404
    assert site.browser().get(f"/invitations/{waiting}").status_code == 404  # a visitor
    assert _status(site, waiting) == "sent"


# --- status filters --------------------------------------------------------------------------------------


def test_the_partner_filters_its_sent_invitations_on_every_status(site: Site) -> None:
    partner = site.partner()
    customer_id, admin = site.customer(partner)
    declined, code = _invite(site, partner, customer_id)
    revoked, _ = _invite(site, partner)
    with transaction(site.engine) as session:
        revoke_invitation(session, partner.admin, invitation_id=revoked)
    customer = site.signed_in(admin)
    customer.get(f"/invitations/{code}")
    customer.post(f"/invitations/{code}/decline")
    browser = site.signed_in(partner.admin.email)
    page = browser.get("/invitations")
    for status in ("sent", "accepted", "declined", "expired", "revoked"):
        assert f'<option value="{status}"' in page.text
    only = browser.get("/invitations", params={"status": "declined"})
    assert f"/invitations/sent/{declined}" in only.text and f"/invitations/sent/{revoked}" not in only.text
    assert '<option value="declined" selected>' in only.text
    empty = browser.get("/invitations", params={"status": "accepted"})
    assert "No invitation has this status." in empty.text
    bad = browser.get("/invitations", params={"status": "active"})
    assert bad.status_code == 400 and "Choose a status from the list." in bad.text
    assert f"/invitations/sent/{declined}" in bad.text and f"/invitations/sent/{revoked}" in bad.text


# --- the customer ends a reseller relationship -------------------------------------------------------------


def test_the_customer_ends_a_reseller_relationship_after_a_confirmation(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    customer_id, admin = site.customer(partner, name="Fabrikam")
    customer = site.signed_in(admin)
    page = customer.get("/partner-relationships")
    confirm_url = f"/partner-relationships/{partner.partner_id}/end-reseller-relationship"
    assert f'href="{confirm_url}"' in page.text and "End reseller relationship" in page.text
    confirm = customer.get(confirm_url)
    assert confirm.status_code == 200
    assert "End the reseller relationship with Contoso Partner?" in confirm.text
    for effect in (
        "your organisation leaves the customer list of Contoso Partner",
        "Contoso Partner is no longer available as a support contact",
        "the delegated admin privileges of Contoso Partner end: DAP and every GDAP relationship",
        "Contoso Partner can no longer purchase subscriptions on your behalf",
    ):
        assert effect in confirm.text
    done = customer.post(confirm_url)
    assert str(done.url).endswith("/partner-relationships")
    assert "The reseller relationship with Contoso Partner has ended." in done.text
    assert "No partner works with your organisation at the moment." in done.text
    assert _relationship_statuses(site, partner, customer_id) == [("removed", "customer")]
    [record] = activity(site.engine, operation="remove_partner_customer_relationship")
    assert record.user_principal_name == admin and record.new_value is not None
    assert record.new_value["initiatedBy"] == "customer"
    partner_browser = site.signed_in(partner.admin.email)
    assert partner_browser.get(f"/customers/{customer_id}").status_code == 404
    assert "Remove partner customer relationship" in partner_browser.get("/activity").text


def test_active_subscriptions_block_the_ending_and_are_named(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    customer_id, admin = site.customer(partner)
    with transaction(site.engine) as session:
        sub = buy(session, partner.admin, customer_id, M365_BASIC, friendly_name="Sede di Milano")
        sub_id = sub.id
    customer = site.signed_in(admin)
    confirm_url = f"/partner-relationships/{partner.partner_id}/end-reseller-relationship"
    confirm = customer.get(confirm_url)
    assert "You cannot end it while subscriptions bought through Contoso Partner are active or pending" in confirm.text
    assert "Sede di Milano" in confirm.text and sub_id in confirm.text
    assert 'type="submit" class="button danger" disabled' in confirm.text
    refused = customer.post(confirm_url, csrf=csrf_of(confirm.text))  # as a form posted before the order
    assert refused.status_code == 400 and "Ask Contoso Partner to suspend or cancel them" in refused.text
    assert "Sede di Milano" in refused.text
    assert _relationship_statuses(site, partner, customer_id) == [("active", None)]
    with transaction(site.engine) as session:
        update_subscription(
            session,
            partner.admin,
            customer_id=customer_id,
            subscription_id=sub_id,
            change=SubscriptionChange(status="suspended"),
        )
    assert "disabled" not in customer.get(confirm_url).text.split('class="actions"')[1].split("</div>")[0]


def test_another_tenants_partner_or_a_partner_user_cannot_open_the_confirmation(site: Site) -> None:
    partner, stranger = site.partner(), site.partner()
    _, admin = site.customer(partner)
    customer = site.signed_in(admin)
    assert customer.get(f"/partner-relationships/{stranger.partner_id}/end-reseller-relationship").status_code == 404
    partner_user = site.signed_in(partner.admin.email)
    assert partner_user.get(f"/partner-relationships/{partner.partner_id}/end-reseller-relationship").status_code == 403


def test_the_ending_pages_in_italian(site: Site) -> None:
    partner = site.partner(name="Contoso Partner")
    customer_id, admin = site.customer(partner, language="it")
    _invite(site, partner, customer_id)
    customer = site.signed_in(admin, language="it")
    page = customer.get("/partner-relationships")
    assert "Richieste in attesa di una tua risposta" in page.text
    assert "Termina la relazione con il rivenditore" in page.text
    assert "Termina la relazione con il rivenditore" in page.text
    confirm = customer.get(f"/partner-relationships/{partner.partner_id}/end-reseller-relationship")
    assert "Terminare la relazione con il rivenditore Contoso Partner?" in confirm.text
    done = customer.post(f"/partner-relationships/{partner.partner_id}/end-reseller-relationship")
    assert "La relazione con il rivenditore Contoso Partner è terminata." in done.text

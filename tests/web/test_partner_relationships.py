"""The customer Global admin's Partner relationships: each partner with its reseller relationship, DAP (and its
removal) and GDAP relationships (approve, reject, end); and the whole GDAP story across two browsers."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.check import delegated_roles
from partnerhub.delegated_admin.gdap import (
    approve_admin_relationship,
    create_admin_relationship,
    lock_for_approval,
)
from partnerhub.delegated_admin.models import AdminRelationship, SecurityGroup
from partnerhub.delegated_admin.roles import GLOBAL_READER, USER_ADMINISTRATOR
from partnerhub.relationships.models import ResellerRelationship
from tests.activity import operation_names
from tests.factories import PartnerWorld
from tests.web.conftest import Site, csrf_of


def _relationship(site: Site, rel_id: str) -> AdminRelationship:
    with read_session(site.engine) as session:
        rel = session.get(AdminRelationship, rel_id)
        assert rel is not None
        return rel


def _gdap(
    site: Site,
    partner: PartnerWorld,
    customer_id: str,
    *,
    name: str = "Helpdesk access",
    lock: bool = True,
    approve_as: str | None = None,
    auto_extend: bool = False,
) -> str:
    with transaction(site.engine) as session:
        rel = create_admin_relationship(
            session,
            partner.admin,
            customer_id=customer_id,
            display_name=name,
            role_ids=[USER_ADMINISTRATOR, GLOBAL_READER],
            duration_days=90,
            auto_extend_days=180 if auto_extend else 0,
        )
        if lock:
            lock_for_approval(session, partner.admin, admin_relationship_id=rel.id)
        rel_id = rel.id
    if approve_as:
        with transaction(site.engine) as session:
            approve_admin_relationship(session, site.actor(approve_as), admin_relationship_id=rel_id)
    return rel_id


def test_a_customer_admin_lands_on_partner_relationships_and_sees_each_partner(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    customer_id, admin = site.customer(partner, name="Fabrikam")
    _gdap(site, partner, customer_id, name="Pending access")
    _gdap(site, partner, customer_id, name="Draft access", lock=False)
    browser = site.signed_in(admin)
    page = browser.last
    assert page is not None and str(page.url).endswith("/partner-relationships")
    assert "Contoso Direct" in page.text
    assert "Reseller relationship" in page.text and "Since " in page.text
    assert "Remove delegated admin privileges" in page.text  # DAP: yes
    assert "Pending access" in page.text and "User Administrator, Global Reader" in page.text
    assert "Approval pending" in page.text and ">Approve</button>" in page.text and ">Reject</button>" in page.text
    assert "Draft access" not in page.text  # the partner has not sent it yet


def test_another_partners_relationships_with_other_customers_stay_hidden(site: Site) -> None:
    partner, other = site.partner(name="Contoso Direct"), site.partner(name="Northwind Cloud")
    _, admin = site.customer(partner)
    elsewhere, _ = site.customer(other)
    foreign = _gdap(site, other, elsewhere, name="Someone else's")
    browser = site.signed_in(admin)
    page = browser.get("/partner-relationships")
    assert "Northwind Cloud" not in page.text and "Someone else's" not in page.text
    assert browser.get(f"/partner-relationships/admin-relationships/{foreign}").status_code == 404
    page = browser.post(
        f"/partner-relationships/admin-relationships/{foreign}/approve",
        csrf=csrf_of(browser.get("/partner-relationships").text),
    )
    assert page.status_code == 404
    assert _relationship(site, foreign).status == "approvalPending"


def test_a_draft_is_not_found_by_the_customer(site: Site) -> None:
    partner = site.partner()
    customer_id, admin = site.customer(partner)
    draft = _gdap(site, partner, customer_id, lock=False)
    assert site.signed_in(admin).get(f"/partner-relationships/admin-relationships/{draft}").status_code == 404


def test_the_request_page_shows_exactly_what_is_asked(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    customer_id, admin = site.customer(partner)
    rel_id = _gdap(site, partner, customer_id, auto_extend=True)
    page = site.signed_in(admin).get(f"/partner-relationships/admin-relationships/{rel_id}")
    assert page.status_code == 200
    assert "Contoso Direct asks for admin access to your tenant" in page.text
    assert "<li>User Administrator</li>" in page.text and "<li>Global Reader</li>" in page.text
    assert "90 days" in page.text and "Yes, by 180 days" in page.text
    assert "the access extends automatically by 180 days" in page.text


def test_rejecting_a_request_ends_it_with_the_customer_as_its_ender(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    customer_id, admin = site.customer(partner)
    rel_id = _gdap(site, partner, customer_id)
    browser = site.signed_in(admin)
    browser.get(f"/partner-relationships/admin-relationships/{rel_id}")
    page = browser.post(f"/partner-relationships/admin-relationships/{rel_id}/reject")
    assert "You rejected Helpdesk access: Contoso Direct gets no access through it." in page.text
    rel = _relationship(site, rel_id)
    assert (rel.status, rel.ended_by) == ("terminated", "customer")
    assert operation_names(site.engine, resource_id=rel_id)[-1] == "reject_granular_admin_relationship"


def test_approving_twice_is_refused_as_a_message_on_the_request_page(site: Site) -> None:
    partner = site.partner()
    customer_id, admin = site.customer(partner)
    rel_id = _gdap(site, partner, customer_id, approve_as=None)
    browser = site.signed_in(admin)
    browser.get(f"/partner-relationships/admin-relationships/{rel_id}")
    browser.post(f"/partner-relationships/admin-relationships/{rel_id}/approve")
    page = browser.post(f"/partner-relationships/admin-relationships/{rel_id}/approve")
    assert page.status_code == 200
    assert "is active: this change is not allowed." in page.text
    assert operation_names(site.engine, resource_id=rel_id).count("approve_granular_admin_relationship") == 1


def test_the_customer_ends_an_active_relationship_after_confirming(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    customer_id, admin = site.customer(partner)
    rel_id = _gdap(site, partner, customer_id, approve_as=admin)
    browser = site.signed_in(admin)
    assert (
        'href="/partner-relationships/admin-relationships/' + rel_id + '/end"'
        in browser.get("/partner-relationships").text
    )
    confirm = browser.get(f"/partner-relationships/admin-relationships/{rel_id}/end")
    assert "End admin relationship Helpdesk access?" in confirm.text
    assert _relationship(site, rel_id).status == "active"
    page = browser.post(f"/partner-relationships/admin-relationships/{rel_id}/end")
    assert "Helpdesk access has ended: Contoso Direct no longer has its roles in your tenant." in page.text
    rel = _relationship(site, rel_id)
    assert (rel.status, rel.ended_by) == ("terminated", "customer")
    assert operation_names(site.engine, resource_id=rel_id)[-1] == "terminate_granular_admin_relationship"


def test_the_customer_removes_dap_and_keeps_the_reseller_relationship(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    customer_id, admin = site.customer(partner)
    browser = site.signed_in(admin)
    confirm = browser.get(f"/partner-relationships/{partner.partner_id}/remove-delegated-admin")
    assert "Remove the delegated admin privileges of Contoso Direct?" in confirm.text
    page = browser.post(f"/partner-relationships/{partner.partner_id}/remove-delegated-admin")
    assert "Contoso Direct no longer has delegated admin privileges in your tenant." in page.text
    assert "Remove delegated admin privileges" not in page.text
    with read_session(site.engine) as session:
        rel = session.scalars(select(ResellerRelationship).where(ResellerRelationship.customer_id == customer_id)).one()
    assert (rel.status, rel.has_delegated_admin) == ("active", False)
    assert operation_names(site.engine, resource_id=rel.id) == ["remove_partner_customer_dap"]


def test_removing_dap_of_an_unknown_partner_is_not_found(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    _, admin = site.customer(partner)
    browser = site.signed_in(admin)
    assert browser.get(f"/partner-relationships/{other.partner_id}/remove-delegated-admin").status_code == 404


def test_a_partner_user_is_refused_on_the_customer_pages(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    rel_id = _gdap(site, partner, customer_id)
    browser = site.signed_in(partner.admin.email)
    page = browser.get("/partner-relationships")
    assert page.status_code == 403 and "Your role does not allow this operation" in page.text
    assert browser.get(f"/partner-relationships/admin-relationships/{rel_id}").status_code == 403
    page = browser.post(
        f"/partner-relationships/admin-relationships/{rel_id}/approve", csrf=csrf_of(browser.get("/customers").text)
    )
    assert page.status_code == 403
    assert _relationship(site, rel_id).status == "approvalPending"


def test_the_partner_relationships_page_reads_in_italian(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    customer_id, admin = site.customer(partner, language="it")  # its Global admin reads Italian
    _gdap(site, partner, customer_id)
    page = site.signed_in(admin).get("/partner-relationships")
    assert "Relazioni con i partner" in page.text
    assert "Privilegi di amministratore con delega (DAP)" in page.text
    assert "Rimuovi i privilegi di amministratore con delega" in page.text
    assert "Amministratore utenti, Lettore globale" in page.text
    assert ">Approva</button>" in page.text and ">Rifiuta</button>" in page.text


def test_the_gdap_story_from_request_to_an_assigned_security_group(site: Site) -> None:
    """The partner requests GDAP and asks for approval; the customer's Global admin, in another browser,
    approves it; the partner sees it active and gives a security group its roles, so the group's member
    now holds them in the customer's tenant."""
    partner = site.partner(name="Contoso Direct")
    customer_id, customer_admin = site.customer(partner, name="Fabrikam")
    partner_browser = site.signed_in(partner.admin_agent.email)
    tab = f"/customers/{customer_id}/admin-relationships"

    partner_browser.get(tab)
    page = partner_browser.post(
        tab, {"display_name": "Fabrikam helpdesk", "duration_days": "365", "roles": [USER_ADMINISTRATOR, GLOBAL_READER]}
    )
    rel_url = str(page.url).removeprefix("http://testserver")
    rel_id = rel_url.rsplit("/", 1)[1]
    page = partner_browser.post(f"{rel_url}/request-approval")
    link = f"http://testserver/partner-relationships/admin-relationships/{rel_id}"
    assert link in page.text

    customer_browser = site.signed_in(customer_admin)
    request = customer_browser.get(link.removeprefix("http://testserver"))
    assert "Contoso Direct asks for admin access to your tenant" in request.text
    approved = customer_browser.post(f"/partner-relationships/admin-relationships/{rel_id}/approve")
    assert "You approved Fabrikam helpdesk: Contoso Direct now has the roles it asked for" in approved.text
    assert "Active" in customer_browser.get("/partner-relationships").text

    listing = partner_browser.get(tab)
    assert "Fabrikam helpdesk" in listing.text and "Active" in listing.text
    partner_browser.get("/security-groups")
    partner_browser.post("/security-groups", {"display_name": "Fabrikam support"})
    with read_session(site.engine) as session:
        group_id = session.scalars(
            select(SecurityGroup.id).where(SecurityGroup.display_name == "Fabrikam support")
        ).one()
    partner_browser.get(f"/security-groups/{group_id}")
    partner_browser.post(f"/security-groups/{group_id}/members", {"email": partner.helpdesk_agent.email})
    partner_browser.get(rel_url)
    page = partner_browser.post(
        f"{rel_url}/assignments", {"security_group_id": group_id, "roles": [USER_ADMINISTRATOR]}
    )
    assert "Security group Fabrikam support now has access through Fabrikam helpdesk." in page.text
    assert "Fabrikam support" in page.text and "Terminate" in page.text

    with read_session(site.engine) as session:
        roles = delegated_roles(session, actor=site.actor(partner.helpdesk_agent.email), customer_id=customer_id)
    assert USER_ADMINISTRATOR in roles and GLOBAL_READER not in roles
    assert operation_names(site.engine, resource_id=rel_id) == [
        "create_granular_admin_relationship",
        "lock_granular_admin_relationship_for_approval",
        "approve_granular_admin_relationship",
    ]

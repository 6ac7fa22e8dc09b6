"""Expiry warnings on the web: the dashboard lists the GDAP relationships that end within 30 days without
auto-extend, soonest first, each with its customer, end date and a Renew button; their status shows as
Expiring. The invitation form sends the e-mail when partnerhub has a mail server, and says it cannot when not."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from partnerhub.auth.service import actor_for_email
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.models import AdminRelationship, AdminRelationshipStatus
from partnerhub.delegated_admin.roles import GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR
from partnerhub.mail.models import MailStatus, OutboxMail
from tests.activity import operation_names
from tests.delegated_admin.conftest import active_gdap
from tests.factories import PartnerWorld
from tests.web.conftest import Site, csrf_of


def _active(
    site: Site, partner: PartnerWorld, customer_id: str, admin_email: str, *, days: int, auto_extend: int = 0
) -> str:
    with transaction(site.engine) as session:
        customer_admin = actor_for_email(session, admin_email)
        rel = active_gdap(
            session,
            partner.admin,
            customer_admin,
            customer_id=customer_id,
            roles=[USER_ADMINISTRATOR],
            duration_days=days,
            auto_extend_days=auto_extend,
        )
        return rel.relationship.id


def test_the_dashboard_lists_relationships_ending_soon_soonest_first_with_renew(site: Site) -> None:
    partner = site.partner()
    fabrikam, fabrikam_admin = site.customer(partner, name="Fabrikam")
    tailspin, tailspin_admin = site.customer(partner, name="Tailspin Toys")
    later = _active(site, partner, fabrikam, fabrikam_admin, days=25)
    sooner = _active(site, partner, tailspin, tailspin_admin, days=9)
    _active(site, partner, fabrikam, fabrikam_admin, days=20, auto_extend=180)  # extends itself
    _active(site, partner, tailspin, tailspin_admin, days=90)  # not yet

    page = site.signed_in(partner.admin.email).get("/")
    assert page.status_code == 200
    section = page.text.split('id="ending-soon"')[1].split("</section>")[0]
    assert section.index("Tailspin Toys") < section.index("Fabrikam")
    assert section.count('action="/admin-relationships/') == 2
    assert f'action="/admin-relationships/{sooner}/renew"' in section
    assert f'action="/admin-relationships/{later}/renew"' in section
    assert "in 9 days" in section and "in 25 days" in section
    assert "GDAP relationships ending within 30 days" in page.text  # the tile counts the same two

    tab = site.signed_in(partner.admin_agent.email).get(f"/customers/{tailspin}/admin-relationships")
    assert "Expiring" in tab.text


def test_the_list_is_in_italian_and_not_shown_to_a_sales_agent(site: Site) -> None:
    partner = site.partner()
    customer, admin = site.customer(partner, name="Fabrikam")
    _active(site, partner, customer, admin, days=12)
    italian = site.signed_in(partner.admin.email, language="it").get("/")
    assert "Relazioni GDAP in scadenza" in italian.text and "tra 12 giorni" in italian.text
    assert "Rinnova" in italian.text
    sales = site.signed_in(partner.sales_agent.email).get("/")
    assert sales.status_code == 200 and 'id="ending-soon"' not in sales.text


def test_the_invitation_form_sends_the_email_when_partnerhub_has_a_mail_server(make_site: Callable[..., Site]) -> None:
    site = make_site(smtp_url="smtp://mail.example:587?starttls=true")
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    form = browser.get("/invitations")
    assert 'name="send_to"' in form.text
    page = browser.post("/invitations", {"language": "it", "valid_days": "90", "send_to": "admin@fabrikam.example"})
    assert page.status_code == 200, page.text
    assert "partnerhub sends the e-mail below to admin@fabrikam.example within a minute." in page.text
    assert "partnerhub sends this e-mail to admin@fabrikam.example." in page.text
    with read_session(site.engine) as session:
        [mail] = session.scalars(select(OutboxMail)).all()
    assert (mail.to_address, mail.status, mail.language, mail.is_secret) == (
        "admin@fabrikam.example",
        MailStatus.QUEUED,
        "it",
        True,
    )

    wrong = browser.post("/invitations", {"language": "en", "valid_days": "90", "send_to": "fabrikam"})
    assert wrong.status_code == 400 and "fabrikam is not an e-mail address." in wrong.text


def test_without_a_mail_server_the_form_says_the_partner_sends_it(site: Site) -> None:
    partner = site.partner()
    form = site.signed_in(partner.admin.email).get("/invitations")
    assert 'name="send_to"' not in form.text
    assert "This partnerhub sends no e-mail" in form.text


def test_renew_asks_the_customer_for_a_new_relationship_and_the_list_says_so(site: Site) -> None:
    partner = site.partner()
    customer, admin = site.customer(partner, name="Fabrikam")
    old = _active(site, partner, customer, admin, days=10)
    browser = site.signed_in(partner.admin_agent.email)
    dashboard = browser.get("/")
    page = browser.post(f"/admin-relationships/{old}/renew", csrf=csrf_of(dashboard.text))
    assert page.status_code == 200 and page.url.path.startswith(f"/customers/{customer}/admin-relationships/")
    assert "was sent to the customer for approval" in page.text
    with read_session(site.engine) as session:
        renewal = session.scalars(select(AdminRelationship).where(AdminRelationship.renewed_from_id == old)).one()
        assert (renewal.status, renewal.auto_extend_days) == (AdminRelationshipStatus.APPROVAL_PENDING, 180)
        assert GLOBAL_ADMINISTRATOR not in renewal.role_ids
        assert operation_names(session, resource_id=renewal.id)[:1] == ["create_granular_admin_relationship"]

    again = browser.get("/")
    section = again.text.split('id="ending-soon"')[1].split("</section>")[0]
    assert f'action="/admin-relationships/{old}/renew"' not in section
    assert f"Renewed: {renewal.display_name}" in section and "Approval pending" in section

    twice = browser.post(f"/admin-relationships/{old}/renew", csrf=csrf_of(again.text))
    assert twice.url.path == "/" and "was already renewed" in twice.text


def test_a_relationship_of_another_partner_cannot_be_renewed(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    customer, admin = site.customer(other, name="Northwind")
    foreign = _active(site, other, customer, admin, days=10)
    browser = site.signed_in(partner.admin.email)
    page = browser.post(f"/admin-relationships/{foreign}/renew", csrf=csrf_of(browser.get("/").text))
    assert page.status_code == 404

"""Expiry warnings on the web: the dashboard lists the GDAP relationships that end within 30 days without
auto-extend, soonest first, each with its customer, end date and a Renew button; their status shows as
Expiring. The invitation form sends the e-mail when partnerhub has a mail server, and says it cannot when not."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from partnerhub.auth.service import actor_for_email
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.roles import USER_ADMINISTRATOR
from partnerhub.mail.models import MailStatus, OutboxMail
from tests.delegated_admin.conftest import active_gdap
from tests.factories import PartnerWorld
from tests.web.conftest import Site


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

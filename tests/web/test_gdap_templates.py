"""The GDAP templates pages: create a template with the grouped role picker, give a security group its roles,
request a relationship from the template on a customer's tab, renew one, change and delete the template."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.gdap import approve_admin_relationship
from partnerhub.delegated_admin.models import AdminRelationship, GdapTemplate
from partnerhub.delegated_admin.roles import GLOBAL_ADMINISTRATOR, GLOBAL_READER, HELPDESK_ADMINISTRATOR
from tests.web.conftest import Site
from tests.web.test_admin_relationships import _group


def _template(site: Site, name: str) -> GdapTemplate:
    with read_session(site.engine) as session:
        return session.scalars(select(GdapTemplate).where(GdapTemplate.name == name)).one()


def test_a_template_is_made_on_its_page_and_a_customer_gets_a_relationship_from_it(site: Site) -> None:
    partner = site.partner()
    customer_id, customer_admin = site.customer(partner, name="Fabrikam")
    browser = site.signed_in(partner.admin.email)
    group_id = _group(site, browser, "Helpdesk tier 1")
    listing = browser.get("/gdap-templates")
    assert listing.status_code == 200 and 'href="/gdap-templates"' in listing.text
    assert "Identity and access" in listing.text and "Find a role" in listing.text
    refused = browser.post(
        "/gdap-templates",
        {"name": "GA forever", "duration_days": "730", "roles": [GLOBAL_ADMINISTRATOR], "auto_extend": "on"},
    )
    assert refused.status_code == 400 and "cannot be auto-extended" in refused.text
    page = browser.post(
        "/gdap-templates",
        {
            "name": "Standard MSP",
            "duration_days": "365",
            "roles": [HELPDESK_ADMINISTRATOR, GLOBAL_READER],
            "auto_extend": "on",
        },
    )
    assert page.status_code == 200 and "Template Standard MSP was saved." in page.text
    t = _template(site, "Standard MSP")
    page = browser.post(
        f"/gdap-templates/{t.id}/groups", {"security_group_id": group_id, "group_roles": [HELPDESK_ADMINISTRATOR]}
    )
    assert "Security group Helpdesk tier 1 gets its roles" in page.text
    assert _template(site, "Standard MSP").assignments == [
        {"securityGroupId": group_id, "roleIds": [HELPDESK_ADMINISTRATOR]}
    ]

    tab = browser.get(f"/customers/{customer_id}/admin-relationships")
    assert "Request from a template" in tab.text and "Standard MSP" in tab.text
    page = browser.post(f"/customers/{customer_id}/admin-relationships/from-template", {"template_id": t.id})
    assert page.status_code == 200 and "was requested from template Standard MSP" in page.text
    with read_session(site.engine) as session:
        rel = session.scalars(select(AdminRelationship).where(AdminRelationship.template_id == t.id)).one()
    assert rel.status == "approvalPending"
    with transaction(site.engine) as session:
        approve_admin_relationship(session, site.actor(customer_admin), admin_relationship_id=rel.id)
    page = browser.get(f"/customers/{customer_id}/admin-relationships/{rel.id}")
    assert "Helpdesk tier 1" in page.text and "Renew" in page.text
    assert f'<a href="/gdap-templates/{t.id}">Standard MSP</a>' in page.text
    page = browser.post(f"/customers/{customer_id}/admin-relationships/{rel.id}/renew", {})
    assert page.status_code == 200 and "without Global Administrator" in page.text
    assert "The relationship it renews" in page.text
    again = browser.post(f"/customers/{customer_id}/admin-relationships/{rel.id}/renew", {})
    assert "already renewed" in again.text

    changed = browser.post(
        f"/gdap-templates/{t.id}",
        {
            "name": "Standard MSP",
            "duration_days": "90",
            "roles": [HELPDESK_ADMINISTRATOR, GLOBAL_READER],
            "version": "2",
        },
    )  # adding the group made version 2
    assert "Template Standard MSP was saved." in changed.text and _template(site, "Standard MSP").duration_days == 90
    stale = browser.post(
        f"/gdap-templates/{t.id}",
        {"name": "Standard MSP", "duration_days": "30", "roles": [GLOBAL_READER], "version": "2"},
    )
    assert stale.status_code == 400 and _template(site, "Standard MSP").duration_days == 90
    gone = browser.post(f"/gdap-templates/{t.id}/delete", {})
    assert "Template Standard MSP was deleted." in gone.text and "You have no GDAP template yet." in gone.text


def test_the_pages_speak_italian(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email, language="it")
    page = browser.get("/gdap-templates")
    assert "Modelli GDAP" in page.text and "Identità e accesso" in page.text and "Crea un modello" in page.text

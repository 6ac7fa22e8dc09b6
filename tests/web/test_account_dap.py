"""Remove delegated admin privileges on the partner's Account page of a customer (issue 15 §5): offered to
the roles that may (Global admin, Admin agent) while DAP is held, the reseller relationship stays, a page
shown before another change is refused (the customer's etag), in English and Italian."""

from __future__ import annotations

import re

from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.dap import remove_delegated_admin
from partnerhub.relationships.models import ResellerRelationship
from tests.activity import operation_names
from tests.web.conftest import Site


def _dap(site: Site, customer_id: str) -> bool:
    with read_session(site.engine) as session:
        rel = session.query(ResellerRelationship).filter_by(customer_id=customer_id, status="active").one()
        return rel.has_delegated_admin


def test_an_admin_agent_removes_dap_and_the_relationship_stays(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner, name="Fabrikam Srl")
    browser = site.signed_in(partner.admin_agent.email)
    page = browser.get(f"/customers/{customer_id}/account")
    assert "Remove delegated admin privileges" in page.text

    done = browser.post(f"/customers/{customer_id}/delegated-admin/remove")

    assert done.status_code == 200
    assert "Delegated admin privileges for Fabrikam Srl were removed" in done.text
    assert _dap(site, customer_id) is False
    assert "remove_partner_customer_dap" in operation_names(site.engine, customer_id=customer_id)
    assert "Remove delegated admin privileges" not in browser.get(f"/customers/{customer_id}/account").text


def test_a_sales_agent_is_not_offered_it(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    page = site.signed_in(partner.sales_agent.email).get(f"/customers/{customer_id}/account")
    assert "/delegated-admin/remove" not in page.text


def test_a_page_shown_before_another_change_is_refused(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    browser = site.signed_in(partner.admin.email, language="it")
    page = browser.get(f"/customers/{customer_id}/account")
    assert "Rimuovi i privilegi di amministratore con delega" in page.text
    with transaction(site.engine) as session:  # someone else removes DAP meanwhile
        remove_delegated_admin(session, partner.admin_agent, customer_id=customer_id)

    etag = re.search(r'name="etag" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    again = browser.post(f"/customers/{customer_id}/delegated-admin/remove", {"etag": etag})

    assert "è stato modificato da qualcun altro" in again.text
    assert operation_names(site.engine, customer_id=customer_id).count("remove_partner_customer_dap") == 1

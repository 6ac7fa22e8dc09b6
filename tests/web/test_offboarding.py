"""Offboarding pages (beyond Partner Center): the Offboard tab previews every change and offboards in one
confirmation; customers picked in the list are offboarded in bulk by a job whose page shows its progress."""

from __future__ import annotations

import re

from httpx2 import Response
from sqlalchemy import select

from partnerhub.audit.models import ActivityRecord
from partnerhub.db import read_session, transaction
from partnerhub.jobs.runner import run_pending
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.models import Subscription
from tests.activity import operation_names
from tests.factories import AZURE_RESERVATION, M365_E3, TEAMS_PHONE_ADDON, PartnerWorld, buy
from tests.web.conftest import Browser, Site


def _customer_with(
    site: Site, partner: PartnerWorld, *, name: str, reservation: bool = False, addon: bool = False
) -> str:
    customer_id, _ = site.customer(partner, name=name)
    with transaction(site.engine) as session:
        base = buy(session, partner.admin, customer_id, M365_E3, friendly_name=f"{name} seats")
        if addon:
            buy(
                session,
                partner.admin,
                customer_id,
                TEAMS_PHONE_ADDON,
                parent_id=base.id,
                friendly_name=f"{name} phones",
            )
        if reservation:
            buy(session, partner.admin, customer_id, AZURE_RESERVATION, quantity=1, friendly_name=f"{name} VMs")
    return customer_id


def _statuses(site: Site, customer_id: str) -> dict[str, str]:
    with read_session(site.engine) as session:
        rows = session.execute(
            select(Subscription.friendly_name, Subscription.status).where(Subscription.customer_id == customer_id)
        ).all()
    return {str(name): str(status) for name, status in rows}


def _relationship(site: Site, customer_id: str) -> str:
    with read_session(site.engine) as session:
        return str(
            session.scalars(
                select(ResellerRelationship.status).where(ResellerRelationship.customer_id == customer_id)
            ).one()
        )


def _bulk_select(browser: Browser, ids: list[str], *, follow: bool = True) -> Response:
    browser.get("/customers")
    return browser.post("/offboarding/bulk", {"customer_id": ids}, follow=follow)


def _job_id(location: str) -> str:
    found = re.fullmatch(r"/jobs/([0-9a-f-]{36})", location)
    assert found, location
    return found.group(1)


# --- one customer ----------------------------------------------------------------------------------


def test_the_offboard_tab_previews_everything_that_will_change(site: Site) -> None:
    partner = site.partner()
    customer_id = _customer_with(site, partner, name="Fabrikam", addon=True, reservation=True)
    page = site.signed_in(partner.admin.email).get(f"/customers/{customer_id}/offboard")
    assert page.status_code == 200
    assert 'aria-current="page">Offboard</a>' in page.text
    suspend = page.text.split('id="suspend-heading"')[1].split("</section>")[0]
    assert "Fabrikam seats" in suspend and "Fabrikam phones" in suspend and "Fabrikam VMs" not in suspend
    assert "Delegated admin privileges (DAP)" in page.text
    assert "You leave the customer&#39;s list of available support contacts." in page.text
    assert "Fabrikam VMs" in page.text.split('id="reservations-reason"')[1]
    assert 'name="cancel_reservations"' in page.text
    assert "Offboard customer</button>" in page.text
    assert _statuses(site, customer_id) == {
        "Fabrikam seats": "active",
        "Fabrikam phones": "active",
        "Fabrikam VMs": "active",
    }


def test_offboarding_suspends_every_subscription_and_removes_the_relationship(site: Site) -> None:
    partner = site.partner()
    customer_id = _customer_with(site, partner, name="Fabrikam", addon=True)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/offboard")
    done = browser.post(f"/customers/{customer_id}/offboard")
    assert done.status_code == 200
    assert str(done.url).endswith("/customers")
    assert "Fabrikam was offboarded. Subscriptions suspended: 2." in done.text
    assert "no notice was sent to the customer" in done.text
    assert f'/customers/{customer_id}/subscriptions"' not in done.text  # gone from the list
    assert set(_statuses(site, customer_id).values()) == {"suspended"}
    assert _relationship(site, customer_id) == "removed"
    operations = operation_names(site.engine, customer_id=customer_id)
    assert "offboard_customer" in operations and "remove_partner_customer_relationship" in operations


def test_reservations_block_offboarding_until_cancelling_them_is_chosen(site: Site) -> None:
    partner = site.partner()
    customer_id = _customer_with(site, partner, name="Contoso", reservation=True)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/offboard")
    refused = browser.post(f"/customers/{customer_id}/offboard")
    assert refused.status_code == 400
    assert 'id="f-cancel_reservations-error"' in refused.text
    assert "Offboarding is refused: 1 reservation(s)" in refused.text
    assert _statuses(site, customer_id) == {"Contoso seats": "active", "Contoso VMs": "active"}
    assert _relationship(site, customer_id) == "active"
    done = browser.post(f"/customers/{customer_id}/offboard", {"cancel_reservations": "on"})
    assert "Contoso was offboarded. Subscriptions suspended: 1. Reservations cancelled: 1." in done.text
    assert _statuses(site, customer_id) == {"Contoso seats": "suspended", "Contoso VMs": "deleted"}


def test_another_partners_customer_has_no_offboard_page(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    customer_id = _customer_with(site, other, name="Northwind")
    browser = site.signed_in(partner.admin.email)
    assert browser.get(f"/customers/{customer_id}/offboard").status_code == 404
    browser.get("/customers")
    assert browser.post(f"/customers/{customer_id}/offboard").status_code == 404
    assert _relationship(site, customer_id) == "active"


def test_a_sales_agent_sees_the_preview_but_cannot_offboard(site: Site) -> None:
    partner = site.partner()
    customer_id = _customer_with(site, partner, name="Fabrikam")
    browser = site.signed_in(partner.sales_agent.email)
    page = browser.get(f"/customers/{customer_id}/offboard")
    assert page.status_code == 200
    assert "Your role does not allow removing reseller relationships." in page.text
    assert "Offboard customer</button>" not in page.text
    assert browser.post(f"/customers/{customer_id}/offboard").status_code == 403
    assert _relationship(site, customer_id) == "active"


def test_the_offboard_tab_in_italian(site: Site) -> None:
    partner = site.partner()
    customer_id = _customer_with(site, partner, name="Fabrikam")
    browser = site.signed_in(partner.admin.email)
    browser.client.cookies.set("ph_lang", "it")
    page = browser.get(f"/customers/{customer_id}/offboard")
    assert "Sottoscrizioni da sospendere" in page.text
    assert "Attiva" in page.text
    assert "Privilegi di amministratore con delega che terminano" in page.text


# --- bulk ------------------------------------------------------------------------------------------


def test_bulk_offboarding_without_a_selection_goes_back_to_the_list(site: Site) -> None:
    partner = site.partner()
    _customer_with(site, partner, name="Fabrikam")
    browser = site.signed_in(partner.admin.email)
    page = _bulk_select(browser, [])
    assert str(page.url).endswith("/customers")
    assert "Select at least one customer to offboard." in page.text


def test_bulk_offboarding_confirms_then_shows_the_jobs_progress(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    first = _customer_with(site, partner, name="Alpha")
    second = _customer_with(site, partner, name="Beta", addon=True)
    foreign = _customer_with(site, other, name="Northwind")
    browser = site.signed_in(partner.admin.email)
    confirm = _bulk_select(browser, [first, second, foreign])
    assert confirm.status_code == 200
    text = confirm.text
    assert "Offboard these 2 customers?" in text
    assert "Alpha" in text and "Beta" in text and "Northwind" not in text
    assert _relationship(site, first) == "active"  # nothing happens before the confirmation
    started = browser.post("/offboarding/bulk/start", {"customer_id": [first, second, foreign]}, follow=False)
    assert started.status_code == 303
    job_id = _job_id(started.headers["location"])
    running = browser.get(f"/jobs/{job_id}")
    assert "Offboarding of 2 customers has started." in running.text
    assert 'data-refresh-seconds="2"' in running.text
    assert '<progress id="job-progress" class="progress" max="2" value="0">' in running.text
    assert f'href="/jobs/{job_id}">Refresh</a>' in running.text

    run_pending(site.engine)

    finished = browser.get(f"/jobs/{job_id}")
    assert "data-refresh-seconds" not in finished.text
    assert '<progress id="job-progress" class="progress" max="2" value="2">' in finished.text
    assert "2 of 2 customers done" in finished.text
    assert "Offboarded: 2" in finished.text
    assert finished.text.count("Subscriptions suspended:") == 2
    assert "badge-succeeded" in finished.text
    for customer_id in (first, second):
        assert _relationship(site, customer_id) == "removed"
    assert _relationship(site, foreign) == "active"
    with read_session(site.engine) as session:
        started_records = session.scalars(
            select(ActivityRecord).where(
                ActivityRecord.operation_type == "start_bulk_offboarding", ActivityRecord.resource_id == job_id
            )
        ).all()
    assert len(started_records) == 1


def test_the_job_page_reports_a_customer_that_could_not_be_offboarded_in_italian(site: Site) -> None:
    partner = site.partner()
    plain = _customer_with(site, partner, name="Alpha")
    blocked = _customer_with(site, partner, name="Beta", reservation=True)
    browser = site.signed_in(partner.admin.email)
    _bulk_select(browser, [plain, blocked])
    started = browser.post("/offboarding/bulk/start", {"customer_id": [plain, blocked]}, follow=False)
    job_id = _job_id(started.headers["location"])
    run_pending(site.engine)
    browser.client.cookies.set("ph_lang", "it")
    page = browser.get(f"/jobs/{job_id}")
    assert "badge-failed" in page.text and "badge-succeeded" in page.text
    assert "2 di 2 clienti completati" in page.text
    assert "prenotazion" in page.text  # the reason, in Italian
    assert _relationship(site, blocked) == "active"
    assert _statuses(site, blocked) == {"Beta seats": "active", "Beta VMs": "active"}


def test_bulk_offboarding_can_cancel_reservations(site: Site) -> None:
    partner = site.partner()
    customer_id = _customer_with(site, partner, name="Beta", reservation=True)
    browser = site.signed_in(partner.admin.email)
    _bulk_select(browser, [customer_id])
    started = browser.post(
        "/offboarding/bulk/start", {"customer_id": [customer_id], "cancel_reservations": "on"}, follow=False
    )
    run_pending(site.engine)
    page = browser.get(started.headers["location"])
    assert "Reservations are cancelled too" in page.text
    assert _statuses(site, customer_id) == {"Beta seats": "suspended", "Beta VMs": "deleted"}


def test_another_partner_cannot_follow_the_job(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    customer_id = _customer_with(site, partner, name="Alpha")
    browser = site.signed_in(partner.admin.email)
    _bulk_select(browser, [customer_id])
    started = browser.post("/offboarding/bulk/start", {"customer_id": [customer_id]}, follow=False)
    stranger = site.signed_in(other.admin.email)
    assert stranger.get(started.headers["location"]).status_code == 404


def test_a_sales_agent_cannot_start_a_bulk_offboarding(site: Site) -> None:
    partner = site.partner()
    customer_id = _customer_with(site, partner, name="Alpha")
    browser = site.signed_in(partner.sales_agent.email)
    assert _bulk_select(browser, [customer_id]).status_code == 403
    assert _relationship(site, customer_id) == "active"

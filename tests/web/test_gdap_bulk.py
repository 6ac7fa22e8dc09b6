"""GDAP in bulk on the web: customers picked in the list, an action chosen there, a confirmation, and the job's
page with its progress and each customer's outcome (in English and Italian)."""

from __future__ import annotations

import re

from sqlalchemy import select

from partnerhub.auth.service import actor_for_email
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.roles import DIRECTORY_READERS
from partnerhub.jobs.models import Job
from partnerhub.jobs.runner import run_pending
from tests.delegated_admin.bulk_world import make_template
from tests.delegated_admin.conftest import active_gdap
from tests.factories import PartnerWorld
from tests.web.conftest import Site


def _with_gdap(site: Site, partner: PartnerWorld, name: str) -> str:
    customer_id, admin_email = site.customer(partner, name=name)
    with transaction(site.engine) as s:
        active_gdap(
            s, partner.admin, actor_for_email(s, admin_email), customer_id=customer_id, roles=[DIRECTORY_READERS]
        )
    return customer_id


def _statuses(site: Site, customer_id: str) -> list[str]:
    with read_session(site.engine) as s:
        return list(s.scalars(select(AdminRelationship.status).where(AdminRelationship.customer_id == customer_id)))


def _job_id(location: str) -> str:
    found = re.fullmatch(r"/gdap/bulk/([0-9a-f-]{36})", location)
    assert found, location
    return found.group(1)


def test_terminate_from_the_customer_list_through_the_job_page(site: Site) -> None:
    partner = site.partner()
    first, second = _with_gdap(site, partner, "Alpha Spa"), _with_gdap(site, partner, "Beta Srl")
    bare, _ = site.customer(partner, name="Gamma Bare")
    browser = site.signed_in(partner.admin_agent.email)  # an Admin agent manages GDAP

    listing = browser.get("/customers")
    assert 'formaction="/gdap/bulk"' in listing.text and '<option value="terminate">' in listing.text
    confirm = browser.post("/gdap/bulk", {"customer_id": [first, second, bare], "gdap_action": "terminate"})
    assert confirm.status_code == 200
    assert "Terminate GDAP relationships for these 3 customers?" in confirm.text
    assert "Alpha Spa" in confirm.text and "Gamma Bare" in confirm.text
    assert _statuses(site, first) == ["active"]  # the confirmation changed nothing

    started = browser.post(
        "/gdap/bulk/start", {"customer_id": [first, second, bare], "gdap_action": "terminate"}, follow=False
    )
    assert started.status_code == 303
    job_id = _job_id(started.headers["location"])
    running = browser.get(f"/gdap/bulk/{job_id}")
    assert "The GDAP job for 3 customers has started." in running.text
    assert 'data-refresh-seconds="2"' in running.text

    run_pending(site.engine)

    finished = browser.get(f"/gdap/bulk/{job_id}")
    assert "data-refresh-seconds" not in finished.text
    assert '<progress id="job-progress" class="progress" max="3" value="3">' in finished.text
    assert "Done: 2" in finished.text and "Refused: 1" in finished.text
    assert finished.text.count("Relationships ended: 1.") == 2
    assert "You have no active admin relationship with customer" in finished.text
    assert _statuses(site, first) == ["terminated"] and _statuses(site, second) == ["terminated"]

    browser.client.cookies.set("ph_lang", "it")
    italian = browser.get(f"/gdap/bulk/{job_id}")
    assert "3 di 3 clienti completati" in italian.text
    assert "Non hai relazioni di amministrazione attive con il cliente" in italian.text


def test_nothing_chosen_or_picked_goes_back_to_the_list_and_changes_nothing(site: Site) -> None:
    partner = site.partner()
    first = _with_gdap(site, partner, "Alpha Spa")
    foreign, _ = site.customer(site.partner(), name="Other Partner's")
    browser = site.signed_in(partner.admin.email)
    browser.get("/customers")
    for data, message in (
        ({"gdap_action": "terminate"}, "Select at least one customer."),
        ({"customer_id": [first], "gdap_action": ""}, "Choose what to do with the GDAP"),
        ({"customer_id": [first], "gdap_action": "explode"}, "Choose what to do with the GDAP"),
        ({"customer_id": [foreign], "gdap_action": "terminate"}, "is still in your list"),
    ):
        for path in ("/gdap/bulk", "/gdap/bulk/start"):
            page = browser.post(path, data)
            assert message in page.text, (path, data)
    with read_session(site.engine) as s:
        assert s.scalars(select(Job)).all() == []
    assert _statuses(site, first) == ["active"]


def test_who_may_not_manage_gdap_sees_no_gdap_action_and_is_refused(site: Site) -> None:
    partner = site.partner()
    first = _with_gdap(site, partner, "Alpha Spa")
    browser = site.signed_in(partner.sales_agent.email)
    assert 'formaction="/gdap/bulk"' not in browser.get("/customers").text
    refused = browser.post("/gdap/bulk/start", {"customer_id": [first], "gdap_action": "terminate"})
    assert refused.status_code == 403
    assert _statuses(site, first) == ["active"]


def test_request_from_a_template_chosen_on_the_confirmation(site: Site) -> None:
    partner = site.partner()
    first, _ = site.customer(partner, name="Alpha Spa")
    second, _ = site.customer(partner, name="Beta Srl")
    browser = site.signed_in(partner.admin.email)
    browser.get("/customers")
    picked = {"customer_id": [first, second], "gdap_action": "requestFromTemplate"}
    empty = browser.post("/gdap/bulk", picked)
    assert "You have no GDAP template yet: create one first." in empty.text
    assert " disabled class=" in empty.text
    template_id = make_template(site.engine, str(partner.admin.email))

    confirm = browser.post("/gdap/bulk", picked)
    assert "Request GDAP from a template for these 2 customers?" in confirm.text
    assert f'<option value="{template_id}">Standard MSP (2 roles, 365 days)</option>' in confirm.text
    missing = browser.post("/gdap/bulk/start", {**picked, "template_id": ""})
    assert missing.status_code == 400
    assert "Name the template to request the admin relationships from." in missing.text
    with read_session(site.engine) as s:
        assert s.scalars(select(Job)).all() == []

    started = browser.post("/gdap/bulk/start", {**picked, "template_id": template_id}, follow=False)
    job_id = _job_id(started.headers["location"])
    run_pending(site.engine)
    page = browser.get(f"/gdap/bulk/{job_id}")
    assert page.text.count("Sent for approval: Standard MSP ") == 2
    assert _statuses(site, first) == ["approvalPending"] and _statuses(site, second) == ["approvalPending"]


def test_renew_from_the_customer_list(site: Site) -> None:
    partner = site.partner()
    first = _with_gdap(site, partner, "Alpha Spa")
    browser = site.signed_in(partner.admin.email)
    browser.get("/customers")
    confirm = browser.post("/gdap/bulk", {"customer_id": [first], "gdap_action": "renew"})
    assert "Renew GDAP relationships for these 1 customers?" in confirm.text
    started = browser.post("/gdap/bulk/start", {"customer_id": [first], "gdap_action": "renew"}, follow=False)
    run_pending(site.engine)
    page = browser.get(started.headers["location"])
    assert "Renewals sent for approval:" in page.text
    assert sorted(_statuses(site, first)) == ["active", "approvalPending"]

"""GDAP in bulk over HTTP (our extension, `/v1/gdapBulkJobs`): a job queued with 202, polled to its
per-customer report; bad input refused with nothing queued; another partner's job is not found."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.auth.models import User
from partnerhub.auth.service import actor_for_user
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.roles import DIRECTORY_READERS
from partnerhub.ids import new_id
from partnerhub.jobs.runner import run_pending
from tests.api.conftest import Api, ApiPartner
from tests.delegated_admin.bulk_world import make_template
from tests.delegated_admin.conftest import active_gdap


def _with_active_gdap(api: Api, partner: ApiPartner, name: str) -> tuple[str, str]:
    """A customer of `partner` with one active GDAP relationship: (customer id, relationship id)."""
    customer_id, _ = api.customer(partner, name=name)
    with transaction(api.engine) as s:  # the customer's Global admin approves
        user = s.scalars(select(User).where(User.tenant_id == customer_id)).first()
        assert user is not None
        rel = active_gdap(
            s, partner.actors["admin"], actor_for_user(s, user), customer_id=customer_id, roles=[DIRECTORY_READERS]
        ).relationship
        return customer_id, rel.id


def test_bulk_terminate_is_a_job_polled_to_its_report(api: Api) -> None:
    partner = api.partner()
    first, first_rel = _with_active_gdap(api, partner, "Contoso One")
    bare, _ = api.customer(partner, name="Bare Srl")

    started = api.call(
        "POST",
        "/v1/gdapBulkJobs",
        partner.tokens["admin_agent"],
        json={"Action": "Terminate", "customerIds": [first, bare, first.upper()]},
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["Location"] == f"/v1/gdapBulkJobs/{job['id']}"
    assert (job["action"], job["status"], job["done"], job["total"]) == ("terminate", "queued", 0, 2)
    assert job["attributes"] == {"objectType": "GdapBulkJob"}

    assert run_pending(api.engine) == 1
    report = api.call("GET", started.headers["Location"], partner.token)
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["status"], body["done"], body["total"]) == ("succeeded", 2, 2)
    assert body["summary"] == {"succeeded": 1, "failed": 1, "pending": 0}
    by_id = {i["customerId"]: i for i in body["items"]}
    assert by_id[first]["result"] == {"customerId": first, "terminated": [first_rel]}
    assert by_id[first]["companyName"] == "Contoso One"
    assert by_id[bare]["error"]["code"] == 800290 and "nothing to end" in by_id[bare]["error"]["description"]
    with read_session(api.engine) as s:
        rel = s.get(AdminRelationship, first_rel)
        assert rel is not None and rel.status == "terminated"
    graph = api.call("GET", f"/v1/tenantRelationships/delegatedAdminRelationships/{first_rel}", partner.token)
    assert graph.json()["status"] == "terminated"


def test_bad_input_is_refused_and_queues_nothing(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    other = api.partner()
    foreign, _ = api.customer(other, name="Secret Other Customer Spa")
    for bad, code, field in (
        ({}, 900, None),
        ({"action": "terminate"}, 900, "customerIds"),
        ({"action": "terminate", "customerIds": "abc"}, 900, "customerIds"),
        ({"action": "terminate", "customerIds": ["x" * 65]}, 900, "customerIds[0]"),
        ({"action": "terminate", "customerIds": []}, 900, "customerIds"),
        ({"action": "explode", "customerIds": [customer_id]}, 800291, None),
        ({"action": "terminate", "customerIds": [customer_id, foreign]}, 900, "customerIds[1]"),
    ):
        refused = api.call("POST", "/v1/gdapBulkJobs", partner.token, json=bad)
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.json()["code"] == code, (bad, refused.text)
        if field:
            assert refused.json()["data"][0]["field"] == field
    assert "Secret Other Customer" not in refused.text
    assert (
        api.call(
            "POST",
            "/v1/gdapBulkJobs",
            partner.tokens["sales_agent"],
            json={"action": "terminate", "customerIds": [customer_id]},
        ).status_code
        == 403
    )
    assert run_pending(api.engine) == 0


def test_a_job_is_found_only_by_its_partner_and_only_as_a_gdap_job(api: Api) -> None:
    partner, stranger = api.partner(), api.partner()
    customer_id, _ = api.customer(partner)
    started = api.call(
        "POST", "/v1/gdapBulkJobs", partner.token, json={"action": "terminate", "customerIds": [customer_id]}
    ).json()
    foreign = api.call("GET", f"/v1/gdapBulkJobs/{started['id']}", stranger.token)
    assert foreign.status_code == 404 and foreign.json()["code"] == 608
    assert api.call("GET", f"/v1/gdapBulkJobs/{new_id()}", partner.token).status_code == 404
    assert api.call("GET", f"/v1/offboardings/{started['id']}", partner.token).status_code == 404
    offboarding = api.call("POST", "/v1/offboardings", partner.token, json={"customerIds": [customer_id]}).json()
    assert api.call("GET", f"/v1/gdapBulkJobs/{offboarding['id']}", partner.token).status_code == 404


def test_bulk_request_from_a_template_then_renew(api: Api) -> None:
    partner = api.partner()
    fresh, _ = api.customer(partner, name="Fresh Srl")
    active, _ = _with_active_gdap(api, partner, "Active Spa")
    template_id = make_template(api.engine, str(partner.actors["admin"].email))

    missing = api.call(
        "POST", "/v1/gdapBulkJobs", partner.token, json={"action": "requestFromTemplate", "customerIds": [fresh]}
    )
    assert (missing.status_code, missing.json()["code"]) == (400, 800292)
    unknown = api.call(
        "POST",
        "/v1/gdapBulkJobs",
        partner.token,
        json={"action": "requestFromTemplate", "customerIds": [fresh], "templateId": "Nope"},
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, 618)

    started = api.call(
        "POST",
        "/v1/gdapBulkJobs",
        partner.token,
        json={"action": "requestFromTemplate", "customerIds": [fresh], "templateId": "Standard MSP"},
    )
    assert started.status_code == 202, started.text
    assert (started.json()["templateId"], started.json()["templateName"]) == (template_id, "Standard MSP")
    run_pending(api.engine)
    [item] = api.call("GET", started.headers["Location"], partner.token).json()["items"]
    assert item["result"]["status"] == "approvalPending"
    rel_id = item["result"]["adminRelationshipId"]
    graph = api.call("GET", f"/v1/tenantRelationships/delegatedAdminRelationships/{rel_id}", partner.token).json()
    assert graph["status"] == "approvalPending"

    renewed = api.call("POST", "/v1/gdapBulkJobs", partner.token, json={"action": "renew", "customerIds": [active]})
    run_pending(api.engine)
    [item] = api.call("GET", renewed.headers["Location"], partner.token).json()["items"]
    assert item["status"] == "succeeded" and len(item["result"]["renewed"]) == 1

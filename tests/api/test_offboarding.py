"""Offboarding over HTTP (our extension): preview, execute, refusals, and the bulk job polled to its report."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.audit.models import ActivityRecord
from partnerhub.db import read_session
from partnerhub.ids import new_id
from partnerhub.jobs.runner import run_pending
from tests.api.conftest import Api, ApiPartner
from tests.factories import AZURE_RESERVATION, M365_BASIC, M365_E3


def _order(api: Api, partner: ApiPartner, customer_id: str, *offers: str) -> list[str]:
    answer = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": o, "quantity": 1} for o in offers]},
    )
    assert answer.status_code == 201, answer.text
    return [li["subscriptionId"] for li in answer.json()["lineItems"]]


def test_preview_then_offboard_then_the_customer_is_gone(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner, name="Fabrikam Srl")
    subs = _order(api, partner, customer_id, M365_BASIC, M365_E3)

    preview = api.call("GET", f"/v1/customers/{customer_id}/offboarding", partner.token)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["canOffboard"] is True and shown["companyName"] == "Fabrikam Srl"
    assert sorted(s["subscriptionId"] for s in shown["subscriptionsToSuspend"]) == sorted(subs)
    assert shown["endsDelegatedAdmin"] is True
    assert shown["attributes"] == {"objectType": "OffboardingPreview"}
    # the preview changed nothing
    listed = api.call("GET", f"/v1/customers/{customer_id}/subscriptions", partner.token).json()["items"]
    assert {s["status"] for s in listed} == {"active"}

    done = api.call(
        "POST", f"/v1/customers/{customer_id}/offboarding", partner.token, headers={"MS-CorrelationId": "offboard-1"}
    )
    assert done.status_code == 200, done.text
    result = done.json()
    assert sorted(result["suspended"]) == sorted(subs) and result["relationshipToPartner"] == "none"
    assert result["attributes"] == {"objectType": "OffboardingResult"}

    assert api.call("GET", f"/v1/customers/{customer_id}", partner.token).status_code == 404
    assert customer_id not in [c["id"] for c in api.call("GET", "/v1/customers", partner.token).json()["items"]]
    assert api.call("GET", f"/v1/customers/{customer_id}/offboarding", partner.token).status_code == 404
    with read_session(api.engine) as session:
        offboard = session.scalars(
            select(ActivityRecord).where(ActivityRecord.operation_type == "offboard_customer")
        ).one()
    assert offboard.correlation_id == "offboard-1" and offboard.customer_id == customer_id


def test_reservations_block_offboarding_unless_cancelled(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    [reservation] = _order(api, partner, customer_id, AZURE_RESERVATION)

    preview = api.call("GET", f"/v1/customers/{customer_id}/offboarding", partner.token).json()
    assert preview["canOffboard"] is False
    assert [s["subscriptionId"] for s in preview["blockingReservations"]] == [reservation]
    with_cancel = api.call(
        "GET", f"/v1/customers/{customer_id}/offboarding?CancelReservations=TRUE", partner.token
    ).json()
    assert with_cancel["canOffboard"] is True
    assert [s["subscriptionId"] for s in with_cancel["reservationsToCancel"]] == [reservation]

    refused = api.call("POST", f"/v1/customers/{customer_id}/offboarding", partner.token, json={})
    assert refused.status_code == 400, refused.text
    assert refused.json()["data"][0]["subscriptionId"] == reservation
    assert api.call("GET", f"/v1/customers/{customer_id}", partner.token).status_code == 200  # nothing changed

    done = api.call(
        "POST", f"/v1/customers/{customer_id}/offboarding", partner.token, json={"CancelReservations": True}
    )
    assert done.status_code == 200, done.text
    assert done.json()["cancelled"] == [reservation]


def test_offboarding_input_roles_and_unknown_customers(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    path = f"/v1/customers/{customer_id}/offboarding"
    bad_flag = api.call("GET", f"{path}?cancelReservations=maybe", partner.token)
    assert bad_flag.status_code == 400 and "cancelReservations" in bad_flag.json()["description"]
    bad_body = api.call("POST", path, partner.token, json={"cancelReservations": "perhaps"})
    assert bad_body.status_code == 400 and bad_body.json()["data"][0]["field"] == "cancelReservations"
    assert api.call("POST", path, partner.token, content="[1, 2]").status_code == 400
    sales = api.call("POST", path, partner.tokens["sales_agent"])
    assert sales.status_code == 403 and sales.json()["code"] == 800102
    assert api.call("POST", path, customer_token).status_code == 403
    missing = api.call("POST", f"/v1/customers/{new_id()}/offboarding", partner.token)
    assert missing.status_code == 404 and missing.json()["code"] == 600
    assert api.call("GET", f"/v1/customers/{new_id()}/offboarding", partner.token).status_code == 404
    assert api.call("GET", path).status_code == 401


def test_a_retried_offboarding_answers_the_first_result(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    _order(api, partner, customer_id, M365_BASIC)
    headers = {"MS-RequestId": "offboard-once"}
    first = api.call("POST", f"/v1/customers/{customer_id}/offboarding", partner.token, json={}, headers=headers)
    again = api.call("POST", f"/v1/customers/{customer_id}/offboarding", partner.token, json={}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    other = api.call(
        "POST",
        f"/v1/customers/{customer_id}/offboarding",
        partner.token,
        json={"cancelReservations": True},
        headers=headers,
    )
    assert other.status_code == 409 and other.json()["code"] == 800400


def test_bulk_offboarding_is_a_job_whose_report_can_be_polled(api: Api) -> None:
    partner = api.partner()
    first, _ = api.customer(partner, name="Contoso One")
    second, _ = api.customer(partner, name="Contoso Two")
    blocked, _ = api.customer(partner, name="Contoso Reserved")
    kept, _ = api.customer(partner, name="Other Ltd")
    _order(api, partner, first, M365_BASIC)
    _order(api, partner, blocked, AZURE_RESERVATION)

    started = api.call(
        "POST", "/v1/offboardings", partner.token, json={"searchPrefix": "Contoso"}, headers={"MS-RequestId": "bulk-1"}
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["Location"] == f"/v1/offboardings/{job['id']}"
    assert (job["status"], job["done"], job["total"]) == ("queued", 0, 3)
    replay = api.call(
        "POST", "/v1/offboardings", partner.token, json={"searchPrefix": "Contoso"}, headers={"MS-RequestId": "bulk-1"}
    )
    assert replay.status_code == 202 and replay.json()["id"] == job["id"]

    queued = api.call("GET", f"/v1/offboardings/{job['id']}", partner.token).json()
    assert queued["status"] == "queued" and {i["status"] for i in queued["items"]} == {"pending"}

    assert run_pending(api.engine) == 1
    report = api.call("GET", started.headers["Location"], partner.token)
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["status"], body["done"], body["total"]) == ("succeeded", 3, 3)
    assert body["summary"] == {"succeeded": 2, "failed": 1, "pending": 0}
    by_id = {i["customerId"]: i for i in body["items"]}
    assert by_id[first]["status"] == "succeeded" and by_id[first]["companyName"] == "Contoso One"
    assert by_id[second]["result"]["relationshipToPartner"] == "none"
    assert by_id[blocked]["status"] == "failed" and by_id[blocked]["error"]["code"] == 800160
    assert kept not in by_id

    customers = [c["id"] for c in api.call("GET", "/v1/customers", partner.token).json()["items"]]
    assert sorted(customers) == sorted([blocked, kept])


def test_bulk_offboarding_by_ids_and_its_refusals(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    started = api.call(
        "POST", "/v1/offboardings", partner.token, json={"customerIds": [customer_id, customer_id.upper()]}
    )
    assert started.status_code == 202 and started.json()["total"] == 1
    run_pending(api.engine)
    assert api.call("GET", f"/v1/customers/{customer_id}", partner.token).status_code == 404

    for bad, field in (
        ({}, None),
        ({"customerIds": "abc"}, "customerIds"),
        ({"customerIds": [1]}, "customerIds"),
        ({"customerIds": ["x" * 65]}, "customerIds[0]"),
        ({"customerIds": []}, None),
        ({"searchPrefix": 3}, "searchPrefix"),
    ):
        refused = api.call("POST", "/v1/offboardings", partner.token, json=bad)
        assert refused.status_code == 400, (bad, refused.text)
        if field:
            assert refused.json()["data"][0]["field"] == field
    assert (
        api.call(
            "POST", "/v1/offboardings", partner.tokens["sales_agent"], json={"customerIds": [customer_id]}
        ).status_code
        == 403
    )
    assert api.call("GET", f"/v1/offboardings/{new_id()}", partner.token).status_code == 404
    stranger = api.partner()
    job_id = started.json()["id"]
    foreign = api.call("GET", f"/v1/offboardings/{job_id}", stranger.token)
    assert foreign.status_code == 404 and foreign.json()["code"] == 608


def test_bulk_offboarding_refuses_ids_that_are_not_the_partners_customers_up_front_and_names_nobody(api: Api) -> None:
    partner, other = api.partner(), api.partner()
    own, _ = api.customer(partner, name="Own Customer Srl")
    foreign, _ = api.customer(other, name="Secret Other Customer Spa")

    refused = api.call(
        "POST",
        "/v1/offboardings",
        partner.token,
        json={"customerIds": [own, foreign, "00000000-0000-0000-0000-000000000000"]},
    )

    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["code"] == 900
    assert [d["field"] for d in body["data"]] == ["customerIds[1]", "customerIds[2]"]
    assert {d["message"] for d in body["data"]} == {"is not one of your customers"}  # the same for both
    assert "Secret Other Customer" not in refused.text
    assert run_pending(api.engine) == 0  # no job was queued
    assert api.call("GET", f"/v1/customers/{own}", partner.token).status_code == 200

"""The API conventions: paging with signed continuation tokens, idempotent writes, etags, throttling,
languages, validation (400 naming the field, never 422), size limits, ids in headers, the generic 500."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from partnerhub.audit.models import ActivityRecord
from partnerhub.db import read_session
from partnerhub.http.api.body import Body, parse_json, strip_trailing_commas
from tests.api.conftest import Api
from tests.factories import M365_BASIC

CUSTOMER = {
    "CompanyProfile": {"Domain": "wingtip.example", "CompanyName": "Wingtip Toys"},
    "BillingProfile": {
        "Email": "gena@wingtip.example",
        "Culture": "EN-US",
        "Language": "En",
        "DefaultAddress": {"Country": "US", "City": "Redmond", "AddressLine1": "One Way"},
    },
}


def test_customer_pages_follow_links_next_and_a_tampered_token_is_400(api: Api) -> None:
    partner = api.partner()
    for i in range(5):
        api.customer(partner, name=f"Contoso {i}")
    api.customer(partner, name="Other")
    seen: list[str] = []
    query = {"size": "2", "filter": json.dumps({"Field": "DisplayName", "Value": "cont", "Operator": "StartsWith"})}
    page = api.call("GET", "/v1/customers", partner.token, params=query).json()
    pages = 1
    while True:
        assert page["totalCount"] == len(page["items"]) and page["attributes"] == {"objectType": "Collection"}
        seen += [c["companyProfile"]["companyName"] for c in page["items"]]
        nxt = page["links"].get("next")
        if nxt is None:
            break
        assert nxt["method"] == "GET" and nxt["uri"].startswith("/v1/customers?") and "seekOperation=Next" in nxt["uri"]
        header = nxt["headers"][0]
        assert header["key"] == "MS-ContinuationToken"
        page = api.call(
            "GET",
            nxt["uri"].replace("seekOperation=Next", "seekoperation=next"),
            partner.token,
            headers={header["key"]: header["value"]},
        ).json()
        pages += 1
    assert seen == [f"Contoso {i}" for i in range(5)] and pages == 3

    first = api.call("GET", "/v1/customers", partner.token, params={"size": "1"}).json()
    token = first["links"]["next"]["headers"][0]["value"]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "garbage", "x." + token.split(".")[1]):
        tampered = api.call(
            "GET", "/v1/customers?size=1&seekOperation=Next", partner.token, headers={"MS-ContinuationToken": bad}
        )
        assert tampered.status_code == 400 and tampered.json()["code"] == 900
    other_listing = api.call(
        "GET", "/v1/auditrecords?seekOperation=Next", partner.token, headers={"MS-ContinuationToken": token}
    )
    assert other_listing.status_code == 400


def test_page_sizes(api: Api) -> None:
    partner = api.partner()
    api.customer(partner)
    assert api.call("GET", "/v1/customers?size=0", partner.token).json()["totalCount"] == 1
    for bad in ("501", "-1", "many"):
        answer = api.call("GET", f"/v1/customers?size={bad}", partner.token)
        assert answer.status_code == 400 and "size" in answer.json()["description"]


def test_a_retried_write_returns_the_first_answer_and_changes_nothing_twice(api: Api) -> None:
    partner = api.partner()
    headers = {"MS-RequestId": "retry-1"}
    first = api.call("POST", "/v1/customers", partner.token, json=CUSTOMER, headers=headers)
    assert first.status_code == 201
    password = first.json()["userCredentials"]["password"]
    again = api.call("POST", "/v1/customers", partner.token, json=CUSTOMER, headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["userCredentials"]["password"] != password and password not in again.text
    with read_session(api.engine) as session:
        added = session.scalar(
            select(func.count()).select_from(ActivityRecord).where(ActivityRecord.operation_type == "add_customer")
        )
    assert added == 1
    different = api.call(
        "POST",
        "/v1/customers",
        partner.token,
        headers=headers,
        json={**CUSTOMER, "CompanyProfile": {"Domain": "other.example", "CompanyName": "Other"}},
    )
    assert different.status_code == 409 and different.json()["code"] == 800400
    # Another user may use the same request id for its own request.
    assert (
        api.call(
            "POST",
            "/v1/customers",
            partner.tokens["sales_agent"],
            headers=headers,
            json={**CUSTOMER, "CompanyProfile": {"Domain": "third.example", "CompanyName": "Third"}},
        ).status_code
        == 201
    )


def test_a_refusal_is_replayed_too(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
    )
    headers = {"MS-RequestId": "remove-1"}
    refused = api.call(
        "PATCH", f"/v1/customers/{customer_id}", partner.token, json={"relationshipToPartner": "none"}, headers=headers
    )
    assert refused.status_code == 400
    replayed = api.call(
        "PATCH", f"/v1/customers/{customer_id}", partner.token, json={"relationshipToPartner": "none"}, headers=headers
    )
    assert (replayed.status_code, replayed.json()) == (400, refused.json())


def test_a_stale_etag_is_refused_with_2055(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
    ).json()
    path = f"/v1/customers/{customer_id}/subscriptions/{order['lineItems'][0]['subscriptionId']}"
    old = api.call("GET", path, partner.token).json()["attributes"]["etag"]
    assert (
        api.call(
            "PATCH", path, partner.token, json={"friendlyName": "Renamed"}, headers={"If-Match": f'W/"{old}"'}
        ).status_code
        == 200
    )
    stale = api.call("PATCH", path, partner.token, json={"quantity": 3}, headers={"If-Match": old})
    assert stale.status_code == 400 and stale.json()["code"] == 2055
    in_body = api.call("PATCH", path, partner.token, json={"quantity": 3, "attributes": {"etag": old}})
    assert in_body.status_code == 400 and in_body.json()["code"] == 2055
    assert api.call("PATCH", path, partner.token, json={"quantity": 3}).json()["quantity"] == 3

    billing = f"/v1/customers/{customer_id}/profiles/billing"
    profile = api.call("GET", billing, partner.token).json()
    changed = api.call("PUT", billing, partner.token, json={**profile, "firstName": "Maria"})
    assert changed.status_code == 200 and changed.json()["firstName"] == "Maria"
    again = api.call("PUT", billing, partner.token, json={**profile, "firstName": "Lucia"})
    assert again.status_code == 400 and again.json()["code"] == 2055


def test_a_tenant_over_its_limit_gets_429_with_retry_after(make_api: Callable[..., Api]) -> None:
    api = make_api(rate_limit_per_minute=3)
    partner, other = api.partner(), api.partner()
    for _ in range(3):
        assert api.call("GET", "/v1/offers", partner.token).status_code == 200
    throttled = api.call("GET", "/v1/offers", partner.tokens["sales_agent"])
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert throttled.json() == {"statusCode": 429, "message": throttled.json()["message"]}
    assert "Try again in" in throttled.json()["message"]
    assert api.call("GET", "/v1/offers", other.token).status_code == 200


def test_messages_speak_the_requested_language(api: Api) -> None:
    partner = api.partner()
    missing = "/v1/customers/00000000-0000-0000-0000-000000000000"
    assert (
        "non è stato trovato"
        in api.call("GET", missing, partner.token, headers={"X-Locale": "it-IT"}).json()["description"]
    )
    assert (
        "non è stato trovato"
        in api.call("GET", missing, partner.token, headers={"Accept-Language": "it-IT,it;q=0.9"}).json()["description"]
    )
    assert (
        "was not found"
        in api.call("GET", missing, partner.token, headers={"X-Locale": "en-US", "Accept-Language": "it"}).json()[
            "description"
        ]
    )
    unauthenticated = api.client.get("/v1/customers", headers={"X-Locale": "it-IT"})
    assert unauthenticated.status_code == 401 and "Accesso" in unauthenticated.json()["description"]


def test_bad_input_is_400_naming_the_field_never_422(api: Api) -> None:
    partner = api.partner()
    cases = [
        ("{", "JSON"),
        ('{"CompanyProfile": {}}', "companyProfile.domain"),
        ('{"CompanyProfile": "x"}', "companyProfile"),
        (
            json.dumps({**CUSTOMER, "BillingProfile": {"DefaultAddress": {"Country": "Italy"}}}),
            "billingProfile.defaultAddress.country",
        ),
        (json.dumps({**CUSTOMER, "BillingProfile": {"FirstName": "x" * 51}}), "billingProfile.firstName"),
        ("[]", "object"),
        ("", "body"),
    ]
    for content, field in cases:
        answer = api.call("POST", "/v1/customers", partner.token, content=content)
        assert answer.status_code == 400, (content, answer.text)
        assert answer.json()["code"] == 900 and field in answer.json()["description"], answer.text
    customer_id, _ = api.customer(partner)
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": "lots"}]},
    )
    assert order.status_code == 400 and "lineItems[0].quantity" in order.json()["description"]
    status = api.call("PATCH", f"/v1/customers/{customer_id}/subscriptions/x", partner.token, json={"status": "paused"})
    assert status.status_code == 400 and "status" in status.json()["description"]


def test_oversized_bodies_get_413(make_api: Callable[..., Api]) -> None:
    api = make_api(max_request_bytes=1000)
    partner = api.partner()
    big = json.dumps({**CUSTOMER, "padding": "x" * 2000})
    answer = api.call("POST", "/v1/customers", partner.token, content=big)
    assert answer.status_code == 413 and answer.json()["code"] == 800401

    def chunks() -> object:
        yield big.encode()

    streamed = api.client.post(
        "/v1/customers",
        content=chunks(),  # type: ignore[arg-type]
        headers={"Authorization": f"Bearer {partner.token}"},
    )
    assert streamed.status_code == 413


def test_correlation_and_request_ids_are_echoed_or_made(api: Api) -> None:
    echoed = api.client.get("/v1/customers", headers={"MS-CorrelationId": "corr-1", "MS-RequestId": "req-1"})
    assert echoed.headers["MS-CorrelationId"] == "corr-1" and echoed.headers["MS-RequestId"] == "req-1"
    made = api.client.get("/healthz")
    assert len(made.headers["MS-CorrelationId"]) == 36 and len(made.headers["MS-RequestId"]) == 36


def test_an_unexpected_failure_is_a_generic_500_without_details(api: Api) -> None:
    def explode() -> None:
        raise RuntimeError("secret internals at /srv/partnerhub")

    api.client.app.add_api_route("/v1/explode", explode)  # type: ignore[attr-defined]
    answer = api.client.get("/v1/explode", headers={"MS-CorrelationId": "corr-500"})
    assert answer.status_code == 500
    assert answer.json()["code"] == 800402 and "corr-500" in answer.json()["description"]
    assert "secret" not in answer.text and "Traceback" not in answer.text
    assert answer.headers["MS-CorrelationId"] == "corr-500"


def test_the_openapi_document_lists_the_api() -> None:
    from partnerhub.http.app import create_app
    from partnerhub.runtime import Runtime
    from partnerhub.settings import Settings

    paths = create_app(Runtime(Settings(secret_key="k")), start_worker=False).openapi()["paths"]
    assert {
        "/v1/customers",
        "/v1/customers/{customer_id}",
        "/v1/customers/relationshiprequests",
        "/v1/relationshiprequests/{code}/accept",
        "/v1/auditrecords",
        "/v1/offers",
    } <= set(paths)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1,}', {"a": 1}),
        ('{"a": [1, 2, ], }', {"a": [1, 2]}),
        ('{"a": "x,}", "b": "\\",]",}', {"a": "x,}", "b": '",]'}),
        ('{"a": {"b": 1,\n\t},\r\n}', {"a": {"b": 1}}),
    ],
)
def test_trailing_commas_are_tolerated_outside_strings(text: str, expected: object) -> None:
    assert json.loads(strip_trailing_commas(text)) == expected
    assert parse_json(text.encode()) == expected


def test_property_names_and_enums_match_in_any_case() -> None:
    body = Body({"Status": "SUSPENDED", "BillingProfile": {"DefaultAddress": {"COUNTRY": "it"}}})
    assert body.choice("status", ("active", "suspended")) == "suspended"
    address = body.obj("billingProfile")
    assert address is not None
    inner = address.obj("defaultAddress")
    assert inner is not None and inner.text("country") == "it"

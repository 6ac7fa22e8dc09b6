"""Hostile input found by the property-based run (tests/api/test_fuzz.py), pinned down one case each: the
answer is a 4xx with the error body on both databases, never a 500."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Api, ApiPartner


@pytest.fixture
def partner(api: Api) -> ApiPartner:
    return api.partner()


def _assert_bad_request(response_status: int, body: dict[str, object]) -> None:
    assert response_status == 400, body
    assert body["code"] == 900 and {"code", "description", "data", "source"} <= body.keys()


def test_a_nul_character_in_the_path_is_bad_input(api: Api, partner: ApiPartner) -> None:
    # PostgreSQL refuses NUL in text: this was a 500 on PostgreSQL and a 404 on SQLite
    response = api.call("GET", "/v1/customers/%00/profiles/company", partner.token)
    _assert_bad_request(response.status_code, response.json())


def test_a_nul_character_in_the_query_is_bad_input(api: Api, partner: ApiPartner) -> None:
    response = api.call("GET", "/v1/relationshiprequests", partner.token, params={"status": "sent\x00"})
    _assert_bad_request(response.status_code, response.json())


def test_a_nul_character_in_a_body_string_is_bad_input_naming_the_field(api: Api, partner: ApiPartner) -> None:
    customer_id, _ = api.customer(partner)
    response = api.call(
        "PATCH", f"/v1/customers/{customer_id}/profiles/billing", partner.token, json={"firstName": "Ada\u0000"}
    )
    assert response.status_code in (400, 405)
    response = api.call(
        "PUT",
        f"/v1/customers/{customer_id}/profiles/billing",
        partner.token,
        json={"firstName": "Ada\u0000", "email": "ada@example.com"},
    )
    body = response.json()
    _assert_bad_request(response.status_code, body)
    assert body["data"] == [{"field": "firstName", "message": "must not contain NUL characters"}]


def test_a_nul_character_inside_a_filter_is_bad_input(api: Api, partner: ApiPartner) -> None:
    search = json.dumps({"Field": "CompanyName", "Value": "Fab\u0000", "Operator": "starts_with"})
    response = api.call("GET", "/v1/customers", partner.token, params={"filter": search})
    _assert_bad_request(response.status_code, response.json())


# --- the security review's findings (issue 12) -----------------------------------------------------------


def test_f7_an_audit_filter_nested_deeper_than_allowed_is_refused_without_walking_it(
    api: Api, partner: ApiPartner
) -> None:
    condition: dict[str, object] = {"Field": "OperationType", "Value": "create_order", "Operator": "equals"}
    for _ in range(450):
        condition = {"Operator": "and", "Value": [condition]}
    response = api.call("GET", "/v1/auditrecords", partner.token, params={"filter": json.dumps(condition)})
    body = response.json()
    _assert_bad_request(response.status_code, body)
    assert "filter" in str(body["description"]) and "deep" in str(body["description"])


def test_f7_an_audit_filter_with_too_many_conditions_is_refused(api: Api, partner: ApiPartner) -> None:
    many = [{"Field": "OperationType", "Value": f"op{i}", "Operator": "equals"} for i in range(200)]
    response = api.call(
        "GET", "/v1/auditrecords", partner.token, params={"filter": json.dumps({"Operator": "and", "Value": many})}
    )
    body = response.json()
    _assert_bad_request(response.status_code, body)
    assert "conditions" in str(body["description"])


def test_f7_a_combined_audit_filter_within_the_bounds_still_works(api: Api, partner: ApiPartner) -> None:
    customer_id, _ = api.customer(partner)
    both = {
        "Operator": "and",
        "Value": [
            {"Field": "CustomerId", "Value": customer_id, "Operator": "equals"},
            {"Operator": "and", "Value": [{"Field": "OperationType", "Value": "add_customer", "Operator": "equals"}]},
        ],
    }
    response = api.call("GET", "/v1/auditrecords", partner.token, params={"filter": json.dumps(both)})
    assert response.status_code == 200, response.text
    assert [r["operationType"] for r in response.json()["items"]] == ["add_customer"]


def test_f8_a_lone_surrogate_in_a_json_string_is_bad_input_naming_the_field(api: Api, partner: ApiPartner) -> None:
    raw = '{"companyProfile": {"domain": "surrogate.example", "companyName": "Bad \\ud800 name"}}'
    response = api.call("POST", "/v1/customers", partner.token, content=raw, headers={"MS-RequestId": "f8-1"})
    body = response.json()
    _assert_bad_request(response.status_code, body)
    assert body["data"] == [{"field": "companyProfile.companyName", "message": "is not valid Unicode text"}]


def test_f8_json_nested_a_thousand_deep_is_bad_input(api: Api, partner: ApiPartner) -> None:
    raw = '{"companyProfile": ' + "[" * 1000 + "]" * 1000 + "}"
    for headers in ({}, {"MS-RequestId": "f8-deep"}):  # with an idempotency key the body is fingerprinted too
        response = api.call("POST", "/v1/customers", partner.token, content=raw, headers=headers)
        body = response.json()
        _assert_bad_request(response.status_code, body)
        assert "deep" in str(body["description"])


def test_f8_a_customer_users_display_name_longer_than_its_column_is_bad_input(api: Api, partner: ApiPartner) -> None:
    customer_id, _ = api.customer(partner)
    domain = api.call("GET", f"/v1/customers/{customer_id}", partner.token).json()["companyProfile"]["domain"]
    response = api.call(
        "POST",
        f"/v1/customers/{customer_id}/users",
        partner.token,
        json={"userPrincipalName": f"long.name@{domain}", "displayName": "N" * 230},
    )
    body = response.json()
    _assert_bad_request(response.status_code, body)
    assert body["data"] == [{"field": "displayName", "message": "is at most 200 characters long"}]


def test_a_line_break_inside_an_e_mail_address_is_bad_input(api: Api, partner: ApiPartner) -> None:
    response = api.call(
        "POST",
        "/v1/customers",
        partner.token,
        json={
            "companyProfile": {"domain": "crlf.example", "companyName": "CRLF Srl"},
            "billingProfile": {"email": "ada@crlf.example\r\nBcc: all@elsewhere.example"},
        },
    )
    body = response.json()
    _assert_bad_request(response.status_code, body)
    assert body["data"] == [{"field": "email", "message": "is not an e-mail address"}]

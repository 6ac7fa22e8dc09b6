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
    response = api.call("PATCH", f"/v1/customers/{customer_id}/profiles/billing", partner.token,
                        json={"firstName": "Ada\u0000"})
    assert response.status_code in (400, 405)
    response = api.call("PUT", f"/v1/customers/{customer_id}/profiles/billing", partner.token,
                        json={"firstName": "Ada\u0000", "email": "ada@example.com"})
    body = response.json()
    _assert_bad_request(response.status_code, body)
    assert body["data"] == [{"field": "firstName", "message": "must not contain NUL characters"}]


def test_a_nul_character_inside_a_filter_is_bad_input(api: Api, partner: ApiPartner) -> None:
    search = json.dumps({"Field": "CompanyName", "Value": "Fab\u0000", "Operator": "starts_with"})
    response = api.call("GET", "/v1/customers", partner.token, params={"filter": search})
    _assert_bad_request(response.status_code, response.json())

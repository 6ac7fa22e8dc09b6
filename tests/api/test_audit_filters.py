"""`GET /v1/auditrecords` as Partner Center's AuditService (issue 15 §6): the fields CustomerId,
CustomerName, ResourceType and OperationType; the operators equals, substring and starts_with; the
swagger's `auditRequest.*` query parameters; paging with startDate/endDate and the continuation token."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import Api, ApiPartner


def _records(api: Api, partner: ApiPartner, **params: Any) -> list[dict[str, Any]]:
    response = api.call("GET", "/v1/auditrecords", partner.token, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _filter(field: str, value: str, operator: str) -> str:
    return json.dumps({"Field": field, "Value": value, "Operator": operator})


def _world(api: Api) -> tuple[ApiPartner, str, str]:
    partner = api.partner()
    fabrikam, _ = api.customer(partner, name="Fabrikam Srl")
    northwind, _ = api.customer(partner, name="Northwind Traders")
    return partner, fabrikam, northwind


def test_customer_name_by_substring_and_starts_with_ignoring_case(api: Api) -> None:
    partner, fabrikam, northwind = _world(api)

    by_substring = _records(api, partner, filter=_filter("CustomerName", "WIND", "substring"))
    assert by_substring and {r["customerId"] for r in by_substring} == {northwind}

    by_prefix = _records(api, partner, filter=_filter("customername", "fab", "StartsWith"))
    assert by_prefix and {r["customerId"] for r in by_prefix} == {fabrikam}

    assert _records(api, partner, filter=_filter("CustomerName", "abrikam", "starts_with")) == []
    assert {
        r["customerId"] for r in _records(api, partner, filter=_filter("CustomerName", "fabrikam srl", "equals"))
    } == {fabrikam}


def test_a_percent_or_underscore_in_the_value_is_matched_literally(api: Api) -> None:
    partner, _fabrikam, _northwind = _world(api)

    assert _records(api, partner, filter=_filter("CustomerName", "%", "substring")) == []
    assert _records(api, partner, filter=_filter("CustomerName", "_", "starts_with")) == []


def test_operation_and_resource_type_by_starts_with_combined_with_and(api: Api) -> None:
    partner, fabrikam, _northwind = _world(api)

    both = {
        "Operator": "and",
        "Value": [
            {"Field": "OperationType", "Value": "add_", "Operator": "starts_with"},
            {"Field": "ResourceType", "Value": "custom", "Operator": "substring"},
            {"Field": "CustomerId", "Value": fabrikam.upper(), "Operator": "equals"},
        ],
    }
    found = _records(api, partner, filter=json.dumps(both))

    assert [(r["operationType"], r["customerId"]) for r in found] == [("add_customer", fabrikam)]


def test_the_swaggers_query_parameters_are_accepted(api: Api) -> None:
    partner, _fabrikam, northwind = _world(api)

    found = _records(
        api,
        partner,
        **{
            "auditRequest.filter.field": "CustomerName",
            "auditRequest.filter.value": "north",
            "auditRequest.filter.operator": "starts_with",
            "auditRequest.startDate": "2000-01-01T00:00:00Z",
        },
    )

    assert found and {r["customerId"] for r in found} == {northwind}


def test_unknown_fields_and_operators_are_400_naming_the_choices(api: Api) -> None:
    partner, _f, _n = _world(api)

    field = api.call("GET", "/v1/auditrecords", partner.token, params={"filter": _filter("UserName", "x", "equals")})
    operator = api.call(
        "GET", "/v1/auditrecords", partner.token, params={"filter": _filter("CustomerName", "x", "greater_than")}
    )

    assert field.status_code == 400 and "CustomerName" in field.json()["description"]
    assert operator.status_code == 400 and "substring" in operator.json()["description"]


def test_pages_follow_the_continuation_token_within_the_date_range(api: Api) -> None:
    partner, _f, _n = _world(api)
    everything = _records(api, partner, startDate="2000-01-01", endDate="2100-01-01")
    assert len(everything) >= 2

    seen: list[str] = []
    headers: dict[str, str] = {}
    for _ in range(len(everything) + 1):
        page = api.call(
            "GET",
            "/v1/auditrecords",
            partner.token,
            headers=headers,
            params={"startDate": "2000-01-01", "endDate": "2100-01-01", "size": "1"},
        )
        assert page.status_code == 200, page.text
        seen.extend(r["id"] for r in page.json()["items"])
        nxt = page.json()["links"].get("next")
        if not nxt:
            break
        headers = {h["key"]: h["value"] for h in nxt["headers"]}
        assert "MS-ContinuationToken" in headers

    assert seen == [r["id"] for r in everything]
    assert _records(api, partner, startDate="2000-01-01", endDate="2000-01-02") == []

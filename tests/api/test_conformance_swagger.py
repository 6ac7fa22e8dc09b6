"""Conformance to Partner Center's swagger: wherever partnerhub serves an operation at the same path as
Partner Center's swagger files, its success answer validates against the swagger's response schema
(translated to JSON Schema with the documented corrections of tests/api/swagger.py), on both databases.

What the swagger files define and partnerhub serves: customers (list, create, get), the company profile, the
billing profile (get, replace), the partner's relationship request link, partner relationships (both lists)
and audit records. They define no subscription or order paths, and PATCH /customers/{id} has no
response schema, so those have nothing to validate against here (tests/api/test_contract.py covers their
shapes from the REST reference's examples)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from httpx2 import Response

from partnerhub.http.app import create_app
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from tests.api import swagger
from tests.api.conftest import Api, ApiPartner
from tests.api.test_relationships import customer_for_reseller, partnered
from tests.factories import M365_BASIC

NEW_CUSTOMER = {
    "companyProfile": {"domain": "conformant.example", "companyName": "Conformant Srl"},
    "billingProfile": {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@conformant.example",
        "culture": "it-IT",
        "language": "it",
        "companyName": "Conformant Srl",
        "defaultAddress": {
            "country": "IT",
            "city": "Milano",
            "addressLine1": "Via Roma 1",
            "postalCode": "20100",
            "phoneNumber": "+39 02 1234567",
        },
    },
}


@dataclass
class Scene:
    """Partner A with a customer that bought something, so every list and log has items."""

    api: Api
    partner: ApiPartner
    customer_id: str


Call = Callable[[Scene], Response]


def _put_billing(s: Scene) -> Response:
    current = s.api.call("GET", f"/v1/customers/{s.customer_id}/profiles/billing", s.partner.token).json()
    current["firstName"] = "Grace"
    return s.api.call("PUT", f"/v1/customers/{s.customer_id}/profiles/billing", s.partner.token, json=current)


def _as_provider(s: Scene, path: str, *, for_customer: bool = True) -> Response:
    """Partner relationships exist in the indirect model only: an indirect provider with a reseller."""
    world = partnered(s.api)
    customer_id, _ = customer_for_reseller(s.api, world)
    params = None if for_customer else {"relationship_type": "IsIndirectCloudSolutionProviderOf"}
    return s.api.call("GET", path.format(id=customer_id), world.provider.token, params=params)


def _get(path: str, **params: str) -> Call:
    return lambda s: s.api.call("GET", path.format(id=s.customer_id), s.partner.token, params=params or None)


# How to get a success answer from each operation both sides serve; keyed like swagger.operations().
CALLS: dict[tuple[str, str], Call] = {
    ("GET", "/v1/customers"): _get("/v1/customers"),
    ("POST", "/v1/customers"): lambda s: s.api.call(
        "POST",
        "/v1/customers",
        s.partner.token,
        json={**NEW_CUSTOMER, "companyProfile": {"domain": "second.example", "companyName": "Second"}},
    ),
    ("GET", "/v1/customers/{}"): _get("/v1/customers/{id}"),
    ("GET", "/v1/customers/{}/profiles/company"): _get("/v1/customers/{id}/profiles/company"),
    ("GET", "/v1/customers/{}/profiles/billing"): _get("/v1/customers/{id}/profiles/billing"),
    ("PUT", "/v1/customers/{}/profiles/billing"): _put_billing,
    ("GET", "/v1/customers/relationshiprequests"): _get("/v1/customers/relationshiprequests"),
    ("GET", "/v1/auditrecords"): _get("/v1/auditrecords"),
    ("GET", "/v1/auditrecords/{}"): lambda s: s.api.call(
        "GET",
        "/v1/auditrecords/" + s.api.call("GET", "/v1/auditrecords", s.partner.token).json()["items"][0]["id"],
        s.partner.token,
    ),
    ("GET", "/v1/relationships"): lambda s: _as_provider(s, "/v1/relationships", for_customer=False),
    ("GET", "/v1/customers/{}/relationships"): lambda s: _as_provider(s, "/v1/customers/{id}/relationships"),
}
ALWAYS_SERVED = set(CALLS)


def _served() -> set[tuple[str, str]]:
    settings = Settings(database_url="sqlite://", secret_key="conformance")
    spec = create_app(Runtime(settings), start_worker=False).openapi()
    return {
        (method.upper(), swagger.normalize_path(path))
        for path, item in spec["paths"].items()
        for method in item
        if method in swagger.HTTP_METHODS
    }


SHARED = sorted(k for k, schema in swagger.operations().items() if schema and k in _served())


def test_the_shared_operations_are_found_and_each_has_a_call() -> None:
    assert set(SHARED) >= ALWAYS_SERVED, "the swagger files or our routes lost an operation"
    assert set(SHARED) <= set(CALLS), f"served at a swagger path but not validated: {set(SHARED) - set(CALLS)}"


@pytest.fixture
def scene(api: Api) -> Scene:
    partner = api.partner(name="Conformance Partner")
    created = api.call("POST", "/v1/customers", partner.token, json=NEW_CUSTOMER)
    assert created.status_code == 201, created.text
    customer_id = created.json()["id"]
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 5}]},
    )
    assert order.status_code == 201, order.text
    return Scene(api, partner, customer_id)


@pytest.mark.parametrize(("method", "path"), SHARED, ids=[f"{m} {p}" for m, p in SHARED])
def test_the_answer_validates_against_partner_centers_swagger(scene: Scene, method: str, path: str) -> None:
    response = CALLS[(method, path)](scene)
    assert 200 <= response.status_code < 300, response.text
    body: Any = response.json()
    found = swagger.problems(method, path, body)
    assert found == [], "\n".join(found)
    if isinstance(body, dict) and "items" in body:
        assert body["items"], "an empty collection would validate vacuously"


def test_the_translated_schemas_refuse_what_partner_center_would_not_send() -> None:
    customer = ("GET", "/v1/customers/{}")
    assert swagger.problems(*customer, {"id": "c1", "relationshipToPartner": "reseller"}) == []
    assert swagger.problems(*customer, {"id": 7}) != []
    assert swagger.problems(*customer, {"relationshipToPartner": "friend"}) != []
    assert swagger.problems(*customer, {"relationshipToPartner": 1}) != []
    record = {
        "partnerId": "p",
        "customerId": "c",
        "applicationId": "a",
        "resourceType": "customer",
        "operationType": "add_customer",
        "operationDate": "2024-05-01T10:00:00Z",
    }
    audit = ("GET", "/v1/auditrecords")
    assert swagger.problems(*audit, {"items": [record]}) == []
    assert swagger.problems(*audit, {"items": [{**record, "operationDate": "yesterday"}]}) != []
    assert swagger.problems(*audit, {"items": [{**record, "customerId": None}]}) != []

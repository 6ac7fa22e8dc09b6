"""The request bodies `/openapi.json` documents: every write operation has a JSON schema, and the documented
examples of the key routes are accepted by the running app (with the ids of the test's own data put in)."""

from __future__ import annotations

import copy
from typing import Any

from partnerhub.db import transaction
from tests.api.conftest import Api, ApiPartner
from tests.factories import M365_E3, buy

WRITES = ("post", "put", "patch")


def _operations(api: Api) -> dict[tuple[str, str], dict[str, Any]]:
    spec = api.client.get("/openapi.json").json()
    return {(method, path): op for path, item in spec["paths"].items() for method, op in item.items()}


def _example(api: Api, method: str, path: str) -> Any:
    body = _operations(api)[(method, path)]["requestBody"]
    return copy.deepcopy(body["content"]["application/json"]["example"])


def test_every_write_operation_documents_a_json_request_body(api: Api) -> None:
    writes = {key: op for key, op in _operations(api).items() if key[0] in WRITES}
    assert len(writes) >= 20
    for (method, path), op in writes.items():
        body = op.get("requestBody")
        assert body is not None, f"{method.upper()} {path} documents no request body"
        assert isinstance(body.get("required"), bool), f"{method.upper()} {path}"
        media = body["content"]["application/json"]
        assert media["schema"]["type"] == "object", f"{method.upper()} {path}"
        assert "example" in media, f"{method.upper()} {path} has no example"
        if media["schema"]["properties"]:
            assert "case-insensitively" in op["description"], f"{method.upper()} {path}"


def test_the_documented_schemas_name_what_the_routes_read(api: Api) -> None:
    ops = _operations(api)
    customer = ops[("post", "/v1/customers")]["requestBody"]
    schema = customer["content"]["application/json"]["schema"]
    assert customer["required"] is True and schema["required"] == ["companyProfile"]
    assert schema["properties"]["companyProfile"]["properties"]["domain"]["maxLength"] == 253
    sub = ops[("patch", "/v1/customers/{customer_id}/subscriptions/{subscription_id}")]["requestBody"]
    assert "suspended" in sub["content"]["application/json"]["schema"]["properties"]["status"]["enum"]
    assert ops[("post", "/v1/customers/{customer_id}/offboarding")]["requestBody"]["required"] is False


def _partner_with_customer(api: Api) -> tuple[ApiPartner, str]:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    return partner, customer_id


def test_the_create_customer_example_is_accepted(api: Api) -> None:
    partner = api.partner()
    body = _example(api, "post", "/v1/customers")
    response = api.call("POST", "/v1/customers", partner.token, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["companyProfile"]["domain"] == body["companyProfile"]["domain"]


def test_the_create_order_example_is_accepted(api: Api) -> None:
    partner, customer_id = _partner_with_customer(api)
    path = "/v1/customers/{customer_id}/orders"
    response = api.call("POST", path.format(customer_id=customer_id), partner.token, json=_example(api, "post", path))
    assert response.status_code == 201, response.text


def test_the_patch_subscription_example_is_accepted(api: Api) -> None:
    partner, customer_id = _partner_with_customer(api)
    with transaction(api.engine) as session:
        subscription_id = buy(session, partner.actors["admin"], customer_id, M365_E3).id
    path = "/v1/customers/{customer_id}/subscriptions/{subscription_id}"
    response = api.call(
        "PATCH",
        path.format(customer_id=customer_id, subscription_id=subscription_id),
        partner.token,
        json=_example(api, "patch", path),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "suspended"


def test_the_create_relationship_request_example_is_accepted(api: Api) -> None:
    partner, customer_id = _partner_with_customer(api)
    body = _example(api, "post", "/v1/relationshiprequests")
    body["customerId"] = customer_id
    response = api.call("POST", "/v1/relationshiprequests", partner.token, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["customerId"] == customer_id


def test_the_gdap_create_example_is_accepted(api: Api) -> None:
    partner, customer_id = _partner_with_customer(api)
    path = "/v1/tenantRelationships/delegatedAdminRelationships"
    body = _example(api, "post", path)
    body["customer"]["tenantId"] = customer_id
    response = api.call("POST", path, partner.token, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "created"

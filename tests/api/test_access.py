"""Who may call: 401 for missing, malformed, unknown, expired or revoked tokens; another tenant's ids
answer exactly like missing ones (404) on every route, for every role; after a removal, 404 except
orders (403, 20002)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from partnerhub.auth.models import ApiToken
from partnerhub.auth.service import revoke_token
from partnerhub.clock import utc_now
from partnerhub.db import transaction
from partnerhub.ids import new_id
from tests.api.conftest import Api, ApiPartner
from tests.factories import M365_BASIC, M365_E3, TEAMS_PHONE_ADDON

ROUTES = [
    ("GET", "/v1/customers/{cid}"),
    ("PATCH", "/v1/customers/{cid}"),
    ("GET", "/v1/customers/{cid}/profiles/billing"),
    ("PUT", "/v1/customers/{cid}/profiles/billing"),
    ("GET", "/v1/customers/{cid}/profiles/company"),
    ("GET", "/v1/customers/{cid}/subscriptions"),
    ("GET", "/v1/customers/{cid}/subscriptions/{sid}"),
    ("PATCH", "/v1/customers/{cid}/subscriptions/{sid}"),
    ("GET", "/v1/customers/{cid}/subscriptions/{sid}/addons"),
    ("GET", "/v1/customers/{cid}/orders"),
    ("POST", "/v1/customers/{cid}/orders"),
    ("GET", "/v1/customers/{cid}/orders/{oid}"),
]
BODIES = {
    "PATCH /v1/customers/{cid}": {"relationshipToPartner": "none"},
    "PUT /v1/customers/{cid}/profiles/billing": {"firstName": "Mallory"},
    "PATCH /v1/customers/{cid}/subscriptions/{sid}": {"status": "suspended"},
    "POST /v1/customers/{cid}/orders": {"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
}


def test_requests_without_a_valid_token_get_401_with_the_error_body(api: Api) -> None:
    partner = api.partner()
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer ph_not-a-real-token"},
    ):
        response = api.client.get("/v1/customers", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["code"] == 800120 and response.json()["source"] == "partnerhub"
        assert response.headers["content-type"] == "application/json"
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert api.call("GET", "/v1/customers", partner.token).status_code == 200

    with transaction(api.engine) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == partner.actors["sales_agent"].user_id)
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
        tokens = session.query(ApiToken).filter(ApiToken.user_id == partner.actors["admin_agent"].user_id).all()
        revoke_token(session, partner.actors["admin"], token_id=tokens[0].id)
    expired = api.call("GET", "/v1/customers", partner.tokens["sales_agent"])
    assert expired.status_code == 401 and expired.json()["code"] == 800122
    revoked = api.call("GET", "/v1/customers", partner.tokens["admin_agent"])
    assert revoked.status_code == 401 and revoked.json()["code"] == 800123


def _ids(api: Api) -> tuple[dict[str, str], ApiPartner]:
    owner = api.partner()
    customer_id, _ = api.customer(owner)
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        owner.token,
        json={"lineItems": [{"offerId": M365_E3, "quantity": 1}]},
    ).json()
    sid = order["lineItems"][0]["subscriptionId"]
    addon = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        owner.token,
        json={"lineItems": [{"offerId": TEAMS_PHONE_ADDON, "quantity": 1, "parentSubscriptionId": sid}]},
    )
    assert addon.status_code == 201, addon.text
    return {"cid": customer_id, "sid": sid, "oid": order["id"]}, owner


@pytest.mark.parametrize("role", ["admin", "admin_agent", "sales_agent", "helpdesk_agent"])
def test_another_tenants_ids_answer_like_missing_ones_on_every_route(api: Api, role: str) -> None:
    ids, _owner = _ids(api)
    stranger = api.partner()
    missing = {"cid": new_id(), "sid": new_id(), "oid": new_id()}
    for method, template in ROUTES:
        body = BODIES.get(f"{method} {template}")
        foreign = api.call(method, template.format(**ids), stranger.tokens[role], json=body)
        absent = api.call(method, template.format(**missing), stranger.tokens[role], json=body)
        assert (foreign.status_code, foreign.json()["code"]) == (absent.status_code, absent.json()["code"])
        assert foreign.json()["data"] == []
        # A role that may not do this at all is told so (the same for any id); otherwise: not found.
        expected = {404} if role == "admin" else {404, 403}
        assert foreign.status_code in expected, (method, template, foreign.text)
        if foreign.status_code == 403:
            assert foreign.json()["code"] == 800102


def test_after_a_removal_the_former_partner_gets_404_and_403_20002_on_orders(api: Api) -> None:
    ids, owner = _ids(api)
    token = owner.token
    for s in api.call("GET", f"/v1/customers/{ids['cid']}/subscriptions", token).json()["items"]:
        if s.get("parentSubscriptionId") is None:
            assert (
                api.call(
                    "PATCH", f"/v1/customers/{ids['cid']}/subscriptions/{s['id']}", token, json={"status": "suspended"}
                ).status_code
                == 200
            )
    assert (
        api.call("PATCH", f"/v1/customers/{ids['cid']}", token, json={"relationshipToPartner": "none"}).status_code
        == 200
    )
    for method, template in ROUTES:
        answer = api.call(method, template.format(**ids), token, json=BODIES.get(f"{method} {template}"))
        expected = 403 if "/orders" in template else 404
        assert answer.status_code == expected, (method, template, answer.text)
        if expected == 403:
            assert answer.json()["code"] == 20002

"""The isolation walk over the delegated-admin, indirect-model and offboarding routes: another tenant's ids
answer exactly like missing ones (404) for every role, and a role that may not act at all is told so the
same way for any id."""

from __future__ import annotations

from typing import Any

import pytest
from httpx2 import Response

from partnerhub.db import transaction
from partnerhub.delegated_admin.access import create_security_group
from partnerhub.delegated_admin.roles import USER_ADMINISTRATOR
from partnerhub.ids import new_id
from tests.api.conftest import Api
from tests.factories import M365_BASIC

GDAP = "/v1/tenantRelationships/delegatedAdminRelationships"
ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/v1/customers/{cid}/offboarding", None),
    ("POST", "/v1/customers/{cid}/offboarding", {}),
    ("GET", "/v1/offboardings/{jid}", None),
    ("GET", "/v1/gdapBulkJobs/{gjid}", None),
    ("GET", GDAP + "/{rid}", None),
    ("PATCH", GDAP + "/{rid}", {"displayName": "Mallory"}),
    ("POST", GDAP + "/{rid}/requests", {"action": "terminate"}),
    ("GET", GDAP + "/{rid}/accessAssignments", None),
    (
        "POST",
        GDAP + "/{rid}/accessAssignments",
        {
            "accessContainer": {"accessContainerId": "{gid}"},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]},
        },
    ),
    ("GET", GDAP + "/{rid}/accessAssignments/{aid}", None),
    (
        "PATCH",
        GDAP + "/{rid}/accessAssignments/{aid}",
        {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]}},
    ),
    ("DELETE", GDAP + "/{rid}/accessAssignments/{aid}", None),
    ("DELETE", GDAP + "/{rid}", None),
    ("GET", GDAP + "/{rid}/requests", None),
    ("GET", GDAP + "/{rid}/requests/{qid}", None),
    ("GET", GDAP + "/{rid}/operations", None),
    ("GET", GDAP + "/{rid}/operations/{oid}", None),
    ("GET", "/v1/tenantRelationships/delegatedAdminCustomers/{cid}", None),
    ("GET", "/v1/tenantRelationships/delegatedAdminCustomers/{cid}/serviceManagementDetails", None),
    ("GET", "/v1/customers/{cid}/subscriptions/{sid}/supportcontact", None),
    ("PUT", "/v1/customers/{cid}/subscriptions/{sid}/supportcontact", {"supportTenantId": "{pid}"}),
    ("GET", "/v1/customers/{cid}/relationships", None),
    ("POST", "/v1/partnerships/{psid}/accept", None),
    ("POST", "/v1/partnerships/{psid}/end", None),
    ("GET", "/v1/customers/{cid}/users", None),
    ("POST", "/v1/customers/{cid}/users", {"userPrincipalName": "mallory"}),
    ("PATCH", "/v1/customers/{cid}/users/{uid}", {"passwordProfile": {}}),
    ("DELETE", "/v1/customers/{cid}/partners/{pid}/delegatedaccess", None),
    ("DELETE", "/v1/customers/{cid}/partners/{pid}", None),
]


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value.format(**ids) if isinstance(value, str) else value


def _owned_ids(api: Api) -> dict[str, str]:
    """An indirect provider with a customer, a subscription, a GDAP relationship with an access assignment,
    a customer user, a queued bulk offboarding and GDAP bulk job, and a partnership with a reseller."""
    owner = api.partner(partner_type="indirect-provider")
    reseller = api.partner(partner_type="indirect-reseller")
    cid, customer_token = api.customer(owner)
    other_cid, _ = api.customer(owner)
    order = api.call(
        "POST", f"/v1/customers/{cid}/orders", owner.token, json={"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]}
    ).json()
    rid = api.call(
        "POST",
        GDAP,
        owner.token,
        json={
            "displayName": "Isolated",
            "duration": "P30D",
            "customer": {"tenantId": cid},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]},
        },
    ).json()["id"]
    with transaction(api.engine) as session:
        gid = create_security_group(session, owner.actors["admin"], display_name="Owners").id
    aid = api.call(
        "POST",
        f"{GDAP}/{rid}/accessAssignments",
        owner.token,
        json={
            "accessContainer": {"accessContainerId": gid},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]},
        },
    ).json()["id"]
    qid = api.call("POST", f"{GDAP}/{rid}/requests", owner.token, json={"action": "lockForApproval"}).json()["id"]
    oid = api.call("GET", f"{GDAP}/{rid}/operations", owner.token).json()["value"][0]["id"]
    uid = api.call("POST", f"/v1/customers/{cid}/users", owner.token, json={"userPrincipalName": "u"}).json()["id"]
    jid = api.call("POST", "/v1/offboardings", owner.token, json={"customerIds": [other_cid]}).json()["id"]
    gjid = api.call(
        "POST", "/v1/gdapBulkJobs", owner.token, json={"action": "terminate", "customerIds": [other_cid]}
    ).json()["id"]
    psid = api.call("POST", "/v1/partnerships", owner.token, json={"resellerId": reseller.partner_id}).json()["id"]
    assert customer_token
    return {
        "cid": cid,
        "sid": order["lineItems"][0]["subscriptionId"],
        "rid": rid,
        "aid": aid,
        "gid": gid,
        "uid": uid,
        "jid": jid,
        "gjid": gjid,
        "psid": psid,
        "pid": owner.partner_id,
        "qid": qid,
        "oid": oid,
    }


def _refusal(answer: Response) -> tuple[int, int, list[Any]]:
    """Status, numeric code and data of a refusal, in Partner Center's shape or (under /v1/tenantRelationships)
    Graph's, which carries them in `error.innerError`."""
    body = answer.json()
    inner = body["error"]["innerError"] if "error" in body else body
    return answer.status_code, int(inner["code"]), list(inner["data"])


@pytest.mark.parametrize("role", ["admin", "admin_agent", "sales_agent", "helpdesk_agent", "customer_admin"])
def test_another_tenants_ids_answer_like_missing_ones_on_every_new_route(api: Api, role: str) -> None:
    ids = _owned_ids(api)
    stranger = api.partner(partner_type="indirect-provider")
    if role == "customer_admin":
        _, token = api.customer(stranger)
    else:
        token = stranger.tokens[role]
    missing = {k: new_id() for k in ids}
    for method, template, body in ROUTES:
        foreign = api.call(method, template.format(**ids), token, json=_fill(body, ids))
        absent = api.call(method, template.format(**missing), token, json=_fill(body, missing))
        where = (method, template, foreign.text)
        assert _refusal(foreign)[:2] == _refusal(absent)[:2], where
        assert _refusal(foreign)[2] == [], where
        expected = {404} if role == "admin" else {404, 403}
        assert foreign.status_code in expected, where
        if foreign.status_code == 403:
            assert _refusal(foreign)[1] == 800102, where

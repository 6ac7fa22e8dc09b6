"""GDAP over HTTP in Microsoft Graph's shape: create, lock, approve by the customer with its own token,
assign a security group, the member administers the customer's users through the check, terminate; and
the refusals, paging, etags and idempotency along the way."""

from __future__ import annotations

from typing import Any

from httpx2 import Response

from partnerhub.db import transaction
from partnerhub.delegated_admin.access import add_group_member, create_security_group
from partnerhub.delegated_admin.roles import (
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    HELPDESK_ADMINISTRATOR,
    USER_ADMINISTRATOR,
)
from partnerhub.ids import new_id
from tests.api.conftest import Api, ApiPartner

BASE = "/v1/tenantRelationships/delegatedAdminRelationships"


def code_of(answer: Response) -> int:
    """partnerhub's numeric code of a refusal, which Graph's error shape carries in `error.innerError`."""
    return int(answer.json()["error"]["innerError"]["code"])


def data_of(answer: Response) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = answer.json()["error"]["innerError"]["data"]
    return data


def draft(
    customer_id: str,
    name: str = "Helpdesk 2 years",
    roles: tuple[str, ...] = (USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR),
    **extra: Any,
) -> dict[str, Any]:
    return {
        "displayName": name,
        "duration": "P730D",
        "customer": {"tenantId": customer_id},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in roles]},
        "autoExtendDuration": "P180D",
        **extra,
    }


def security_group(api: Api, partner: ApiPartner, name: str, *members: str) -> str:
    """A partner security group with members (role names of the partner's users), made through the service."""
    with transaction(api.engine) as session:
        group = create_security_group(session, partner.actors["admin"], display_name=name)
        for role in members:
            add_group_member(
                session, partner.actors["admin"], security_group_id=group.id, user=partner.actors[role].email
            )
        return group.id


def active_relationship(api: Api, partner: ApiPartner, customer_id: str, customer_token: str, **kw: Any) -> str:
    created = api.call("POST", BASE, partner.token, json=draft(customer_id, **kw))
    assert created.status_code == 201, created.text
    rid = str(created.json()["id"])
    assert (
        api.call("POST", f"{BASE}/{rid}/requests", partner.token, json={"action": "lockForApproval"}).status_code == 201
    )
    assert api.call("POST", f"{BASE}/{rid}/requests", customer_token, json={"action": "approve"}).status_code == 201
    return rid


def test_gdap_end_to_end(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner, dap=False)
    users = f"/v1/customers/{customer_id}/users"
    sales = partner.tokens["sales_agent"]
    assert api.call("GET", users, sales).status_code == 403  # no DAP, no GDAP yet

    created = api.call("POST", BASE, partner.token, json=draft(customer_id), headers={"MS-RequestId": "gdap-1"})
    assert created.status_code == 201, created.text
    rel = created.json()
    rid = rel["id"]
    assert rel["status"] == "created" and rel["duration"] == "P730D" and rel["autoExtendDuration"] == "P180D"
    assert rel["customer"]["tenantId"] == customer_id and rel["@odata.etag"].startswith('W/"')
    assert [r["roleDefinitionId"] for r in rel["accessDetails"]["unifiedRoles"]] == [
        USER_ADMINISTRATOR,
        HELPDESK_ADMINISTRATOR,
    ]
    assert rel["createdDateTime"].endswith("Z") and rel["endDateTime"] is None
    replay = api.call("POST", BASE, partner.token, json=draft(customer_id), headers={"MS-RequestId": "gdap-1"})
    assert replay.status_code == 201 and replay.json()["id"] == rid

    # the customer cannot approve before the partner locks it
    early = api.call("POST", f"{BASE}/{rid}/requests", customer_token, json={"action": "approve"})
    assert early.status_code == 400 and code_of(early) == 800207
    locked = api.call("POST", f"{BASE}/{rid}/requests", partner.token, json={"Action": "LOCKFORAPPROVAL"})
    assert locked.status_code == 201, locked.text
    request = locked.json()
    assert request["action"] == "lockForApproval" and request["status"] == "succeeded"
    assert request["@odata.type"] == "#microsoft.graph.delegatedAdminRelationshipRequest"
    assert request["delegatedAdminRelationship"]["status"] == "approvalPending"
    # the partner cannot approve its own request
    self_approval = api.call("POST", f"{BASE}/{rid}/requests", partner.token, json={"action": "approve"})
    assert self_approval.status_code == 403 and code_of(self_approval) == 800102

    seen_by_customer = api.call("GET", BASE, customer_token).json()["value"]
    assert [r["id"] for r in seen_by_customer] == [rid]
    approved = api.call("POST", f"{BASE}/{rid}/requests", customer_token, json={"action": "approve"})
    assert approved.status_code == 201, approved.text
    assert approved.json()["delegatedAdminRelationship"]["status"] == "active"
    got = api.call("GET", f"{BASE}/{rid}", partner.token).json()
    assert got["status"] == "active" and got["activatedDateTime"] and got["endDateTime"]

    # no access assignment: nobody gets access through the relationship
    assert api.call("GET", users, sales).status_code == 403
    group_id = security_group(api, partner, "Helpdesk", "sales_agent")
    assigned = api.call(
        "POST",
        f"{BASE}/{rid}/accessAssignments",
        partner.token,
        json={
            "accessContainer": {"accessContainerId": group_id, "accessContainerType": "securityGroup"},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]},
        },
    )
    assert assigned.status_code == 201, assigned.text
    assignment = assigned.json()
    aid = assignment["id"]
    assert assignment["accessContainer"] == {
        "accessContainerId": group_id,
        "accessContainerType": "securityGroup",
        "displayName": "Helpdesk",
    }
    assert assignment["status"] == "active"

    listed = api.call("GET", users, sales)
    assert listed.status_code == 200, listed.text
    assert [u["userPrincipalName"] for u in listed.json()["items"]] == [f"admin@{_domain(api, partner, customer_id)}"]
    made = api.call("POST", users, sales, json={"userPrincipalName": "mario", "displayName": "Mario Bianchi"})
    assert made.status_code == 201, made.text

    # down to Helpdesk Administrator: reading and resets only
    narrowed = api.call(
        "PATCH",
        f"{BASE}/{rid}/accessAssignments/{aid}",
        partner.token,
        json={"accessDetails": {"unifiedRoles": [{"roleDefinitionId": "Helpdesk Administrator"}]}},
        headers={"If-Match": assignment["@odata.etag"]},
    )
    assert narrowed.status_code == 200, narrowed.text
    assert narrowed.json()["accessDetails"]["unifiedRoles"] == [{"roleDefinitionId": HELPDESK_ADMINISTRATOR}]
    stale = api.call(
        "PATCH",
        f"{BASE}/{rid}/accessAssignments/{aid}",
        partner.token,
        json={"accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]}},
        headers={"If-Match": assignment["@odata.etag"]},
    )
    assert stale.status_code == 400 and code_of(stale) == 2055
    assert api.call("GET", users, sales).status_code == 200
    assert api.call("POST", users, sales, json={"userPrincipalName": "luigi"}).status_code == 403

    terminated = api.call("POST", f"{BASE}/{rid}/requests", partner.token, json={"action": "terminate"})
    assert terminated.status_code == 201, terminated.text
    assert terminated.json()["delegatedAdminRelationship"]["status"] == "terminated"
    assert api.call("GET", users, sales).status_code == 403
    # ending GDAP leaves the reseller relationship alone
    assert api.call("GET", f"/v1/customers/{customer_id}", partner.token).status_code == 200
    again = api.call("POST", f"{BASE}/{rid}/requests", partner.token, json={"action": "terminate"})
    assert again.status_code == 400 and code_of(again) == 800207


def _domain(api: Api, partner: ApiPartner, customer_id: str) -> str:
    return str(api.call("GET", f"/v1/customers/{customer_id}", partner.token).json()["companyProfile"]["domain"])


def test_the_customer_rejects_or_terminates_with_its_own_token(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    rid = api.call("POST", BASE, partner.token, json=draft(customer_id, "To reject")).json()["id"]
    api.call("POST", f"{BASE}/{rid}/requests", partner.token, json={"action": "lockForApproval"})
    rejected = api.call("POST", f"{BASE}/{rid}/requests", customer_token, json={"action": "reject"})
    assert rejected.status_code == 201 and rejected.json()["delegatedAdminRelationship"]["status"] == "terminated"

    rid2 = active_relationship(api, partner, customer_id, customer_token, name="To end")
    ended = api.call("POST", f"{BASE}/{rid2}/requests", customer_token, json={"action": "terminate"})
    assert ended.status_code == 201 and ended.json()["delegatedAdminRelationship"]["status"] == "terminated"
    # the customer cannot lock: only the partner sends a request
    rid3 = api.call("POST", BASE, partner.token, json=draft(customer_id, "Third")).json()["id"]
    assert (
        api.call("POST", f"{BASE}/{rid3}/requests", customer_token, json={"action": "lockForApproval"}).status_code
        == 404
    )


def test_create_refusals_name_the_problem(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    cases: list[tuple[dict[str, Any], int, int]] = [
        ({k: v for k, v in draft(customer_id).items() if k != "customer"}, 400, 900),
        (draft(customer_id, duration="two years"), 400, 900),
        (draft(customer_id, duration="P731D"), 400, 800203),
        (draft(customer_id, autoExtendDuration="P90D"), 400, 800205),
        (draft(customer_id, roles=(GLOBAL_ADMINISTRATOR,)), 400, 800206),
        (draft(customer_id, roles=("Chief Wizard",)), 400, 800200),
        (draft(customer_id, roles=()), 400, 800204),
        (draft(customer_id, name="x" * 51), 400, 900),
        (draft(new_id()), 404, 600),
    ]
    for body, status, code in cases:
        answer = api.call("POST", BASE, partner.token, json=body)
        assert (answer.status_code, code_of(answer)) == (status, code), (body, answer.text)
    bad_duration = api.call("POST", BASE, partner.token, json=draft(customer_id, duration="two years"))
    assert data_of(bad_duration)[0]["field"] == "duration"
    assert api.call("POST", BASE, partner.token, json=draft(customer_id, "Once")).status_code == 201
    taken = api.call("POST", BASE, partner.token, json=draft(customer_id, "once"))
    assert taken.status_code == 409 and code_of(taken) == 800202
    no_auto = api.call(
        "POST",
        BASE,
        partner.token,
        json=draft(customer_id, "Global", roles=(GLOBAL_ADMINISTRATOR,), autoExtendDuration="PT0S"),
    )
    assert no_auto.status_code == 201 and no_auto.json()["autoExtendDuration"] == "PT0S"
    assert api.call("POST", BASE, partner.tokens["sales_agent"], json=draft(customer_id, "S")).status_code == 403
    for action in ({"action": "dance"}, {}):
        refused = api.call("POST", f"{BASE}/{no_auto.json()['id']}/requests", partner.token, json=action)
        assert refused.status_code == 400 and data_of(refused)[0]["field"] == "action"


def test_patch_checks_the_etag_and_ignores_unchanged_fields(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    rel = api.call("POST", BASE, partner.token, json=draft(customer_id)).json()
    rid = rel["id"]
    same = api.call("PATCH", f"{BASE}/{rid}", partner.token, json=rel, headers={"If-Match": rel["@odata.etag"]})
    assert same.status_code == 200, same.text
    assert same.json()["@odata.etag"] == rel["@odata.etag"]
    api.call("POST", f"{BASE}/{rid}/requests", partner.token, json={"action": "lockForApproval"})
    stale = api.call("PATCH", f"{BASE}/{rid}", partner.token, json=rel, headers={"If-Match": rel["@odata.etag"]})
    assert stale.status_code == 400 and code_of(stale) == 2055
    in_body = api.call("PATCH", f"{BASE}/{rid}", partner.token, json=rel)  # @odata.etag in the body
    assert in_body.status_code == 400 and code_of(in_body) == 2055
    locked = api.call("PATCH", f"{BASE}/{rid}", partner.token, json={"displayName": "Renamed"})
    assert locked.status_code == 400  # waiting for approval: its terms are fixed
    assert api.call("PATCH", f"{BASE}/{new_id()}", partner.token, json={}).status_code == 404


def test_patch_changes_a_created_relationship_and_only_auto_extend_once_active(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    rel = api.call("POST", BASE, partner.token, json=draft(customer_id)).json()
    rid = rel["id"]
    renamed = api.call(
        "PATCH",
        f"{BASE}/{rid}",
        partner.token,
        headers={"If-Match": rel["@odata.etag"]},
        json={"displayName": "Renamed", "duration": "P90D"},
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["displayName"], renamed.json()["duration"]) == ("Renamed", "P90D")
    assert renamed.json()["@odata.etag"] != rel["@odata.etag"]
    api.call("POST", f"{BASE}/{rid}/requests", partner.token, json={"action": "lockForApproval"})
    api.call("POST", f"{BASE}/{rid}/requests", customer_token, json={"action": "approve"})
    extended = api.call("PATCH", f"{BASE}/{rid}", partner.token, json={"autoExtendDuration": "PT0S"})
    assert extended.status_code == 200 and extended.json()["autoExtendDuration"] == "PT0S"
    refused = api.call("PATCH", f"{BASE}/{rid}", partner.token, json={"duration": "P30D"})
    assert refused.status_code == 400


def test_listing_pages_with_next_link_and_filters(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    other_id, _ = api.customer(partner)
    for i in range(3):
        api.call("POST", BASE, partner.token, json=draft(customer_id, f"Rel {i}"))
    api.call("POST", BASE, partner.token, json=draft(other_id, "Elsewhere"))
    seen: list[str] = []
    page = api.call("GET", f"{BASE}?$top=2", partner.token).json()
    while True:
        seen += [r["displayName"] for r in page["value"]]
        if "@odata.nextLink" not in page:
            break
        page = api.call("GET", page["@odata.nextLink"], partner.token).json()
    assert seen == ["Rel 0", "Rel 1", "Rel 2", "Elsewhere"]
    one_customer = api.call(
        "GET", BASE, partner.token, params={"$filter": f"customer/tenantId eq '{other_id}' and status eq 'created'"}
    )
    assert [r["displayName"] for r in one_customer.json()["value"]] == ["Elsewhere"]
    for bad in ({"$filter": "displayName eq 'x'"}, {"$top": "0"}, {"$top": "many"}, {"$skiptoken": "forged.token"}):
        assert api.call("GET", BASE, partner.token, params=bad).status_code == 400, bad
    assert api.call("GET", BASE, partner.tokens["sales_agent"]).status_code == 403
    assert api.call("GET", BASE).status_code == 401


def test_access_assignments_list_get_delete_and_refusals(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    rid = active_relationship(
        api, partner, customer_id, customer_token, roles=(GLOBAL_READER, USER_ADMINISTRATOR), autoExtendDuration="PT0S"
    )
    group_id = security_group(api, partner, "Readers", "helpdesk_agent")
    path = f"{BASE}/{rid}/accessAssignments"
    body = {
        "accessContainer": {"accessContainerId": group_id},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": GLOBAL_READER}]},
    }
    aid = api.call("POST", path, partner.token, json=body).json()["id"]
    twice = api.call("POST", path, partner.token, json=body)
    assert twice.status_code == 409
    outside = api.call(
        "POST",
        path,
        partner.token,
        json={**body, "accessDetails": {"unifiedRoles": [{"roleDefinitionId": GLOBAL_ADMINISTRATOR}]}},
    )
    assert outside.status_code == 400 and code_of(outside) == 800209
    no_group = api.call("POST", path, partner.token, json={**body, "accessContainer": {"accessContainerId": new_id()}})
    assert no_group.status_code == 404
    wrong_type = api.call(
        "POST",
        path,
        partner.token,
        json={**body, "accessContainer": {"accessContainerId": group_id, "accessContainerType": "user"}},
    )
    assert wrong_type.status_code == 400

    for token in (partner.token, customer_token):
        listed = api.call("GET", path, token)
        assert listed.status_code == 200 and [a["id"] for a in listed.json()["value"]] == [aid]
        assert api.call("GET", f"{path}/{aid}", token).json()["id"] == aid
    other_rid = api.call("POST", BASE, partner.token, json=draft(customer_id, "Other", roles=(GLOBAL_READER,))).json()[
        "id"
    ]
    # an assignment is found only under its own relationship
    assert api.call("GET", f"{BASE}/{other_rid}/accessAssignments/{aid}", partner.token).status_code == 404
    assert api.call("PATCH", f"{path}/{aid}", partner.token, json={}).status_code == 400
    deleted = api.call("DELETE", f"{path}/{aid}", partner.token)
    assert deleted.status_code == 204 and deleted.content == b""
    assert api.call("GET", f"{path}/{aid}", partner.token).status_code == 404
    assert api.call("DELETE", f"{path}/{aid}", partner.token).status_code == 404
    assert api.call("GET", path, partner.token).json()["value"] == []


def test_the_customer_removes_a_partners_dap_naming_the_partner(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    assert api.call("GET", f"/v1/customers/{customer_id}", partner.token).json()["allowDelegatedAccess"] is True
    # the partner's own way: PATCH the customer
    path = f"/v1/customers/{customer_id}/partners/{partner.partner_id}/delegatedaccess"
    removed = api.call("DELETE", path, customer_token)
    assert removed.status_code == 200, removed.text
    assert removed.json()["allowDelegatedAccess"] is False and removed.json()["partnerId"] == partner.partner_id
    after = api.call("GET", f"/v1/customers/{customer_id}", partner.token).json()
    assert after["allowDelegatedAccess"] is False and after["relationshipToPartner"] == "reseller"
    assert api.call("DELETE", path, customer_token).status_code == 200  # already off: no change

    other_id, other_token = api.customer(partner)
    assert api.call("DELETE", path, other_token).status_code == 404  # another customer's admin
    stranger = api.partner()
    assert (
        api.call(
            "DELETE", f"/v1/customers/{other_id}/partners/{stranger.partner_id}/delegatedaccess", other_token
        ).status_code
        == 404
    )
    by_partner = api.call(
        "DELETE", f"/v1/customers/{other_id}/partners/{partner.partner_id}/delegatedaccess", partner.token
    )
    assert by_partner.status_code == 200 and by_partner.json()["allowDelegatedAccess"] is False
    assert (
        api.call(
            "DELETE", f"/v1/customers/{other_id}/partners/{partner.partner_id}/delegatedaccess", stranger.token
        ).status_code
        == 404
    )

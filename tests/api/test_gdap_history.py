"""Graph v1.0's GDAP endpoints beyond the lifecycle: the requests made on a relationship (kept as they happened),
its operations (each change of it or its access assignments), the delegatedAdminCustomers with their service
management details, and deleting a relationship still in `created`."""

from __future__ import annotations

import json

from partnerhub.delegated_admin.roles import GLOBAL_READER, HELPDESK_ADMINISTRATOR, USER_ADMINISTRATOR
from partnerhub.ids import new_id
from tests.activity import activity
from tests.api.conftest import Api
from tests.api.test_gdap import BASE, active_relationship, draft, security_group
from tests.api.test_gdap_graph import graph_error

CUSTOMERS = "/v1/tenantRelationships/delegatedAdminCustomers"


def test_the_requests_made_on_a_relationship_are_kept_as_they_happened(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    rid = api.call("POST", BASE, partner.token, json=draft(customer_id)).json()["id"]
    requests = f"{BASE}/{rid}/requests"
    assert api.call("GET", requests, partner.token).json()["value"] == []

    made = []
    steps = ((partner.token, "lockForApproval"), (customer_token, "approve"), (partner.token, "terminate"))
    for token, action in steps:
        answer = api.call("POST", requests, token, json={"action": action})
        assert answer.status_code == 201, answer.text
        made.append(answer.json())
    refused = api.call("POST", requests, partner.token, json={"action": "terminate"})
    assert refused.status_code == 400  # a refused request changed nothing and is not kept

    for token in (partner.token, customer_token):
        listed = api.call("GET", requests, token)
        assert listed.status_code == 200, listed.text
        value = listed.json()["value"]
        assert [(r["id"], r["action"], r["status"]) for r in value] == [
            (m["id"], m["action"], "succeeded") for m in made
        ]
        assert [r["createdDateTime"] for r in value] == [m["createdDateTime"] for m in made]
    one = api.call("GET", f"{requests}/{made[1]['id']}", partner.token)
    assert one.status_code == 200 and one.json()["action"] == "approve" and one.json()["id"] == made[1]["id"]
    assert one.json()["@odata.type"] == "#microsoft.graph.delegatedAdminRelationshipRequest"
    assert api.call("GET", f"{requests}/$count", partner.token).text == "3"
    assert api.call("GET", f"{requests}?$count=true", partner.token).json()["@odata.count"] == 3

    missing = api.call("GET", f"{requests}/{new_id()}", partner.token)
    assert missing.status_code == 404 and graph_error(missing)["innerError"]["code"] == 613
    other_rid = api.call("POST", BASE, partner.token, json=draft(customer_id, "Other")).json()["id"]
    elsewhere = api.call("GET", f"{BASE}/{other_rid}/requests/{made[0]['id']}", partner.token)
    assert elsewhere.status_code == 404  # a request is found only under its own relationship
    stranger = api.partner()
    assert api.call("GET", requests, stranger.token).status_code == 404
    assert api.call("GET", requests, partner.tokens["sales_agent"]).status_code == 403


def test_each_change_of_a_relationship_or_its_assignments_is_an_operation(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    rid = active_relationship(
        api, partner, customer_id, customer_token, roles=(USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR, GLOBAL_READER)
    )
    operations = f"{BASE}/{rid}/operations"
    assert api.call("GET", operations, partner.token).json()["value"] == []
    group_id = security_group(api, partner, "Helpdesk")
    assignments = f"{BASE}/{rid}/accessAssignments"
    aid = api.call(
        "POST",
        assignments,
        partner.token,
        json={
            "accessContainer": {"accessContainerId": group_id},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]},
        },
    ).json()["id"]
    narrowed = {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": HELPDESK_ADMINISTRATOR}]}}
    assert api.call("PATCH", f"{assignments}/{aid}", partner.token, json=narrowed).status_code == 200
    assert api.call("PATCH", f"{assignments}/{aid}", partner.token, json=narrowed).status_code == 200  # no change
    assert api.call("DELETE", f"{assignments}/{aid}", partner.token).status_code == 204
    assert api.call("PATCH", f"{BASE}/{rid}", partner.token, json={"autoExtendDuration": "PT0S"}).status_code == 200

    for token in (partner.token, customer_token):
        listed = api.call("GET", operations, token)
        assert listed.status_code == 200, listed.text
        value = listed.json()["value"]
        assert [(o["operationType"], o["status"]) for o in value] == [
            ("delegatedAdminAccessAssignmentUpdate", "succeeded")
        ] * 3 + [("delegatedAdminRelationshipUpdate", "succeeded")]
    data = [json.loads(o["data"]) for o in value]
    assert [(d.get("accessAssignmentId"), d.get("change")) for d in data[:3]] == [
        (aid, "create"),
        (aid, "update"),
        (aid, "delete"),
    ]
    assert data[1]["unifiedRoles"] == [{"roleDefinitionId": HELPDESK_ADMINISTRATOR}]
    assert data[3] == {"autoExtendDuration": "PT0S"}
    one = api.call("GET", f"{operations}/{value[0]['id']}", partner.token)
    assert one.status_code == 200 and one.json()["id"] == value[0]["id"]
    assert api.call("GET", f"{operations}/$count", partner.token).text == "4"
    missing = api.call("GET", f"{operations}/{new_id()}", partner.token)
    assert missing.status_code == 404 and graph_error(missing)["innerError"]["code"] == 614
    assert api.call("GET", operations, api.partner().token).status_code == 404


def test_delegated_admin_customers_are_those_with_an_active_relationship(api: Api) -> None:
    partner = api.partner()
    active_id, active_token = api.customer(partner, name="Fabrikam Srl")
    active_relationship(api, partner, active_id, active_token)
    draft_id, _ = api.customer(partner, name="Draft Only")
    api.call("POST", BASE, partner.token, json=draft(draft_id, "Draft"))
    ended_id, ended_token = api.customer(partner, name="Ended")
    ended = active_relationship(api, partner, ended_id, ended_token, name="Ended")
    api.call("POST", f"{BASE}/{ended}/requests", partner.token, json={"action": "terminate"})

    listed = api.call("GET", CUSTOMERS, partner.token)
    assert listed.status_code == 200, listed.text
    assert [(c["id"], c["tenantId"], c["displayName"]) for c in listed.json()["value"]] == [
        (active_id, active_id, "Fabrikam Srl")
    ]
    assert api.call("GET", f"{CUSTOMERS}/$count", partner.token).text == "1"
    one = api.call("GET", f"{CUSTOMERS}/{active_id.upper()}", partner.token)
    assert one.status_code == 200 and one.json()["displayName"] == "Fabrikam Srl"
    details = api.call("GET", f"{CUSTOMERS}/{active_id}/serviceManagementDetails", partner.token)
    assert details.status_code == 200, details.text
    urls = {d["serviceName"]: d["serviceManagementUrl"] for d in details.json()["value"]}
    assert urls["Customer overview"] == f"https://partnerhub.example/customers/{active_id}"
    assert urls["Admin relationships"] == f"https://partnerhub.example/customers/{active_id}/admin-relationships"
    assert all(d["id"] for d in details.json()["value"])

    for cid in (draft_id, ended_id, new_id()):
        absent = api.call("GET", f"{CUSTOMERS}/{cid}", partner.token)
        assert absent.status_code == 404 and graph_error(absent)["innerError"]["code"] == 615
        assert api.call("GET", f"{CUSTOMERS}/{cid}/serviceManagementDetails", partner.token).status_code == 404
    stranger = api.partner()
    assert api.call("GET", CUSTOMERS, stranger.token).json()["value"] == []
    assert api.call("GET", f"{CUSTOMERS}/{active_id}", stranger.token).status_code == 404
    for token in (active_token, partner.tokens["sales_agent"]):
        refused = api.call("GET", CUSTOMERS, token)
        assert refused.status_code == 403 and graph_error(refused)["code"] == "accessDenied"


def test_a_relationship_still_in_created_can_be_deleted(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    rel = api.call("POST", BASE, partner.token, json=draft(customer_id, "Draft")).json()
    rid = rel["id"]
    group_id = security_group(api, partner, "Prepared")
    prepared = api.call(
        "POST",
        f"{BASE}/{rid}/accessAssignments",
        partner.token,
        json={
            "accessContainer": {"accessContainerId": group_id},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]},
        },
    )
    assert prepared.status_code == 201
    api.call("PATCH", f"{BASE}/{rid}", partner.token, json={"displayName": "Draft 2"})
    stale = api.call("DELETE", f"{BASE}/{rid}", partner.token, headers={"If-Match": rel["@odata.etag"]})
    assert stale.status_code == 400 and graph_error(stale)["innerError"]["code"] == 2055
    for token in (customer_token, api.partner().token):
        assert api.call("DELETE", f"{BASE}/{rid}", token).status_code == 404
    assert api.call("DELETE", f"{BASE}/{rid}", partner.tokens["sales_agent"]).status_code == 403

    deleted = api.call("DELETE", f"{BASE}/{rid}", partner.token)
    assert deleted.status_code == 204 and deleted.content == b""
    assert api.call("GET", f"{BASE}/{rid}", partner.token).status_code == 404
    assert api.call("DELETE", f"{BASE}/{rid}", partner.token).status_code == 404
    records = activity(api.engine, operation="delete_granular_admin_relationship")
    assert [(r.resource_id, r.customer_id) for r in records] == [(rid, customer_id)]
    assert records[0].old_value is not None and records[0].old_value["displayName"] == "Draft 2"
    assert api.call("POST", BASE, partner.token, json=draft(customer_id, "Draft 2")).status_code == 201

    sent = api.call("POST", BASE, partner.token, json=draft(customer_id, "Sent")).json()["id"]
    api.call("POST", f"{BASE}/{sent}/requests", partner.token, json={"action": "lockForApproval"})
    refused = api.call("DELETE", f"{BASE}/{sent}", partner.token)
    assert refused.status_code == 400 and graph_error(refused)["innerError"]["code"] == 800207
    assert api.call("GET", f"{BASE}/{sent}", partner.token).json()["status"] == "approvalPending"

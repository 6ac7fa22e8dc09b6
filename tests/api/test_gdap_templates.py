"""GDAP templates over HTTP (partnerhub's extension): save one with its groups, request from it for a customer,
the customer approves and the groups get their roles; etags, refusals, and renewal under Graph's path."""

from __future__ import annotations

from partnerhub.delegated_admin.roles import GLOBAL_ADMINISTRATOR, GLOBAL_READER, HELPDESK_ADMINISTRATOR
from tests.api.conftest import Api
from tests.api.test_gdap import BASE, active_relationship, code_of, security_group

TEMPLATES = "/v1/partnerhub/delegatedAdminTemplates"


def _roles(*ids: str) -> dict[str, object]:
    return {"unifiedRoles": [{"roleDefinitionId": r} for r in ids]}


def test_a_template_is_saved_requested_for_a_customer_and_its_groups_get_roles_on_approval(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner, dap=False)
    group = security_group(api, partner, "Helpdesk tier 1")
    body = {
        "displayName": "Standard MSP",
        "duration": "P365D",
        "autoExtendDuration": "P180D",
        "accessDetails": _roles(HELPDESK_ADMINISTRATOR, GLOBAL_READER),
        "accessAssignments": [
            {"accessContainer": {"accessContainerId": group}, "accessDetails": _roles(HELPDESK_ADMINISTRATOR)}
        ],
    }
    created = api.call("POST", TEMPLATES, partner.token, json=body)
    assert created.status_code == 201, created.text
    t = created.json()
    assert t["displayName"] == "Standard MSP" and t["duration"] == "P365D" and t["autoExtendDuration"] == "P180D"
    [a] = t["accessAssignments"]
    assert a["accessContainer"] == {
        "accessContainerId": group,
        "accessContainerType": "securityGroup",
        "displayName": "Helpdesk tier 1",
    }
    listed = api.call("GET", TEMPLATES, partner.token).json()["value"]
    assert [x["id"] for x in listed] == [t["id"]]

    requested = api.call("POST", f"{TEMPLATES}/{t['id']}/requestFor", partner.token, json={"customerId": customer_id})
    assert requested.status_code == 201, requested.text
    rel = requested.json()
    assert rel["status"] == "approvalPending" and rel["displayName"].startswith("Standard MSP ")
    assert (
        api.call("POST", f"{BASE}/{rel['id']}/requests", customer_token, json={"action": "approve"}).status_code == 201
    )
    assignments = api.call("GET", f"{BASE}/{rel['id']}/accessAssignments", partner.token).json()["value"]
    assert [(x["accessContainer"]["accessContainerId"], x["accessDetails"]["unifiedRoles"]) for x in assignments] == [
        (group, [{"roleDefinitionId": HELPDESK_ADMINISTRATOR}])
    ]


def test_template_updates_need_the_current_etag_and_bad_input_is_refused(api: Api) -> None:
    partner = api.partner()
    t = api.call(
        "POST", TEMPLATES, partner.token, json={"displayName": "Readers", "accessDetails": _roles(GLOBAL_READER)}
    ).json()
    changed = api.call(
        "PATCH",
        f"{TEMPLATES}/{t['id']}",
        partner.token,
        json={"duration": "P90D"},
        headers={"If-Match": t["@odata.etag"]},
    )
    assert changed.status_code == 200 and changed.json()["duration"] == "P90D"
    stale = api.call(
        "PATCH",
        f"{TEMPLATES}/{t['id']}",
        partner.token,
        json={"duration": "P30D"},
        headers={"If-Match": t["@odata.etag"]},
    )
    assert stale.status_code == 400 and stale.json()["code"] == 2055
    ga = api.call(
        "POST",
        TEMPLATES,
        partner.token,
        json={"displayName": "GA", "autoExtendDuration": "P180D", "accessDetails": _roles(GLOBAL_ADMINISTRATOR)},
    )
    assert ga.status_code == 400 and ga.json()["code"] == 800206
    taken = api.call(
        "POST", TEMPLATES, partner.token, json={"displayName": "readers", "accessDetails": _roles(GLOBAL_READER)}
    )
    assert taken.status_code == 409 and taken.json()["code"] == 800243
    other = api.partner()
    assert api.call("GET", f"{TEMPLATES}/{t['id']}", other.token).status_code == 404
    assert api.call("DELETE", f"{TEMPLATES}/{t['id']}", partner.token).status_code == 204
    assert api.call("GET", f"{TEMPLATES}/{t['id']}", partner.token).status_code == 404


def test_renewal_under_graphs_path_drops_global_administrator_and_answers_graph_errors(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner, dap=False)
    rid = active_relationship(
        api,
        partner,
        customer_id,
        customer_token,
        roles=(GLOBAL_ADMINISTRATOR, HELPDESK_ADMINISTRATOR),
        autoExtendDuration="PT0S",
    )
    renewed = api.call("POST", f"{BASE}/{rid}/renew", partner.token)
    assert renewed.status_code == 201, renewed.text
    new = renewed.json()
    assert new["status"] == "approvalPending" and new["autoExtendDuration"] == "P180D"
    assert new["accessDetails"]["unifiedRoles"] == [{"roleDefinitionId": HELPDESK_ADMINISTRATOR}]
    again = api.call("POST", f"{BASE}/{rid}/renew", partner.token)
    assert again.status_code == 409 and code_of(again) == 800247
    assert "already renewed" in again.json()["error"]["message"]
    assert code_of(api.call("POST", f"{BASE}/{new['id']}/renew", partner.token)) == 800246

"""Partner relationships of the indirect model over HTTP: Partner Center's `/v1/relationships` and
`/v1/customers/{id}/relationships` (its reference examples' shapes), and our `/v1/partnerships` extension."""

from __future__ import annotations

from dataclasses import dataclass

from partnerhub.ids import new_id
from tests.api.conftest import Api, ApiPartner
from tests.api.test_contract import _assert_shape, _response_json


@dataclass
class IndirectApi:
    provider: ApiPartner
    reseller: ApiPartner
    partnership_id: str


def partnered(api: Api) -> IndirectApi:
    """A provider and a reseller in an active partnership, made over HTTP."""
    provider = api.partner(name="Tailspin Distribution", partner_type="indirect-provider")
    reseller = api.partner(name="Adatum Rivendita", partner_type="indirect-reseller")
    invited = api.call("POST", "/v1/partnerships", provider.token, json={"ResellerId": reseller.partner_id})
    assert invited.status_code == 201, invited.text
    assert invited.json()["status"] == "invited"
    accepted = api.call("POST", f"/v1/partnerships/{invited.json()['id']}/accept", reseller.token)
    assert accepted.status_code == 200, accepted.text
    return IndirectApi(provider, reseller, invited.json()["id"])


def customer_for_reseller(api: Api, world: IndirectApi, name: str = "Wingtip Toys") -> tuple[str, str]:
    """The provider creates a customer for its reseller: (customer id, its Global admin's user name)."""
    made = api.call(
        "POST",
        "/v1/customers",
        world.provider.token,
        json={
            "companyProfile": {"domain": f"{new_id()[:8]}.example", "companyName": name},
            "billingProfile": {"email": "gena@wingtip.example", "defaultAddress": {"country": "US"}},
            "associatedPartnerId": world.reseller.partner_id,
        },
    )
    assert made.status_code == 201, made.text
    return made.json()["id"], made.json()["userCredentials"]["userName"]


def test_each_side_lists_the_other_in_partner_centers_shape(api: Api) -> None:
    world = partnered(api)
    resellers = api.call(
        "GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", world.provider.token
    )
    assert resellers.status_code == 200, resellers.text
    body = resellers.json()
    assert body["totalCount"] == 1 and body["attributes"] == {"objectType": "Collection"}
    item = body["items"][0]
    assert (item["id"], item["name"], item["mpnId"], item["state"]) == (
        world.reseller.partner_id,
        "Adatum Rivendita",
        world.reseller.mpn_id,
        "Active",
    )
    assert item["relationshipType"] == "is_indirect_cloud_solution_provider_of"
    assert item["partnershipId"] == world.partnership_id
    _assert_shape(body, _response_json("retrieve-a-list-of-indirect-resellers"), not_ours={"items[].location"})

    providers = api.call("GET", "/v1/relationships?relationship_type=isindirectresellerof", world.reseller.token)
    assert providers.status_code == 200
    assert [(p["id"], p["relationshipType"]) for p in providers.json()["items"]] == [
        (world.provider.partner_id, "is_indirect_reseller_of")
    ]


def test_relationship_type_is_required_and_roles_apply(api: Api) -> None:
    world = partnered(api)
    for query in ("", "?relationship_type=", "?relationship_type=IsFriendOf"):
        answer = api.call("GET", f"/v1/relationships{query}", world.provider.token)
        assert answer.status_code == 400 and answer.json()["data"][0]["field"] == "relationship_type"
    direct = api.partner()
    assert (
        api.call(
            "GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", direct.token
        ).status_code
        == 403
    )
    assert api.call("GET", "/v1/relationships?relationship_type=IsIndirectResellerOf", direct.token).status_code == 403
    assert api.call("GET", "/v1/relationships?relationship_type=IsIndirectResellerOf").status_code == 401


def test_a_customers_indirect_resellers(api: Api) -> None:
    world = partnered(api)
    customer_id, _admin = customer_for_reseller(api, world)
    listed = api.call("GET", f"/v1/customers/{customer_id}/relationships", world.provider.token)
    assert listed.status_code == 200, listed.text
    assert [r["id"] for r in listed.json()["items"]] == [world.reseller.partner_id]
    _assert_shape(listed.json(), _response_json("get-indirect-resellers-of-a-customer"))
    assert api.call("GET", f"/v1/customers/{new_id()}/relationships", world.provider.token).status_code == 404
    stranger = api.partner(partner_type="indirect-provider")
    assert api.call("GET", f"/v1/customers/{customer_id}/relationships", stranger.token).status_code == 404


def test_ending_a_partnership_and_its_refusals(api: Api) -> None:
    world = partnered(api)
    again = api.call("POST", "/v1/partnerships", world.provider.token, json={"resellerId": world.reseller.partner_id})
    assert again.status_code == 409
    unknown = api.call("POST", "/v1/partnerships", world.provider.token, json={"resellerMpnId": "0000000"})
    assert unknown.status_code == 404
    assert api.call("POST", "/v1/partnerships", world.provider.token, json={}).status_code == 400
    assert api.call("POST", "/v1/partnerships", world.provider.token, json={"resellerId": 7}).status_code == 400
    by_reseller = api.call(
        "POST", "/v1/partnerships", world.reseller.token, json={"resellerId": world.reseller.partner_id}
    )
    assert by_reseller.status_code == 403

    stranger = api.partner(partner_type="indirect-reseller")
    for action in ("accept", "end"):
        foreign = api.call("POST", f"/v1/partnerships/{world.partnership_id}/{action}", stranger.token)
        assert (
            foreign.status_code == 404
            and foreign.json()["code"]
            == api.call("POST", f"/v1/partnerships/{new_id()}/{action}", stranger.token).json()["code"]
        )
    ended = api.call(
        "POST", f"/v1/partnerships/{world.partnership_id}/end", world.reseller.token, headers={"MS-RequestId": "end-1"}
    )
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert ended.json()["endedByPartnerId"] == world.reseller.partner_id
    replay = api.call(
        "POST", f"/v1/partnerships/{world.partnership_id}/end", world.reseller.token, headers={"MS-RequestId": "end-1"}
    )
    assert replay.status_code == 200 and replay.json() == ended.json()
    twice = api.call("POST", f"/v1/partnerships/{world.partnership_id}/end", world.provider.token)
    assert twice.status_code == 400
    listed = api.call(
        "GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", world.provider.token
    ).json()
    assert listed["items"] == []
    with_ended = api.call(
        "GET",
        "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf&includeEnded=true",
        world.provider.token,
    ).json()
    assert [i["state"] for i in with_ended["items"]] == ["Ended"]
    # accepting is for the reseller's Global admin, and only while invited
    invite = api.call(
        "POST", "/v1/partnerships", world.provider.token, json={"resellerMpnId": world.reseller.mpn_id}
    ).json()
    assert api.call("POST", f"/v1/partnerships/{invite['id']}/accept", world.provider.token).status_code == 403
    assert (
        api.call("POST", f"/v1/partnerships/{invite['id']}/accept", world.reseller.tokens["admin_agent"]).status_code
        == 403
    )
    assert api.call("POST", f"/v1/partnerships/{invite['id']}/accept", world.reseller.token).status_code == 200
    assert api.call("POST", f"/v1/partnerships/{invite['id']}/accept", world.reseller.token).status_code == 400

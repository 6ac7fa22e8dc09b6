"""A subscription's support contact over HTTP: the default, designating the indirect reseller with Partner
Center's own request body, and the refusals."""

from __future__ import annotations

import json

from partnerhub.ids import new_id
from tests.api.conftest import Api
from tests.api.test_contract import _assert_shape, _body, _example, _response_json
from tests.api.test_relationships import IndirectApi, customer_for_reseller, partnered
from tests.factories import M365_BASIC, M365_E3


def _subscription(api: Api, world: IndirectApi, customer_id: str, offer: str = M365_E3) -> str:
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        world.provider.token,
        json={"lineItems": [{"offerId": offer, "quantity": 3, "partnerIdOnRecord": world.reseller.mpn_id}]},
    )
    assert order.status_code == 201, order.text
    return str(order.json()["lineItems"][0]["subscriptionId"])


def test_the_provider_designates_its_reseller_with_partner_centers_request(api: Api) -> None:
    world = partnered(api)
    customer_id, _ = customer_for_reseller(api, world)
    sid = _subscription(api, world, customer_id)
    path = f"/v1/customers/{customer_id}/subscriptions/{sid}/supportcontact"

    default = api.call("GET", path, world.provider.token)
    assert default.status_code == 200, default.text
    assert default.json()["supportTenantId"] == world.provider.partner_id
    assert default.json()["name"] == "Tailspin Distribution"
    _assert_shape(default.json(), _response_json("get-a-subscription-s-support-contact"))

    sent = _body(_example("update-a-subscription-s-support-contact", "request"))
    sent = sent.replace("3B33E682-00C3-41EE-9DD2-A548ADF56438", world.reseller.partner_id.upper())
    sent = sent.replace('"4391507"', json.dumps(world.reseller.mpn_id))
    changed = api.call("PUT", path, world.provider.token, content=sent, headers={"MS-RequestId": "contact-1"})
    assert changed.status_code == 200, changed.text
    contact = changed.json()
    assert (contact["supportTenantId"], contact["supportMpnId"], contact["name"]) == (
        world.reseller.partner_id,
        world.reseller.mpn_id,
        "Adatum Rivendita",
    )
    assert contact["attributes"]["objectType"] == "SupportContact"
    assert contact["attributes"]["etag"] != default.json()["attributes"]["etag"]
    _assert_shape(contact, _response_json("update-a-subscription-s-support-contact"))
    replay = api.call("PUT", path, world.provider.token, content=sent, headers={"MS-RequestId": "contact-1"})
    assert replay.json() == contact
    assert api.call("GET", path, world.provider.token).json() == contact
    assert api.call("GET", path, world.reseller.token).json()["supportTenantId"] == world.reseller.partner_id

    back = api.call("PUT", path, world.provider.tokens["helpdesk_agent"], json={"supportMpnId": world.provider.mpn_id})
    assert back.status_code == 200 and back.json()["supportTenantId"] == world.provider.partner_id


def test_support_contact_refusals(api: Api) -> None:
    world = partnered(api)
    customer_id, _ = customer_for_reseller(api, world)
    sid = _subscription(api, world, customer_id, M365_BASIC)
    path = f"/v1/customers/{customer_id}/subscriptions/{sid}/supportcontact"
    assert api.call("PUT", path, world.provider.token, json={}).status_code == 400
    assert api.call("PUT", path, world.provider.token, json={"supportMpnId": 42}).status_code == 400
    assert api.call("PUT", path, world.provider.token, json={"supportMpnId": "0000000"}).status_code == 404
    direct = api.partner(partner_type="direct")
    not_allowed = api.call("PUT", path, world.provider.token, json={"supportTenantId": direct.partner_id})
    assert not_allowed.status_code == 400
    assert (
        api.call(
            "PUT", path, world.provider.tokens["sales_agent"], json={"supportMpnId": world.reseller.mpn_id}
        ).status_code
        == 403
    )
    # the reseller of record sees the subscription but does not own it
    assert api.call("PUT", path, world.reseller.token, json={"supportMpnId": world.reseller.mpn_id}).status_code == 403
    for p in (
        f"/v1/customers/{customer_id}/subscriptions/{new_id()}/supportcontact",
        f"/v1/customers/{new_id()}/subscriptions/{sid}/supportcontact",
    ):
        assert api.call("GET", p, world.provider.token).status_code == 404
        assert api.call("PUT", p, world.provider.token, json={"supportMpnId": world.reseller.mpn_id}).status_code == 404
    stranger = api.partner()
    assert api.call("GET", path, stranger.token).status_code == 404
    assert api.call("GET", path).status_code == 401

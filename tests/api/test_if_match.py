"""Optimistic concurrency on every update (issue 15 §4): `PATCH /v1/customers/{id}` and
`PUT .../supportcontact` take `If-Match` (else `attributes.etag` in the body); without it the update
applies, a stale one is 400 with 2055, and every answer carries the current etag. A customer's etag covers
everything its answer shows, the relationship's `allowDelegatedAccess` and `relationshipToPartner` included."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_relationships import customer_for_reseller, partnered
from tests.factories import M365_E3


def test_a_customers_etag_changes_with_its_relationship_and_a_stale_one_is_refused(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    path = f"/v1/customers/{customer_id}"
    read = api.call("GET", path, partner.token).json()
    etag = read["attributes"]["etag"]
    listed = api.call("GET", "/v1/customers", partner.token).json()["items"]
    assert [c["attributes"]["etag"] for c in listed] == [etag]

    # DAP removed without If-Match: it applies, and the answer carries a new etag
    dap_off = api.call("PATCH", path, partner.token, json={"allowDelegatedAccess": False})
    assert dap_off.status_code == 200, dap_off.text
    new_etag = dap_off.json()["attributes"]["etag"]
    assert new_etag != etag
    assert api.call("GET", path, partner.token).json()["attributes"]["etag"] == new_etag

    # the etag read before the change is stale: refused, nothing removed
    stale = api.call(
        "PATCH", path, partner.token, json={"relationshipToPartner": "none"}, headers={"If-Match": f'W/"{etag}"'}
    )
    assert stale.status_code == 400, stale.text
    assert stale.json()["code"] == 2055
    assert api.call("GET", path, partner.token).status_code == 200
    stale_in_body = api.call(
        "PATCH", path, partner.token, json={"relationshipToPartner": "none", "attributes": {"etag": etag}}
    )
    assert stale_in_body.status_code == 400 and stale_in_body.json()["code"] == 2055

    # the current one applies
    removed = api.call(
        "PATCH", path, partner.token, json={"relationshipToPartner": "none"}, headers={"If-Match": f'"{new_etag}"'}
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["relationshipToPartner"] == "none"


def test_a_billing_profile_change_makes_the_customers_etag_stale(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    etag = api.call("GET", f"/v1/customers/{customer_id}", partner.token).json()["attributes"]["etag"]
    changed = api.call(
        "PUT", f"/v1/customers/{customer_id}/profiles/billing", partner.token, json={"email": "new@example.com"}
    )
    assert changed.status_code == 200, changed.text

    stale = api.call(
        "PATCH",
        f"/v1/customers/{customer_id}",
        partner.token,
        json={"allowDelegatedAccess": False},
        headers={"If-Match": etag},
    )

    assert stale.status_code == 400 and stale.json()["code"] == 2055
    assert api.call("GET", f"/v1/customers/{customer_id}", partner.token).json()["allowDelegatedAccess"] is True


def test_the_support_contact_carries_an_etag_and_refuses_a_stale_one(api: Api) -> None:
    world = partnered(api)
    customer_id, _ = customer_for_reseller(api, world)
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        world.provider.token,
        json={"lineItems": [{"offerId": M365_E3, "quantity": 3, "partnerIdOnRecord": world.reseller.mpn_id}]},
    )
    sid = order.json()["lineItems"][0]["subscriptionId"]
    path = f"/v1/customers/{customer_id}/subscriptions/{sid}/supportcontact"
    etag = api.call("GET", path, world.provider.token).json()["attributes"]["etag"]

    changed = api.call(
        "PUT", path, world.provider.token, json={"supportMpnId": world.reseller.mpn_id}, headers={"If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["attributes"]["etag"] != etag

    stale = api.call(
        "PUT", path, world.provider.token, json={"supportMpnId": world.provider.mpn_id}, headers={"If-Match": etag}
    )
    assert stale.status_code == 400 and stale.json()["code"] == 2055
    assert api.call("GET", path, world.provider.token).json()["supportTenantId"] == world.reseller.partner_id

    without = api.call("PUT", path, world.provider.token, json={"supportMpnId": world.provider.mpn_id})
    assert without.status_code == 200 and without.json()["supportTenantId"] == world.provider.partner_id


def test_an_invitations_resend_and_revoke_take_if_match(api: Api) -> None:
    partner = api.partner()
    created = api.call("POST", "/v1/relationshiprequests", partner.token, json={}).json()
    etag = created["attributes"]["etag"]
    [listed] = api.call("GET", "/v1/relationshiprequests", partner.token).json()["items"]
    assert listed["attributes"]["etag"] == etag

    # a colleague resends it: the old invitation is revoked, so the etag read before is stale
    resent = api.call(
        "POST",
        f"/v1/relationshiprequests/{created['id']}/resend",
        partner.tokens["admin_agent"],
        headers={"If-Match": f'"{etag}"'},
    )
    assert resent.status_code == 201, resent.text
    new = resent.json()
    assert new["attributes"]["etag"] != etag
    stale = api.call(
        "POST", f"/v1/relationshiprequests/{created['id']}/resend", partner.token, headers={"If-Match": etag}
    )
    assert stale.status_code == 400 and stale.json()["code"] == 2055, stale.text
    stale_revoke = api.call(
        "POST", f"/v1/relationshiprequests/{created['id']}/revoke", partner.token, headers={"If-Match": etag}
    )
    assert stale_revoke.status_code == 400 and stale_revoke.json()["code"] == 2055
    items = api.call("GET", "/v1/relationshiprequests", partner.token).json()["items"]
    assert sorted(i["status"] for i in items) == ["revoked", "sent"]  # nothing more was resent

    # the new invitation's current etag applies, and the answer carries the etag of what it shows now
    revoked = api.call(
        "POST",
        f"/v1/relationshiprequests/{new['id']}/revoke",
        partner.token,
        headers={"If-Match": new["attributes"]["etag"]},
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["attributes"]["etag"] not in (etag, new["attributes"]["etag"])
    [again] = [
        i for i in api.call("GET", "/v1/relationshiprequests", partner.token).json()["items"] if i["id"] == new["id"]
    ]
    assert again["attributes"]["etag"] == revoked.json()["attributes"]["etag"]

"""Suspension reasons over HTTP (issue 15 §3): Partner Center's `suspensionReasons` and our `suspensions`,
a note when suspending, the provider's suspension of a subscription sold through its reseller, and a
reactivation that lifts only the caller's own reasons."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_relationships import IndirectApi, customer_for_reseller, partnered
from tests.factories import M365_E3


def _sold(api: Api, world: IndirectApi) -> tuple[str, str]:
    customer_id, _ = customer_for_reseller(api, world)
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        world.provider.token,
        json={"lineItems": [{"offerId": M365_E3, "quantity": 3, "partnerIdOnRecord": world.reseller.mpn_id}]},
    )
    assert order.status_code == 201, order.text
    return customer_id, str(order.json()["lineItems"][0]["subscriptionId"])


def test_each_party_suspends_for_its_own_reason_and_lifts_only_its_own(api: Api) -> None:
    world = partnered(api)
    customer_id, sid = _sold(api, world)
    path = f"/v1/customers/{customer_id}/subscriptions/{sid}"

    by_provider = api.call(
        "PATCH", path, world.provider.token, json={"status": "suspended", "suspensionNote": "Non-payment of invoice 42"}
    )
    assert by_provider.status_code == 200, by_provider.text
    body = by_provider.json()
    assert body["status"] == "suspended"
    assert body["suspensionReasons"] == ["ProviderInitiated"]
    [detail] = body["suspensions"]
    assert detail["reason"] == "ProviderInitiated"
    assert detail["initiatorPartnerId"] == world.provider.partner_id
    assert detail["initiatedBy"] == world.provider.actors["admin"].email
    assert detail["note"] == "Non-payment of invoice 42"
    assert detail["at"].endswith("Z")

    # the reseller cannot lift the provider's reason: 400 with our code, naming the reason and whose it is
    refused = api.call("PATCH", path, world.reseller.token, json={"status": "active"}, headers={"X-Locale": "it"})
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == 800600
    assert refused.json()["data"] == [
        {
            "reason": "ProviderInitiated",
            "initiatorPartnerId": world.provider.partner_id,
            "initiator": "Tailspin Distribution",
        }
    ]
    assert "resta sospesa" in refused.json()["description"]

    # the reseller suspends it too: both reasons, in the order they came
    both = api.call("PATCH", path, world.reseller.token, json={"Status": "Suspended"})
    assert both.status_code == 200, both.text
    assert both.json()["suspensionReasons"] == ["ProviderInitiated", "ResellerInitiated"]
    assert both.json()["suspensions"][1]["note"] is None

    # the provider lifts its own: 200, still suspended, and the answer says which reason is left and whose
    lifted = api.call("PATCH", path, world.provider.token, json={"status": "active"})
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["status"] == "suspended"
    assert [(s["reason"], s["initiatorPartnerId"]) for s in lifted.json()["suspensions"]] == [
        ("ResellerInitiated", world.reseller.partner_id)
    ]

    active = api.call("PATCH", path, world.reseller.token, json={"status": "active"})
    assert active.status_code == 200, active.text
    assert (active.json()["status"], active.json()["suspensionReasons"], active.json()["suspensions"]) == (
        "active",
        [],
        [],
    )
    listed = api.call("GET", f"/v1/customers/{customer_id}/subscriptions", world.provider.token)
    assert listed.json()["items"][0]["suspensions"] == []


def test_a_note_too_long_is_a_400_naming_the_field(api: Api) -> None:
    world = partnered(api)
    customer_id, sid = _sold(api, world)

    refused = api.call(
        "PATCH",
        f"/v1/customers/{customer_id}/subscriptions/{sid}",
        world.provider.token,
        json={"status": "suspended", "suspensionNote": "x" * 501},
    )

    assert refused.status_code == 400, refused.text
    assert "suspensionNote" in refused.json()["description"]
    got = api.call("GET", f"/v1/customers/{customer_id}/subscriptions/{sid}", world.provider.token)
    assert got.json()["status"] == "active"

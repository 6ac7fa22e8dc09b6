"""A shared customer's billing profile over the API (issue 12, F4): the indirect provider and its reseller
both change it, each over the etag it read; a missing etag (800184) or a stale one (2055) is refused; each
change is in both partners' activity log (`GET /v1/auditrecords`)."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import Api, ApiPartner
from tests.api.test_relationships import customer_for_reseller, partnered

OP = "update_customer_billing_profile"


def _changes(api: Api, partner: ApiPartner) -> list[dict[str, Any]]:
    answer = api.call("GET", "/v1/auditrecords", partner.token)
    assert answer.status_code == 200, answer.text
    return [r for r in answer.json()["items"] if r["operationType"] == OP]


def test_both_partners_change_it_over_the_etag_and_both_logs_show_each_change(api: Api) -> None:
    world = partnered(api)
    customer_id, _ = customer_for_reseller(api, world)
    path = f"/v1/customers/{customer_id}/profiles/billing"
    read = api.call("GET", path, world.reseller.token).json()
    etag = read["attributes"]["etag"]

    blind = api.call("PUT", path, world.provider.token, json={"email": "billing@wingtip.example"})
    assert blind.status_code == 400 and blind.json()["code"] == 800184, blind.text

    changed = api.call(
        "PUT", path, world.reseller.token, json={**read, "email": "ap@wingtip.example"}, headers={"If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    new_etag = changed.json()["attributes"]["etag"]
    assert new_etag != etag

    stale = api.call(
        "PUT", path, world.provider.token, json={"email": "billing@wingtip.example", "attributes": {"etag": etag}}
    )
    assert stale.status_code == 400 and stale.json()["code"] == 2055
    assert api.call("GET", path, world.provider.token).json()["email"] == "ap@wingtip.example"

    again = api.call(
        "PUT",
        path,
        world.provider.token,
        json={"email": "billing@wingtip.example"},
        headers={"If-Match": f'"{new_etag}"'},
    )
    assert again.status_code == 200, again.text

    for partner in (world.provider, world.reseller):
        seen = _changes(api, partner)
        assert [json.loads(r["resourceNewValue"]) for r in seen] == [
            {"email": "billing@wingtip.example"},
            {"email": "ap@wingtip.example"},
        ]
        assert {r["customerId"] for r in seen} == {customer_id}
    by_reseller = _changes(api, world.provider)[1]
    assert by_reseller["userPrincipalName"] == "Adatum Rivendita"  # the partner that acted, not its user


def test_the_refusal_speaks_italian(api: Api) -> None:
    world = partnered(api)
    customer_id, _ = customer_for_reseller(api, world)
    blind = api.call(
        "PUT",
        f"/v1/customers/{customer_id}/profiles/billing",
        world.provider.token,
        json={"city": "Roma"},
        headers={"X-Locale": "it-IT"},
    )
    assert blind.status_code == 400
    assert "è condiviso con un altro partner" in blind.json()["description"]

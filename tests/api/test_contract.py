"""Contract tests: the request bodies of the Partner Center REST reference sent verbatim (PascalCase,
trailing commas and all; placeholders filled in), and our answers carry the keys of its examples."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api, ApiPartner
from tests.factories import AZURE_RESERVATION, M365_BASIC

EXAMPLES = Path(__file__).parents[3] / "shared" / "reference" / "partner-center-rest-examples.json"


def _example(doc: str, kind: str, index: int = 0) -> str:
    found = [
        e["text"]
        for e in json.loads(EXAMPLES.read_text())["examples"]
        if e["doc"] == f"developer/{doc}.md" and e["kind"] == kind
    ]
    return found[index]


def _body(text: str) -> str:
    """The JSON part of an HTTP example (after the headers)."""
    return text[text.index("{") :]


def _response_json(doc: str, index: int = 0) -> dict[str, Any]:
    body = re.sub(r",(\s*[}\]])", r"\1", _body(_example(doc, "response", index)))
    result: dict[str, Any] = json.loads(body)
    return result


def _keys(value: Any) -> set[str]:
    """Every property path of a JSON value (list items merged), lower-cased like our matching."""
    out: set[str] = set()

    def walk(v: Any, prefix: str) -> None:
        if isinstance(v, dict):
            for k, child in v.items():
                path = f"{prefix}.{k.lower()}" if prefix else k.lower()
                out.add(path)
                walk(child, path)
        elif isinstance(v, list):
            for child in v:
                walk(child, prefix + "[]")

    walk(value, "")
    return out


def _assert_shape(ours: Any, theirs: Any, *, not_ours: frozenset[str] | set[str] = frozenset()) -> None:
    missing = {k for k in _keys(theirs) - _keys(ours) if not any(k.startswith(n) for n in not_ours)}
    assert missing == set(), f"keys of the Partner Center example missing from our answer: {sorted(missing)}"


@pytest.fixture
def partner(api: Api) -> ApiPartner:
    return api.partner()


def test_create_a_customer_example(api: Api, partner: ApiPartner) -> None:
    sent = _body(_example("create-a-customer", "request"))
    assert ",\n" in sent and '"CompanyProfile"' in sent  # the example keeps Partner Center's slips
    response = api.call(
        "POST",
        "/v1/customers",
        partner.token,
        content=sent,
        headers={"MS-RequestId": "94e4e214-6b06-4fb7-96d1-94d559f9b47f", "X-Locale": "en-US"},
    )
    assert response.status_code == 201, response.text
    ours = response.json()
    assert ours["companyProfile"]["domain"] == "xyz.ccsctp.net"
    assert ours["billingProfile"]["defaultAddress"]["city"] == "Redmond"
    assert ours["userCredentials"]["userName"] == "admin@xyz.ccsctp.net"
    # enableGDAPByDefault is an echo of a request flag we do not take; the rest is there
    _assert_shape(ours, _response_json("create-a-customer"), not_ours={"enablegdapbydefault"})
    _assert_shape(ours, _response_json("create-a-customer-for-an-indirect-reseller"), not_ours={"associatedpartnerid"})


def test_get_a_customer_by_id_and_by_name_examples(api: Api, partner: ApiPartner) -> None:
    customer_id, _ = api.customer(partner, name="Contoso Ltd")
    one = api.call("GET", f"/v1/customers/{customer_id}", partner.token)
    assert one.status_code == 200
    # The example's company profile carries an address and e-mail we keep only in the billing profile.
    _assert_shape(
        one.json(),
        _response_json("get-a-customer-by-id"),
        not_ours={"companyprofile.address", "companyprofile.email", "customdomains"},
    )
    request_line = _example("get-a-customer-by-name", "request").splitlines()[0]
    path = request_line.split("api.partnercenter.microsoft.com")[1].split(" ")[0]
    found = api.call("GET", path, partner.token)
    assert found.status_code == 200, found.text
    assert [c["companyProfile"]["companyName"] for c in found.json()["items"]] == ["Contoso Ltd"]
    _assert_shape(found.json(), _response_json("get-a-customer-by-name"))


def test_order_suspend_reactivate_and_remove_examples(api: Api, partner: ApiPartner) -> None:
    customer_id, _ = api.customer(partner)
    sent = _body(_example("create-an-order", "request")).replace("DZH318Z0BQ4B:0047:DZH318Z0DSM8", AZURE_RESERVATION)
    order = api.call("POST", f"/v1/customers/{customer_id}/orders", partner.token, content=sent)
    assert order.status_code == 201, order.text
    _assert_shape(
        order.json(), _response_json("create-an-order"), not_ours={"lineitems[].links.sku", "links.provisioningstatus"}
    )
    got = api.call("GET", f"/v1/customers/{customer_id}/orders/{order.json()['id']}", partner.token)
    assert got.json() == order.json()
    _assert_shape(
        got.json(),
        _response_json("get-an-order-by-id"),
        not_ours={"lineitems[].links.sku", "links.provisioningstatus", "currencysymbol"},
    )

    basic = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 2, "friendlyName": "nickname"}]},
    )
    sid = basic.json()["lineItems"][0]["subscriptionId"]
    path = f"/v1/customers/{customer_id}/subscriptions/{sid}"
    for doc, index, status in (
        ("suspend-a-subscription", 0, "suspended"),
        ("reactivate-a-suspended-a-subscription", 1, "active"),
    ):
        current = api.call("GET", path, partner.token).json()
        sent = _body(_example(doc, "request", index)).replace("<etag>", current["attributes"]["etag"])
        patched = api.call(
            "PATCH", path, partner.token, content=sent, headers={"If-Match": current["attributes"]["etag"]}
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["status"] == status
    _assert_shape(
        api.call("GET", path, partner.token).json(),
        _response_json("get-a-subscription-by-id"),
        not_ours={"entitlementid", "billingtype", "links.offer"},
    )

    blocked = api.call(
        "PATCH",
        f"/v1/customers/{customer_id}",
        partner.token,
        content=_body(_example("remove-a-reseller-relationship-with-a-customer", "request")),
    )
    assert blocked.status_code == 400 and blocked.json()["code"] == 800100
    for s in api.call("GET", f"/v1/customers/{customer_id}/subscriptions", partner.token).json()["items"]:
        if s["status"] == "active" and s["offerId"] != AZURE_RESERVATION:
            api.call(
                "PATCH",
                f"/v1/customers/{customer_id}/subscriptions/{s['id']}",
                partner.token,
                json={"Status": "Suspended"},
            )
        elif s["status"] == "active":
            api.call(
                "PATCH",
                f"/v1/customers/{customer_id}/subscriptions/{s['id']}",
                partner.token,
                json={"status": "deleted"},
            )
    removed = api.call(
        "PATCH",
        f"/v1/customers/{customer_id}",
        partner.token,
        content=_body(_example("remove-a-reseller-relationship-with-a-customer", "request")),
    )
    assert removed.status_code == 200, removed.text
    _assert_shape(removed.json(), _response_json("remove-a-reseller-relationship-with-a-customer"))


def test_subscriptions_collection_and_relationship_request_examples(api: Api, partner: ApiPartner) -> None:
    customer_id, _ = api.customer(partner)
    api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
    )
    listed = api.call("GET", f"/v1/customers/{customer_id}/subscriptions", partner.token)
    expected = json.loads(_example("get-all-of-a-customer-s-subscriptions", "json"))
    _assert_shape(
        listed.json(),
        expected,
        not_ours={
            "items[].producttype",
            "items[].haspurchasableaddons",
            "items[].cancellationalloweduntildate",
            "items[].istrial",
            "items[].billingtype",
            "items[].renewaltermduration",
            "items[].ismicrosoftproduct",
            "items[].attentionneeded",
            "items[].actiontaken",
            "items[].links.product",
            "items[].links.sku",
            "items[].links.availability",
            "items[].publishername",
        },
    )
    link = api.call("GET", "/v1/customers/relationshiprequests", partner.token)
    assert link.status_code == 200
    assert link.json()["url"].startswith("https://partnerhub.example/invitations/")
    _assert_shape(link.json(), _response_json("request-reseller-relationship"))


def test_audit_records_example(api: Api, partner: ApiPartner) -> None:
    customer_id, _ = api.customer(partner)
    api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
    )
    request_line = _example("get-a-record-of-partner-center-activity-by-user", "request").splitlines()[0]
    path = request_line.split("api.partnercenter.microsoft.com")[1].split(" ")[0]
    path = path.replace("0c39d6d5-c70d-4c55-bc02-f620844f3fd1", customer_id).replace("6/1/2017", "1/1/2020")
    records = api.call("GET", path, partner.token)
    assert records.status_code == 200, records.text
    items = records.json()["items"]
    assert {r["operationType"] for r in items} == {"add_customer", "create_order"}
    _assert_shape(
        records.json(),
        _response_json("get-a-record-of-partner-center-activity-by-user"),
        not_ours={"items[].customizeddata[].key"},
    )

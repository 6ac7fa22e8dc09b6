"""The relationship lifecycle on the customer's side over HTTP (issue 15 §1, §2): the customer's Global admin
declines an invitation, reads its inbox at GET /v1/relationshiprequests and answers from it by id; both sides
filter on every status; and the customer ends a partner's reseller relationship with
DELETE /v1/customers/{customer_id}/partners/{partner_id}, under the seed's precondition."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from partnerhub.clock import frozen_at, utc_now
from tests.activity import activity
from tests.api.conftest import Api, ApiPartner
from tests.api.test_query_budgets import counting
from tests.factories import M365_BASIC

REQUESTS = "/v1/relationshiprequests"


def _invite(api: Api, partner: ApiPartner, customer_id: str | None = None, **body: Any) -> dict[str, Any]:
    created = api.call(
        "POST", REQUESTS, partner.token, json={**({"customerId": customer_id} if customer_id else {}), **body}
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def _buy(api: Api, partner: ApiPartner, customer_id: str) -> str:
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
    )
    assert order.status_code == 201, order.text
    return str(order.json()["lineItems"][0]["subscriptionId"])


# --- decline -----------------------------------------------------------------------------------------------


def test_the_customer_declines_with_its_own_token_and_the_partner_sees_it(api: Api) -> None:
    partner = api.partner(name="Contoso Direct")
    customer_id, customer_token = api.customer(partner)
    created = _invite(api, partner, customer_id)
    declined = api.call("POST", f"{REQUESTS}/{created['code']}/decline", customer_token)
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined" and declined.json()["id"] == created["id"]
    assert created["code"] not in declined.text
    [item] = api.call("GET", REQUESTS, partner.token).json()["items"]
    assert (item["id"], item["status"]) == (created["id"], "declined") and "links" not in item
    again = api.call("POST", f"{REQUESTS}/{created['code']}/accept", customer_token)
    assert (again.status_code, again.json()["code"]) == (400, 800117)
    [record] = activity(api.engine, operation="decline_relationship_request")
    assert record.partner_id == partner.partner_id and record.customer_id == customer_id


def test_only_the_customers_global_admin_declines(api: Api) -> None:
    partner = api.partner()
    created = _invite(api, partner)
    for token in (partner.token, api.partner().token):
        refused = api.call("POST", f"{REQUESTS}/{created['code']}/decline", token)
        assert (refused.status_code, refused.json()["code"]) == (403, 800119)
    _, customer_token = api.customer(api.partner())
    assert api.call("POST", f"{REQUESTS}/no-such-code/decline", customer_token).status_code == 404
    link = api.call("GET", "/v1/customers/relationshiprequests", partner.token).json()["url"]
    refused = api.call("POST", f"{REQUESTS}/{link.rsplit('/', 1)[1]}/decline", customer_token)
    assert (refused.status_code, refused.json()["code"]) == (400, 800118)


def test_a_decline_replayed_with_the_same_request_id_changes_nothing_twice(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    created = _invite(api, partner, customer_id)
    headers = {"MS-RequestId": "5f8b0c1e-6f3e-4b4e-9a57-1a2b3c4d5e6f"}
    first = api.call("POST", f"{REQUESTS}/{created['code']}/decline", customer_token, headers=headers)
    replay = api.call("POST", f"{REQUESTS}/{created['code']}/decline", customer_token, headers=headers)
    assert first.status_code == replay.status_code == 200 and first.json() == replay.json()
    assert len(activity(api.engine, operation="decline_relationship_request")) == 1


# --- the customer's inbox ------------------------------------------------------------------------------------


def test_the_customer_token_reads_its_inbox_from_every_partner(api: Api) -> None:
    contoso, litware = api.partner(name="Contoso Direct"), api.partner(name="Litware Cloud")
    customer_id, customer_token = api.customer(contoso)
    ours = _invite(api, contoso, customer_id, includeDelegatedAdmin=True)
    _invite(api, contoso)  # addressed to nobody: in no inbox
    other_customer, _ = api.customer(litware)
    _invite(api, litware, other_customer)  # someone else's inbox
    inbox = api.call("GET", REQUESTS, customer_token)
    assert inbox.status_code == 200, inbox.text
    [item] = inbox.json()["items"]
    assert item["id"] == ours["id"] and item["status"] == "sent"
    assert (item["partnerId"], item["partnerName"], item["includeDelegatedAdmin"]) == (
        contoso.partner_id,
        "Contoso Direct",
        True,
    )
    assert "code" not in item and ours["code"] not in inbox.text and "url" not in item
    assert item["links"]["accept"] == {"uri": f"{REQUESTS}/{ours['id']}/accept", "method": "POST", "headers": []}
    assert item["links"]["decline"]["uri"] == f"{REQUESTS}/{ours['id']}/decline"
    assert item["attributes"]["objectType"] == "RelationshipRequest"


def test_the_customer_answers_from_its_inbox_by_id(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner, dap=False)
    first, second = _invite(api, partner, customer_id), _invite(api, partner, customer_id, includeDelegatedAdmin=True)
    assert api.call("POST", f"{REQUESTS}/{first['id']}/decline", customer_token).status_code == 200
    accepted = api.call("POST", f"{REQUESTS}/{second['id']}/accept", customer_token)
    assert accepted.status_code == 200 and accepted.json()["allowDelegatedAccess"] is True, accepted.text
    assert api.call("GET", REQUESTS, customer_token).json()["items"] == []
    declined = api.call("GET", REQUESTS, customer_token, params={"status": "declined"}).json()["items"]
    assert [i["id"] for i in declined] == [first["id"]] and "links" not in declined[0]
    _, stranger_token = api.customer(api.partner())
    assert api.call("POST", f"{REQUESTS}/{first['id']}/decline", stranger_token).status_code == 404


# --- status filters --------------------------------------------------------------------------------------


def test_the_partner_filters_on_every_status_and_an_unknown_one_is_refused(api: Api) -> None:
    partner = api.partner()
    _, customer_token = api.customer(api.partner())
    declined, accepted, revoked = _invite(api, partner), _invite(api, partner), _invite(api, partner)
    sent = _invite(api, partner)
    expired = _invite(api, partner, validDays=1)
    for path, token in (
        (f"{declined['code']}/decline", customer_token),
        (f"{accepted['code']}/accept", customer_token),
        (f"{revoked['id']}/revoke", partner.token),
    ):
        answered = api.call("POST", f"{REQUESTS}/{path}", token)
        assert answered.status_code == 200, answered.text
    with frozen_at(utc_now() + timedelta(days=2)):
        expected = {
            "sent": [sent["id"]],
            "accepted": [accepted["id"]],
            "declined": [declined["id"]],
            "expired": [expired["id"]],
            "revoked": [revoked["id"]],
        }
        for status, ids in expected.items():
            listed = api.call("GET", REQUESTS, partner.token, params={"status": status.upper()})
            assert listed.status_code == 200, listed.text
            assert sorted(i["id"] for i in listed.json()["items"]) == sorted(ids), status
            assert {i["status"] for i in listed.json()["items"]} <= {status}
    refused = api.call("GET", REQUESTS, partner.token, params={"status": "active"})
    assert (refused.status_code, refused.json()["code"]) == (400, 900)
    assert "sent, accepted, declined, expired, revoked" in refused.json()["description"]


# --- the customer ends a reseller relationship -------------------------------------------------------------


def _path(customer_id: str, partner: ApiPartner) -> str:
    return f"/v1/customers/{customer_id}/partners/{partner.partner_id}"


def test_the_customer_ends_it_once_nothing_is_active(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    subscription_id = _buy(api, partner, customer_id)
    refused = api.call("DELETE", _path(customer_id, partner), customer_token)
    assert (refused.status_code, refused.json()["code"]) == (400, 800100)
    assert refused.json()["data"] == [
        {"subscriptionId": subscription_id, "offerName": "Microsoft 365 Business Basic", "status": "active"}
    ]
    assert api.call("GET", f"/v1/customers/{customer_id}", partner.token).status_code == 200
    suspended = api.call(
        "PATCH",
        f"/v1/customers/{customer_id}/subscriptions/{subscription_id}",
        partner.token,
        json={"status": "suspended"},
    )
    assert suspended.status_code == 200, suspended.text

    ended = api.call("DELETE", _path(customer_id, partner), customer_token)
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert (body["partnerId"], body["customerId"], body["status"]) == (partner.partner_id, customer_id, "removed")
    assert (body["relationshipToPartner"], body["allowDelegatedAccess"], body["removedBy"]) == (
        "none",
        False,
        "customer",
    )
    assert api.call("GET", f"/v1/customers/{customer_id}", partner.token).status_code == 404
    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        partner.token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
    )
    assert (order.status_code, order.json()["code"]) == (403, 20002)
    assert api.call("DELETE", _path(customer_id, partner), customer_token).status_code == 404  # already ended


def test_the_partner_reads_the_ending_in_its_activity_log(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    assert api.call("DELETE", _path(customer_id, partner), customer_token).status_code == 200
    records = api.call(
        "GET",
        "/v1/auditrecords",
        partner.token,
        params={
            "filter": json.dumps(
                {"Field": "OperationType", "Value": "remove_partner_customer_relationship", "Operator": "equals"}
            )
        },
    ).json()["items"]
    [record] = records
    assert record["customerId"] == customer_id and record["userPrincipalName"].startswith("admin@")
    assert json.loads(record["resourceNewValue"])["initiatedBy"] == "customer"


@pytest.mark.parametrize("role", ["admin", "sales_agent"])
def test_a_partner_uses_the_same_route_for_its_own_relationship_only(api: Api, role: str) -> None:
    partner, stranger = api.partner(), api.partner()
    customer_id, _ = api.customer(partner)
    foreign = api.call("DELETE", _path(customer_id, partner), stranger.tokens[role])
    assert foreign.status_code == 404
    own = api.call("DELETE", _path(customer_id, partner), partner.tokens[role])
    if role == "admin":
        assert own.status_code == 200 and own.json()["removedBy"] == "partner"
        [record] = activity(api.engine, operation="remove_partner_customer_relationship")
        assert record.new_value == {"relationshipToPartner": "none", "allowDelegatedAccess": False}
    else:
        assert (own.status_code, own.json()["code"]) == (403, 800102)


def test_another_customers_admin_gets_not_found(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    _, other_token = api.customer(partner)
    assert api.call("DELETE", _path(customer_id, partner), other_token).status_code == 404
    assert activity(api.engine, operation="remove_partner_customer_relationship") == []


def test_the_inbox_costs_the_same_statements_for_one_request_or_many(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)

    def statements() -> int:
        with counting(api.engine) as seen:
            answer = api.call("GET", REQUESTS, customer_token)
        assert answer.status_code == 200, answer.text
        return len(seen)

    _invite(api, partner, customer_id)
    few = statements()
    for _ in range(8):
        _invite(api, partner, customer_id)
    assert statements() == few <= 2  # the token's actor, then the page with each partner's name

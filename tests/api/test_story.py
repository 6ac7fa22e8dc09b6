"""The seed's story over HTTP alone: create a customer, order, try to remove (refused with the list),
suspend each subscription, remove, see the customer gone, ask for the relationship again, accept as the
customer's Global admin with its own token, see the customer back."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.audit.models import ActivityRecord
from partnerhub.db import read_session
from tests.api.conftest import Api
from tests.factories import M365_BASIC, M365_E3


def test_the_seed_story_end_to_end(api: Api) -> None:
    partner = api.partner(name="Contoso Direct", domain="contoso-direct.example")
    token = partner.token

    created = api.call(
        "POST",
        "/v1/customers",
        token,
        json={
            "companyProfile": {"domain": "fabrikam.example", "companyName": "Fabrikam Srl"},
            "billingProfile": {
                "email": "anna@fabrikam.example",
                "culture": "it-IT",
                "language": "it",
                "companyName": "Fabrikam Srl",
                "defaultAddress": {
                    "firstName": "Anna",
                    "lastName": "Rossi",
                    "addressLine1": "Via Roma 1",
                    "city": "Milano",
                    "postalCode": "20100",
                    "country": "IT",
                },
            },
        },
        headers={"MS-CorrelationId": "story-1"},
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    customer_id = customer["id"]
    credentials = customer["userCredentials"]
    assert credentials["userName"] == "admin@fabrikam.example" and len(credentials["password"]) >= 12
    assert created.headers["MS-CorrelationId"] == "story-1"

    order = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        token,
        json={
            "billingCycle": "monthly",
            "lineItems": [
                {"lineItemNumber": 0, "offerId": M365_BASIC, "quantity": 5, "friendlyName": "Basic"},
                {"lineItemNumber": 1, "offerId": M365_E3, "quantity": 2},
            ],
        },
    )
    assert order.status_code == 201, order.text
    subscription_ids = [li["subscriptionId"] for li in order.json()["lineItems"]]

    refused = api.call("PATCH", f"/v1/customers/{customer_id}", token, json={"relationshipToPartner": "none"})
    assert refused.status_code == 400
    error = refused.json()
    assert error["code"] == 800100 and error["source"] == "partnerhub"
    assert sorted(d["subscriptionId"] for d in error["data"]) == sorted(subscription_ids)
    assert {d["status"] for d in error["data"]} == {"active"} and all(d["offerName"] for d in error["data"])

    for sid in subscription_ids:
        suspended = api.call(
            "PATCH", f"/v1/customers/{customer_id}/subscriptions/{sid}", token, json={"status": "suspended"}
        )
        assert suspended.status_code == 200, suspended.text
        assert suspended.json()["status"] == "suspended"

    removed = api.call(
        "PATCH",
        f"/v1/customers/{customer_id}",
        token,
        json={"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}},
        headers={"MS-CorrelationId": "story-remove"},
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["relationshipToPartner"] == "none"

    assert api.call("GET", f"/v1/customers/{customer_id}", token).status_code == 404
    assert api.call("GET", f"/v1/customers/{customer_id}/subscriptions", token).status_code == 404
    no_commerce = api.call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        token,
        json={"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
    )
    assert no_commerce.status_code == 403 and no_commerce.json()["code"] == 20002
    listed = api.call("GET", "/v1/customers", token).json()
    assert customer_id not in [c["id"] for c in listed["items"]]

    invitation = api.call("POST", "/v1/relationshiprequests", token, json={"customerId": customer_id, "language": "it"})
    assert invitation.status_code == 201, invitation.text
    invite = invitation.json()
    assert invite["status"] == "sent" and invite["url"].endswith(invite["code"]) and "Fabrikam" not in invite["url"]
    assert "Contoso Direct" in invite["emailText"]

    customer_token = _customer_token(api, credentials["userName"])
    accepted = api.call("POST", f"/v1/relationshiprequests/{invite['code']}/accept", customer_token)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["relationshipToPartner"] == "reseller"

    back = api.call("GET", f"/v1/customers/{customer_id}", token)
    assert back.status_code == 200 and back.json()["relationshipToPartner"] == "reseller"
    statuses = api.call("GET", "/v1/relationshiprequests", token).json()["items"]
    assert [r["status"] for r in statuses] == ["accepted"]

    with read_session(api.engine) as session:
        removal = session.scalars(
            select(ActivityRecord).where(ActivityRecord.operation_type == "remove_partner_customer_relationship")
        ).one()
    assert removal.correlation_id == "story-remove"


def _customer_token(api: Api, email: str) -> str:
    """The customer's Global admin gets its own token (`partnerhub token create --as EMAIL`)."""
    from partnerhub.auth.service import actor_for_email, create_token
    from partnerhub.db import transaction

    with transaction(api.engine) as session:
        return create_token(session, actor_for_email(session, email)).token

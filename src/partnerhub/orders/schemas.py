"""Order shapes in Partner Center's JSON, and the line-item input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partnerhub.clock import iso_utc
from partnerhub.orders.models import Order, OrderLineItem


@dataclass
class LineItemInput:
    offer_id: str
    quantity: int
    friendly_name: str | None = None
    term_duration: str | None = None
    parent_subscription_id: str | None = None
    partner_id_on_record: str | None = None
    line_item_number: int | None = None


def order_dict(order: Order, items: list[OrderLineItem]) -> dict[str, Any]:
    base = f"/customers/{order.customer_id}/orders/{order.id}"
    return {
        "id": order.id,
        "referenceCustomerId": order.customer_id,
        "billingCycle": order.billing_cycle,
        "currencyCode": order.currency_code,
        "lineItems": [
            {
                "lineItemNumber": li.line_item_number,
                "offerId": li.offer_id,
                "subscriptionId": li.subscription_id,
                "parentSubscriptionId": li.parent_subscription_id,
                "friendlyName": li.friendly_name,
                "quantity": li.quantity,
                "termDuration": li.term_duration,
                "partnerIdOnRecord": li.partner_id_on_record,
                "links": {
                    "subscription": {
                        "uri": f"/customers/{order.customer_id}/subscriptions/{li.subscription_id}",
                        "method": "GET",
                        "headers": [],
                    }
                },
            }
            for li in items
        ],
        "creationDate": iso_utc(order.created_at),
        "status": order.status,
        "links": {"self": {"uri": base, "method": "GET", "headers": []}},
        "attributes": {"objectType": "Order"},
    }

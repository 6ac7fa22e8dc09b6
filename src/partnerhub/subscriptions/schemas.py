"""Subscription shapes in Partner Center's JSON."""

from __future__ import annotations

from typing import Any

from partnerhub.clock import iso_utc
from partnerhub.customers.schemas import make_etag
from partnerhub.subscriptions.models import Subscription, Suspension
from partnerhub.subscriptions.queries import SubscriptionFields


def subscription_dict(s: SubscriptionFields, *, reseller_mpn_id: str | None = None) -> dict[str, Any]:
    base = f"/customers/{s.customer_id}/subscriptions/{s.id}"
    out: dict[str, Any] = {
        "id": s.id,
        "offerId": s.offer_id,
        "offerName": s.offer_name,
        "friendlyName": s.friendly_name,
        "quantity": s.quantity,
        "unitType": s.unit_type,
        "status": s.status,
        "autoRenewEnabled": s.auto_renew_enabled,
        "billingCycle": s.billing_cycle,
        "termDuration": s.term_duration,
        "creationDate": iso_utc(s.created_at),
        "effectiveStartDate": iso_utc(s.created_at),
        "commitmentEndDate": iso_utc(s.commitment_end_at),
        "suspensionReasons": list(s.suspension_reasons),
        "suspensions": suspensions_list(s),
        "partnerId": reseller_mpn_id or "",
        "orderId": s.order_id,
        "contractType": "subscription",
        "links": {"self": {"uri": base, "method": "GET", "headers": []}},
        "attributes": {"etag": make_etag(s.id, s.version), "objectType": "Subscription"},
    }
    if s.parent_subscription_id:
        out["parentSubscriptionId"] = s.parent_subscription_id
        out["links"]["parentSubscription"] = {
            "uri": f"/customers/{s.customer_id}/subscriptions/{s.parent_subscription_id}",
            "method": "GET",
            "headers": [],
        }
    return out


def suspensions_list(s: SubscriptionFields) -> list[dict[str, Any]]:
    """Our extension `suspensions`: each reason with who suspended it (partner and user), when and why."""
    out = []
    for raw in s.suspensions or []:
        one = Suspension.from_stored(raw)
        out.append(
            {
                "reason": one.reason,
                "initiatorPartnerId": one.initiator_partner_id,
                "initiatedBy": one.initiated_by,
                "at": iso_utc(one.at),
                "note": one.note or None,
            }
        )
    return out


def blocking_subscription_dict(s: Subscription) -> dict[str, Any]:
    """A subscription that blocks a removal or an offboarding, as error 800100's data names it (DOMAIN §8)."""
    return {"subscriptionId": s.id, "offerName": s.offer_name, "status": s.status}


def subscription_summary_dict(s: Subscription) -> dict[str, Any]:
    """A subscription in a preview: the blocking shape and its friendly name."""
    return {**blocking_subscription_dict(s), "friendlyName": s.friendly_name}


def subscription_audit_view(s: Subscription) -> dict[str, Any]:
    return {
        "status": s.status,
        "quantity": s.quantity,
        "friendlyName": s.friendly_name,
        "autoRenewEnabled": s.auto_renew_enabled,
        "suspensionReasons": list(s.suspension_reasons),
    }

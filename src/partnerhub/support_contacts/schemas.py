"""Support-contact shapes: Partner Center's SupportContact (`GET/PUT .../subscriptions/{id}/supportcontact`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partnerhub.customers.schemas import content_etag


@dataclass(frozen=True)
class SupportContact:
    """A partner that can be, or is, the designated support contact of a subscription."""

    partner_id: str
    mpn_id: str
    name: str
    is_default: bool = False  # the subscription's provider or direct partner, by default


def support_contact_dict(
    contact: SupportContact | None, *, customer_id: str | None = None, subscription_id: str | None = None
) -> dict[str, Any]:
    """A support contact as Partner Center returns it; with no contact (the default partner is no longer
    related to the customer) its fields are null."""
    out: dict[str, Any] = {
        "supportTenantId": contact.partner_id if contact else None,
        "supportMpnId": contact.mpn_id if contact else None,
        "name": contact.name if contact else None,
        "attributes": {"objectType": "SupportContact"},
    }
    if subscription_id is not None:
        out["attributes"]["etag"] = support_contact_etag(subscription_id, contact)
    if customer_id is not None and subscription_id is not None:
        out["links"] = {
            "self": {
                "uri": f"/customers/{customer_id}/subscriptions/{subscription_id}/supportcontact",
                "method": "GET",
                "headers": [],
            }
        }
    return out


def support_contact_etag(subscription_id: str, contact: SupportContact | None) -> str:
    """The support contact's etag: what its answer shows (the contact and whether it is the default), so it
    goes stale when the contact is designated again or falls back, whoever changed it."""
    return content_etag(
        {
            "id": subscription_id.lower(),
            "supportTenantId": contact.partner_id if contact else None,
            "isDefault": contact.is_default if contact else False,
        }
    )


def support_contact_audit_view(contact: SupportContact | None) -> dict[str, Any]:
    return {
        "supportTenantId": contact.partner_id if contact else None,
        "supportMpnId": contact.mpn_id if contact else None,
        "isDefault": contact.is_default if contact else False,
    }

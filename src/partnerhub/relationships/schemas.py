"""Relationship shapes shared by the doors: a partner's reseller relationship with a customer."""

from __future__ import annotations

from typing import Any

from partnerhub.relationships.models import ResellerRelationship


def reseller_relationship_dict(rel: ResellerRelationship) -> dict[str, Any]:
    """A reseller relationship as the API answers its changes (accepting an invitation, removing DAP)."""
    activated = rel.activated_at.isoformat().replace("+00:00", "Z") if rel.activated_at else None
    return {
        "id": rel.id,
        "partnerId": rel.partner_id,
        "customerId": rel.customer_id,
        "relationshipToPartner": "reseller",
        "allowDelegatedAccess": rel.has_delegated_admin,
        "status": rel.status,
        "activatedAt": activated,
        "attributes": {"objectType": "PartnerRelationship"},
    }

"""Relationship shapes shared by the doors: a partner's reseller relationship with a customer."""

from __future__ import annotations

from typing import Any

from partnerhub.clock import iso_utc
from partnerhub.relationships.models import ResellerRelationship


def reseller_relationship_dict(rel: ResellerRelationship) -> dict[str, Any]:
    """A reseller relationship as the API answers its changes (accepting an invitation, removing DAP, ending it);
    a removed one says when and by which side (partner or customer)."""
    ended = {"removedAt": iso_utc(rel.removed_at), "removedBy": rel.removed_by} if not rel.is_active else {}
    return {
        "id": rel.id,
        "partnerId": rel.partner_id,
        "customerId": rel.customer_id,
        "relationshipToPartner": "reseller" if rel.is_active else "none",
        "allowDelegatedAccess": rel.has_delegated_admin,
        "status": rel.status,
        "activatedAt": iso_utc(rel.activated_at),
        **ended,
        "attributes": {"objectType": "PartnerRelationship"},
    }

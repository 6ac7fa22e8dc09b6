"""Partnership shapes: Partner Center's PartnerRelationship (`/v1/relationships`) and our Partnership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partnerhub.clock import iso_utc
from partnerhub.partnerships.models import Partnership

# Partner Center's relationship types, as its responses spell them. A provider lists its resellers with
# `relationship_type=IsIndirectCloudSolutionProviderOf`, a reseller its providers with `IsIndirectResellerOf`.
IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF = "is_indirect_cloud_solution_provider_of"
IS_INDIRECT_RESELLER_OF = "is_indirect_reseller_of"


@dataclass(frozen=True)
class PartnerRelationship:
    """The other side of a partnership (or a reseller related to a customer) as one list row."""

    partner_id: str
    name: str
    mpn_id: str
    relationship_type: str
    state: str
    partnership_id: str | None = None


def partner_relationship_dict(row: PartnerRelationship) -> dict[str, Any]:
    """A PartnerRelationship as Partner Center returns it; `partnershipId` (ours) names the partnership
    to accept or end."""
    out: dict[str, Any] = {
        "id": row.partner_id,
        "name": row.name,
        "relationshipType": row.relationship_type,
        "state": row.state.capitalize(),
        "mpnId": row.mpn_id,
        "attributes": {"objectType": "PartnerRelationship"},
    }
    if row.partnership_id is not None:
        out["partnershipId"] = row.partnership_id
    return out


def partner_relationships_collection(rows: list[PartnerRelationship]) -> dict[str, Any]:
    return {
        "totalCount": len(rows),
        "items": [partner_relationship_dict(r) for r in rows],
        "attributes": {"objectType": "Collection"},
    }


def partnership_dict(p: Partnership) -> dict[str, Any]:
    """One partnership episode (our extension: invite, accept and end answer with it)."""
    return {
        "id": p.id,
        "providerId": p.provider_id,
        "resellerId": p.reseller_id,
        "status": p.status,
        "createdAt": iso_utc(p.created_at),
        "acceptedAt": iso_utc(p.accepted_at),
        "endedAt": iso_utc(p.ended_at),
        "endedByPartnerId": p.ended_by_partner_id,
        "attributes": {"objectType": "Partnership"},
    }


def partnership_audit_view(p: Partnership) -> dict[str, Any]:
    return {"partnershipId": p.id, "providerId": p.provider_id, "resellerId": p.reseller_id, "status": p.status}

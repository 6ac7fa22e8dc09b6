"""The shape of a GDAP template, shared by the API, the CLI and the web: Graph-like camelCase JSON (partnerhub's
extension; Microsoft Graph has no templates)."""

from __future__ import annotations

from typing import Any

from partnerhub.delegated_admin.models import GdapTemplate
from partnerhub.delegated_admin.schemas import graph_etag, iso_days


def template_dict(t: GdapTemplate, *, group_names: dict[str, str]) -> dict[str, Any]:
    """A template: its roles as `accessDetails.unifiedRoles`, its security groups as `accessAssignments`, each
    with the roles its members get once a relationship requested from it is approved."""
    return {
        "@odata.etag": graph_etag(t.id, t.version),
        "id": t.id,
        "displayName": t.name,
        "duration": iso_days(t.duration_days),
        "autoExtendDuration": iso_days(t.auto_extend_days),
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in t.role_ids]},
        "accessAssignments": [
            {
                "accessContainer": {
                    "accessContainerId": a["securityGroupId"],
                    "accessContainerType": "securityGroup",
                    "displayName": group_names.get(a["securityGroupId"], ""),
                },
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in a["roleIds"]]},
            }
            for a in t.assignments
        ],
        "createdDateTime": t.created_at,
        "lastModifiedDateTime": t.last_modified_at,
        "partnerId": t.partner_id,
    }

"""Delegated admin shapes shared by the API, the CLI and the web: Microsoft Graph's field names for GDAP."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from partnerhub.auth.models import User
from partnerhub.customers.schemas import make_etag
from partnerhub.delegated_admin.models import AccessAssignment, AdminRelationship, SecurityGroup
from partnerhub.delegated_admin.roles import role_name
from partnerhub.errors import InvalidInput

_DAYS = re.compile(r"^P(\d+)D$")
_ZERO = {"PT0S", "P0D", "PT0M", "PT0H", "P0DT0S"}


def iso_days(days: int) -> str:
    """An ISO 8601 duration in days as Microsoft Graph writes it: `P730D`, and `PT0S` for none."""
    return "PT0S" if days == 0 else f"P{days}D"


def parse_iso_days(value: str | int) -> int:
    """Days from `P730D`, `PT0S` or a plain number of days."""
    if isinstance(value, int):
        return value
    text = value.strip().upper()
    if text.isdigit():
        return int(text)
    if text in _ZERO:
        return 0
    match = _DAYS.match(text)
    if match is None:
        raise InvalidInput(detail=f"'{value}' is not an ISO 8601 duration in days such as P730D or PT0S")
    return int(match.group(1))


def graph_etag(resource_id: str, version: int) -> str:
    return f'W/"{make_etag(resource_id, version)}"'


def admin_relationship_dict(rel: AdminRelationship, *, customer_name: str, now: datetime) -> dict[str, Any]:
    """An admin relationship as Microsoft Graph's delegatedAdminRelationship (status as of `now`)."""
    return {
        "@odata.etag": graph_etag(rel.id, rel.version),
        "id": rel.id,
        "displayName": rel.display_name,
        "duration": iso_days(rel.duration_days),
        "customer": {"tenantId": rel.customer_id, "displayName": customer_name},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in rel.role_ids]},
        "status": rel.status_at(now),
        "autoExtendDuration": iso_days(rel.auto_extend_days),
        "createdDateTime": rel.created_at,
        "lastModifiedDateTime": rel.last_modified_at,
        "activatedDateTime": rel.activated_at,
        "endDateTime": rel.end_at,
        "partnerId": rel.partner_id,
    }


def access_assignment_dict(a: AccessAssignment, *, group_name: str) -> dict[str, Any]:
    """An access assignment as Microsoft Graph's delegatedAdminAccessAssignment."""
    return {
        "@odata.etag": graph_etag(a.id, int(a.last_modified_at.timestamp() * 1000)),
        "id": a.id,
        "status": a.status,
        "accessContainer": {"accessContainerId": a.security_group_id, "accessContainerType": "securityGroup",
                            "displayName": group_name},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in a.role_ids]},
        "createdDateTime": a.created_at,
        "lastModifiedDateTime": a.last_modified_at,
    }


def security_group_dict(g: SecurityGroup, *, members: list[User]) -> dict[str, Any]:
    return {
        "id": g.id,
        "displayName": g.display_name,
        "createdDateTime": g.created_at,
        "@odata.etag": make_etag(g.id, g.version or 1),
        "members": [{"id": u.id, "userPrincipalName": u.email, "displayName": u.display_name} for u in members],
    }


def customer_user_dict(u: User) -> dict[str, Any]:
    """A customer tenant's user as Partner Center's CustomerUser (`/v1/customers/{id}/users`)."""
    return {
        "id": u.id,
        "userPrincipalName": u.email,
        "displayName": u.display_name,
        "userDomainType": "none",
        "state": "active" if u.is_active else "inactive",
        "roles": list(u.roles),
        "attributes": {"objectType": "CustomerUser"},
    }


def role_names(role_ids: list[str]) -> str:
    """Role names joined for display."""
    return ", ".join(role_name(r) for r in role_ids)

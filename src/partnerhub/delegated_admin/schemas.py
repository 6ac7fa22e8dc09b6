"""Delegated admin shapes shared by the API, the CLI and the web: Microsoft Graph's field names for GDAP."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from partnerhub.auth.models import User
from partnerhub.customers.schemas import make_etag
from partnerhub.delegated_admin.models import (
    AccessAssignment,
    AdminRelationship,
    AdminRelationshipActionRequest,
    AdminRelationshipOperation,
    SecurityGroup,
)
from partnerhub.delegated_admin.roles import role_name
from partnerhub.errors import InvalidInput

DAY_SECONDS = 86_400
# ISO 8601 durations without years and months (their length in days is not fixed): P730D, P2W, PT48H, P1DT0H
_ISO = re.compile(r"^P(?!$)(?:(\d{1,7})W)?(?:(\d{1,7})D)?(?:T(?=\d)(?:(\d{1,9})H)?(?:(\d{1,11})M)?(?:(\d{1,13})S)?)?$")
# Python's str(timedelta), which the Graph SDK for Python sends: "730 days, 0:00:00", "1 day, 0:00:00", "0:00:00"
_TIMEDELTA = re.compile(r"^(?:(\d{1,7}) days?, )?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$")


def iso_days(days: int) -> str:
    """An ISO 8601 duration in days as Microsoft Graph writes it: `P730D`, and `PT0S` for none."""
    return "PT0S" if days == 0 else f"P{days}D"


def _seconds(text: str) -> int | None:
    """The length of an ISO 8601 duration or of Python's written timedelta in whole seconds (None: neither, or
    not whole seconds)."""
    iso = _ISO.match(text.upper())
    if iso is not None:
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        return ((weeks * 7 + days) * 24 + hours) * 3600 + minutes * 60 + seconds
    written = _TIMEDELTA.match(text)
    if written is not None and not int(written.group(5) or 0):
        days, hours, minutes, seconds = (int(g or 0) for g in written.groups()[:4])
        return (days * 24 + hours) * 3600 + minutes * 60 + seconds
    return None


def parse_iso_days(value: str | int) -> int:
    """Whole days from an ISO 8601 duration (`P730D`, `PT0S`, `P2W`, `PT48H`), from a Python timedelta as the
    Graph SDK writes it (`730 days, 0:00:00`), or from a plain number of days. Anything else, and any length
    that is not whole days, is refused."""
    if isinstance(value, int):
        return value
    text = value.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    seconds = _seconds(text)
    if seconds is None or seconds % DAY_SECONDS:
        raise InvalidInput(detail=f"'{value}' is not a duration in whole days such as P730D or PT0S")
    return seconds // DAY_SECONDS


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
        "status": rel.shown_status(now),
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
        "accessContainer": {
            "accessContainerId": a.security_group_id,
            "accessContainerType": "securityGroup",
            "displayName": group_name,
        },
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in a.role_ids]},
        "createdDateTime": a.created_at,
        "lastModifiedDateTime": a.last_modified_at,
    }


def relationship_request_dict(r: AdminRelationshipActionRequest) -> dict[str, Any]:
    """A request kept on an admin relationship as Microsoft Graph's delegatedAdminRelationshipRequest."""
    return {
        "@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest",
        "id": r.id,
        "action": r.action,
        "status": r.status,
        "createdDateTime": r.created_at,
        "lastModifiedDateTime": r.last_modified_at,
    }


def relationship_operation_dict(o: AdminRelationshipOperation) -> dict[str, Any]:
    """An operation as Microsoft Graph's delegatedAdminRelationshipOperation (`data`: the change, as JSON text)."""
    return {
        "@odata.type": "#microsoft.graph.delegatedAdminRelationshipOperation",
        "id": o.id,
        "operationType": o.operation_type,
        "status": o.status,
        "data": json.dumps(o.data, separators=(",", ":")),
        "createdDateTime": o.created_at,
        "lastModifiedDateTime": o.last_modified_at,
    }


def delegated_admin_customer_dict(tenant_id: str, display_name: str) -> dict[str, Any]:
    """A customer as Microsoft Graph's delegatedAdminCustomer: its id is its tenant id."""
    return {"id": tenant_id, "tenantId": tenant_id, "displayName": display_name}


# Where the partner manages a delegated admin customer's services: partnerhub's own pages for it.
SERVICE_PAGES = (
    ("customer", "Customer overview", ""),
    ("subscriptions", "Subscriptions", "/subscriptions"),
    ("adminRelationships", "Admin relationships", "/admin-relationships"),
)


def service_management_details(tenant_id: str, *, base_url: str) -> list[dict[str, Any]]:
    """Microsoft Graph's delegatedAdminServiceManagementDetail list, pointing at partnerhub's pages."""
    return [
        {"id": key, "serviceName": name, "serviceManagementUrl": f"{base_url}/customers/{tenant_id}{suffix}"}
        for key, name, suffix in SERVICE_PAGES
    ]


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

"""The body of an event: Partner Center's callback in PascalCase (`EventName`, `ResourceUri`, `ResourceName`,
`AuditUri`, `ResourceChangeUtcDate`), with absolute API URLs; an endpoint's opt-in full body adds the
activity record's old and new values and the resource's state in its API shape (`state.py`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.clock import iso_utc
from partnerhub.delegated_admin.models import AccessAssignment
from partnerhub.webhooks.events import RESOURCE_NAMES, TEST_CREATED
from partnerhub.webhooks.state import resource_state

GDAP = "/v1/tenantRelationships/delegatedAdminRelationships"


def resource_path(session: Session, rec: ActivityRecord) -> str:
    """The API path of the record's resource."""
    rid, cid = rec.resource_id or "", rec.customer_id or ""
    match rec.resource_type:
        case "subscription":
            return f"/v1/customers/{cid}/subscriptions/{rid}"
        case "order":
            return f"/v1/customers/{cid}/orders/{rid}"
        case "relationship_request":
            return f"/v1/relationshiprequests/{rid}"
        case "granular_admin_relationship":
            return f"{GDAP}/{rid}"
        case "granular_admin_access_assignment":
            assignment = session.get(AccessAssignment, rid)
            parent = assignment.admin_relationship_id if assignment else ""
            return f"{GDAP}/{parent}/accessAssignments/{rid}"
        case _:
            return f"/v1/customers/{cid}" if cid else f"/v1/auditrecords/{rec.id}"


def _values(value: dict[str, Any] | None) -> dict[str, Any]:
    return dict(value or {})


def event_body(session: Session, rec: ActivityRecord, event: str, *, base_url: str, full: bool) -> str:
    """The JSON text of the event raised by `rec` (fixed once: every attempt sends these bytes)."""
    body: dict[str, Any] = {
        "EventName": event,
        "ResourceUri": base_url + resource_path(session, rec),
        "ResourceName": RESOURCE_NAMES.get(rec.resource_type, rec.resource_type),
        "AuditUri": f"{base_url}/v1/auditrecords/{rec.id}",
        "ResourceChangeUtcDate": iso_utc(rec.created_at),
    }
    if full:
        old, new = _values(rec.old_value), _values(rec.new_value)
        body["PartnerId"] = rec.partner_id
        body["CustomerId"] = rec.customer_id
        body["OldValues"] = old
        body["NewValues"] = new
        body["ResourceState"] = resource_state(session, rec)
    return json.dumps(body, separators=(",", ":"))


def validation_body(*, base_url: str, correlation_id: str, now: datetime) -> str:
    """The body of a `test-created` event (validationEvents)."""
    return json.dumps(
        {
            "EventName": TEST_CREATED,
            "ResourceUri": f"{base_url}/webhooks/v1/registration/validationEvents/{correlation_id}",
            "ResourceName": "test",
            "AuditUri": None,
            "ResourceChangeUtcDate": iso_utc(now),
        },
        separators=(",", ":"),
    )

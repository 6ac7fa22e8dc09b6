"""/v1/auditrecords: the activity log in Partner Center's shape, by date range and filter, paged."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from partnerhub.audit.dates import parse_instant
from partnerhub.audit.filters import MAX_VALUE, AuditCondition
from partnerhub.audit.models import ActivityRecord
from partnerhub.audit.service import ActivityQuery, get_activity_record, list_activity
from partnerhub.errors import InvalidInput
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection, continuation, page_size
from partnerhub.http.api.shapes import iso

router = api_router(tags=["activity log"])
_FILTER_HELP = 'filter: must be JSON such as {"Field":"CustomerName","Value":"...","Operator":"substring"}'


def record_dict(r: ActivityRecord) -> dict[str, Any]:
    customized = [{"key": "ResourceId", "value": r.resource_id}] if r.resource_id else []
    return {
        "id": r.id,
        "partnerId": r.partner_id,
        "customerId": r.customer_id or "",  # required by Partner Center's swagger, so "" for partner-level records
        "customerName": r.customer_name,
        "userPrincipalName": r.user_principal_name,
        "applicationId": r.application_id,
        "resourceType": r.resource_type,
        "resourceOldValue": json.dumps(r.old_value, sort_keys=True) if r.old_value is not None else None,
        "resourceNewValue": json.dumps(r.new_value, sort_keys=True) if r.new_value is not None else None,
        "operationType": r.operation_type,
        "operationDate": iso(r.created_at),
        "operationStatus": r.operation_status,
        "correlationId": r.correlation_id,
        "customizedData": customized,
        "attributes": {"objectType": "AuditRecord"},
    }


MAX_FILTER_DEPTH = 4  # `and` inside `and` inside `and`: more says nothing a flat list does not
MAX_FILTER_CONDITIONS = 10  # four fields can be filtered on; ten leaves room for repeats


def _conditions(raw: str | None) -> list[AuditCondition]:
    """`{"Field": "CustomerId"|"CustomerName"|"ResourceType"|"OperationType", "Value": ..., "Operator":
    "equals"|"substring"|"starts_with"}`, or several of them combined with `{"Operator": "and", "Value": [...]}`.
    The filter is parsed once and walked once (linear in its size), at most MAX_FILTER_DEPTH levels deep and
    MAX_FILTER_CONDITIONS conditions."""
    if not raw:
        return []
    try:
        parsed = json.loads(raw)
    except RecursionError:
        raise InvalidInput(detail=f"filter: nested too deep (at most {MAX_FILTER_DEPTH} levels)") from None
    except ValueError:
        raise InvalidInput(detail=_FILTER_HELP) from None
    if not isinstance(parsed, dict):
        raise InvalidInput(detail=_FILTER_HELP)
    out: list[AuditCondition] = []
    stack: list[tuple[Any, int]] = [(parsed, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_FILTER_DEPTH:
            raise InvalidInput(detail=f"filter: nested too deep (at most {MAX_FILTER_DEPTH} levels)")
        f = Body(node, "filter")
        if (f.text("operator", max_length=20) or "").strip().lower() == "and":
            value = f.raw("value")
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise InvalidInput(detail=_FILTER_HELP)
            stack.extend((v, depth + 1) for v in reversed(value))
            continue
        if len(out) >= MAX_FILTER_CONDITIONS:
            raise InvalidInput(detail=f"filter: at most {MAX_FILTER_CONDITIONS} conditions")
        out.append(
            AuditCondition.parse(
                f.text("field", required=True, max_length=50) or "",
                f.text("operator", max_length=20),
                f.text("value", required=True, max_length=MAX_VALUE) or "",
            )
        )
    return out


def _swagger_parameter(request: Request, name: str) -> str | None:
    """The AuditService swagger's `auditRequest.<name>` query parameter (any case), if sent."""
    wanted = f"auditrequest.{name}".lower()
    return next((v for k, v in request.query_params.multi_items() if k.lower() == wanted), None)


@router.get("/auditrecords")
def get_audit_records(
    request: Request,
    ctx: Ctx,
    start_date: Annotated[str | None, Query(alias="startDate")] = None,
    end_date: Annotated[str | None, Query(alias="endDate")] = None,
    size: str | None = None,
    filter_: Annotated[str | None, Query(alias="filter")] = None,
) -> Response:
    """The tenant's activity, newest first; dates in ISO 8601 or `M/D/YYYY h:mm:ss AM` (default: 30 days).
    `filter` as Partner Center's AuditService: CustomerId, CustomerName, ResourceType or OperationType with
    equals, substring or starts_with (combined with `and`); the swagger's `auditRequest.filter.field`,
    `.value`, `.operator`, `auditRequest.startDate`, `.endDate` and `.size` are accepted too."""
    conditions = _conditions(filter_)
    field = _swagger_parameter(request, "filter.field")
    if field is not None:
        conditions.append(
            AuditCondition.parse(
                field, _swagger_parameter(request, "filter.operator"), _swagger_parameter(request, "filter.value") or ""
            )
        )
    start_date = start_date or _swagger_parameter(request, "startDate")
    end_date = end_date or _swagger_parameter(request, "endDate")
    size = size or _swagger_parameter(request, "size")
    query = ActivityQuery(
        start=parse_instant(start_date) if start_date else None,
        end=parse_instant(end_date, end_of_day=True) if end_date else None,
        conditions=tuple(conditions),
    )
    after = continuation(request, "auditrecords", 2)
    position = (datetime.fromisoformat(after[0]), after[1]) if after else None
    session = ctx.session
    page = list_activity(session, ctx.actor, query=query, size=page_size(size), after=position)
    items = [record_dict(r) for r in page.items]
    nxt = [page.next_cursor[0].isoformat(), page.next_cursor[1]] if page.next_cursor else None
    return ctx.respond(200, collection(request, items, kind="auditrecords", next_values=nxt))


@router.get("/auditrecords/{record_id}")
def get_audit_record(record_id: str, ctx: Ctx) -> Response:
    """One activity record of the tenant (a webhook event's `AuditUri`); another tenant's is 404."""
    return ctx.respond(200, record_dict(get_activity_record(ctx.session, ctx.actor, record_id=record_id)))

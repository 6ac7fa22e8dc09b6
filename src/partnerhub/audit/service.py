"""Writing activity records (always inside the caller's transaction) and reading them back, scoped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, insert, or_, select
from sqlalchemy.orm import Session

from partnerhub.audit.filters import AuditCondition
from partnerhub.audit.models import ActivityRecord, OutboxEvent
from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.errors import Forbidden, InvalidInput
from partnerhub.errors.webhooks import ActivityRecordNotFound
from partnerhub.ids import new_id, normalize_id


def record(
    session: Session,
    actor: Actor,
    *,
    operation: Operation,
    resource_type: ResourceType,
    resource_id: str | None,
    partner_id: str | None,
    customer_id: str | None = None,
    customer_name: str | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ActivityRecord:
    """Append one activity record and its outbox event to the caller's transaction."""
    rec = ActivityRecord(
        id=new_id(),
        created_at=now or utc_now(),
        partner_id=partner_id,
        customer_id=customer_id,
        customer_name=customer_name,
        user_id=actor.user_id,
        user_principal_name=actor.email,
        application_id=actor.application,
        resource_type=resource_type.value,
        resource_id=resource_id,
        operation_type=operation.value,
        operation_status="succeeded",
        old_value=old,
        new_value=new,
        correlation_id=actor.correlation_id,
    )
    session.add(rec)
    session.add(
        OutboxEvent(
            id=new_id(),
            created_at=rec.created_at,
            partner_id=partner_id,
            event_type=operation.value,
            activity_record_id=rec.id,
        )
    )
    return rec


_RECORDS = cast(Table, ActivityRecord.__table__)
_EVENTS = cast(Table, OutboxEvent.__table__)


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that changed between two views of a resource: (their old values, their new values)."""
    old = {k: v for k, v in before.items() if after.get(k) != v}
    return old, {k: after[k] for k in old}


@dataclass(frozen=True)
class Change:
    """One resource's change among many of the same operation (`record_many`)."""

    resource_id: str
    old: dict[str, Any]
    new: dict[str, Any]

    @classmethod
    def between(cls, resource_id: str, before: dict[str, Any], after: dict[str, Any]) -> Change:
        return cls(resource_id, *diff(before, after))


def record_many(
    session: Session,
    actor: Actor,
    *,
    operation: Operation,
    resource_type: ResourceType,
    changes: Sequence[Change],
    partner_id: str | None,
    customer_id: str | None = None,
    customer_name: str | None = None,
    now: datetime | None = None,
) -> int:
    """Append one activity record and its outbox event per change, exactly as `record` would one by one, as
    two multi-row inserts in the caller's transaction (a batch of a thousand is two statements, not two
    thousand objects for the session to track). Returns how many were written."""
    if not changes:
        return 0
    at = now or utc_now()
    records = [
        {
            "id": new_id(),
            "created_at": at,
            "partner_id": partner_id,
            "customer_id": customer_id,
            "customer_name": customer_name,
            "user_id": actor.user_id,
            "user_principal_name": actor.email,
            "application_id": actor.application,
            "resource_type": resource_type.value,
            "resource_id": change.resource_id,
            "operation_type": operation.value,
            "operation_status": "succeeded",
            "old_value": change.old,
            "new_value": change.new,
            "correlation_id": actor.correlation_id,
        }
        for change in changes
    ]
    session.execute(insert(_RECORDS), records)
    session.execute(
        insert(_EVENTS),
        [
            {
                "id": new_id(),
                "created_at": at,
                "partner_id": partner_id,
                "event_type": operation.value,
                "activity_record_id": r["id"],
                "delivered_at": None,
            }
            for r in records
        ],
    )
    return len(records)


@dataclass(frozen=True)
class ActivityQuery:
    start: datetime | None = None
    end: datetime | None = None
    customer_id: str | None = None
    operation: str | None = None
    resource_type: str | None = None
    # the AuditService's field filters (audit/filters.py), all of which must hold
    conditions: tuple[AuditCondition, ...] = ()


@dataclass(frozen=True)
class ActivityPage:
    items: list[ActivityRecord]
    next_cursor: tuple[datetime, str] | None


def _scope(actor: Actor) -> Any:
    if actor.is_operator:
        return None
    if actor.is_partner_user and actor.tenant_id:
        return ActivityRecord.partner_id == actor.tenant_id
    if actor.is_customer_user and actor.tenant_id:
        return ActivityRecord.customer_id == actor.tenant_id
    raise Forbidden(operation="activity log")


def list_activity(
    session: Session,
    actor: Actor,
    *,
    query: ActivityQuery,
    size: int = 100,
    after: tuple[datetime, str] | None = None,
) -> ActivityPage:
    """The actor's tenant's activity, newest first, by date range (default: the last 30 days), customer,
    operation and the AuditService's field conditions (equals, substring, starts_with); keyset-paged on
    (time, id)."""
    if not 1 <= size <= 500:
        raise InvalidInput(detail="size must be between 1 and 500")
    now = utc_now()
    start = query.start or (now - timedelta(days=30))
    end = query.end or now + timedelta(seconds=1)
    if start > end:
        raise InvalidInput(detail="the start date is after the end date")
    conds: list[Any] = [ActivityRecord.created_at >= start, ActivityRecord.created_at <= end]
    scope = _scope(actor)
    if scope is not None:
        conds.append(scope)
    if query.customer_id:
        conds.append(ActivityRecord.customer_id == query.customer_id)
    if query.operation:
        conds.append(ActivityRecord.operation_type == query.operation)
    if query.resource_type:
        conds.append(ActivityRecord.resource_type == query.resource_type)
    conds.extend(c.clause() for c in query.conditions)
    if after is not None:
        at, rid = after
        conds.append(
            or_(ActivityRecord.created_at < at, and_(ActivityRecord.created_at == at, ActivityRecord.id < rid))
        )
    stmt = (
        select(ActivityRecord)
        .where(*conds)
        .order_by(ActivityRecord.created_at.desc(), ActivityRecord.id.desc())
        .limit(size + 1)
    )
    rows = list(session.scalars(stmt))
    nxt = None
    if len(rows) > size:
        rows = rows[:size]
        nxt = (rows[-1].created_at, rows[-1].id)
    if scope is None:
        from partnerhub.audit.operator_reads import record_operator_read_of_activity

        record_operator_read_of_activity(session, actor, shown=rows)
    return ActivityPage(rows, nxt)


def get_activity_record(session: Session, actor: Actor, *, record_id: str) -> ActivityRecord:
    """One record of the actor's tenant (a webhook's AuditUri); another tenant's is not found."""
    conds: list[Any] = [ActivityRecord.id == normalize_id(record_id)]
    scope = _scope(actor)
    if scope is not None:
        conds.append(scope)
    found = session.scalars(select(ActivityRecord).where(*conds)).first()
    if found is None:
        raise ActivityRecordNotFound(id=record_id)
    return found


def iter_activity(session: Session, actor: Actor, *, query: ActivityQuery) -> Iterable[ActivityRecord]:
    """Every matching record, page by page (for exports)."""
    after: tuple[datetime, str] | None = None
    while True:
        page = list_activity(session, actor, query=query, size=500, after=after)
        yield from page.items
        if page.next_cursor is None:
            return
        after = page.next_cursor


CSV_COLUMNS = (
    "operationDate",
    "operationType",
    "operationStatus",
    "resourceType",
    "resourceId",
    "customerId",
    "customerName",
    "userPrincipalName",
    "applicationId",
    "correlationId",
    "oldValue",
    "newValue",
)


def activity_csv_rows(records: Iterable[ActivityRecord]) -> Iterable[Sequence[str]]:
    import json

    yield CSV_COLUMNS
    for r in records:
        yield (
            r.created_at.isoformat(),
            r.operation_type,
            r.operation_status,
            r.resource_type,
            r.resource_id or "",
            r.customer_id or "",
            r.customer_name or "",
            r.user_principal_name,
            r.application_id,
            r.correlation_id,
            json.dumps(r.old_value, sort_keys=True) if r.old_value is not None else "",
            json.dumps(r.new_value, sort_keys=True) if r.new_value is not None else "",
        )


def export_activity_csv(session: Session, actor: Actor, *, query: ActivityQuery) -> str:
    """The matching activity as CSV text (one header row, one row per record)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in activity_csv_rows(iter_activity(session, actor, query=query)):
        writer.writerow(defuse_cells(row))
    return buf.getvalue()


def defuse_cells(row: Sequence[str]) -> list[str]:
    # A cell starting with = + - @ (or a tab or carriage return before one) would run as a formula in a
    # spreadsheet: prefix it with a quote.
    return ["'" + c if c[:1] in FORMULA_STARTS else c for c in row]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

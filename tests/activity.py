"""The one way tests read the activity log: the records (or just their operation names) matching a filter,
oldest first, from a session or, for the web and API tests, from the app's engine."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.db import read_session


def activity(
    source: Session | Engine | Connection,
    *,
    operation: str | None = None,
    resource_id: str | None = None,
    customer_id: str | None = None,
    partner_id: str | None = None,
    resource_type: str | None = None,
) -> list[ActivityRecord]:
    """The activity records matching every filter given, in the order they were written."""
    stmt = select(ActivityRecord)
    for column, value in (
        (ActivityRecord.operation_type, operation),
        (ActivityRecord.resource_id, resource_id),
        (ActivityRecord.customer_id, customer_id),
        (ActivityRecord.partner_id, partner_id),
        (ActivityRecord.resource_type, resource_type),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    stmt = stmt.order_by(ActivityRecord.created_at, ActivityRecord.id)
    if isinstance(source, Session):
        source.flush()
        return list(source.scalars(stmt))
    with read_session(source) as session:
        records = list(session.scalars(stmt))
        session.expunge_all()
        return records


def operation_names(source: Session | Engine | Connection, **filters: str) -> list[str]:
    """The operation names of the matching records, in the order they were written."""
    return [r.operation_type for r in activity(source, **filters)]

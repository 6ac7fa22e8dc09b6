"""Retention: the scheduler purges delivered outbox events and finished deliveries older than
PARTNERHUB_WEBHOOK_RETENTION_DAYS; pending deliveries and recent rows stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, func, select

from partnerhub.audit.models import OutboxEvent
from partnerhub.clock import frozen_at
from partnerhub.db import read_session, transaction
from partnerhub.jobs.registry import PURGE_WEBHOOK_LOG, REGISTRY
from partnerhub.webhooks.retention import purge_webhook_log
from tests.factories import make_customer
from tests.webhooks.helpers import attempts, deliveries, dispatch, subscribe
from tests.webhooks.receiver import Receiver

T0 = datetime(2027, 1, 1, tzinfo=UTC)


def _outbox(connection: Connection) -> int:
    with read_session(connection) as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEvent)) or 0)


def test_old_delivered_rows_are_purged_and_pending_ones_stay(connection: Connection, receiver: Receiver) -> None:
    receiver.answer(204, 500)
    with frozen_at(T0) as clock:
        sub = subscribe(connection, receiver.url, ["customer-created"])
        with transaction(connection) as session:
            make_customer(session, sub.world.admin)
        dispatch(connection)  # the first succeeds
        clock.move(timedelta(seconds=1))
        with transaction(connection) as session:
            make_customer(session, sub.world.admin)
        dispatch(connection)  # the second fails once and stays pending
        done, pending = deliveries(connection, sub.endpoint_id)
        assert (done.status, pending.status) == ("succeeded", "pending")
        before = _outbox(connection)
        clock.move(timedelta(days=29))
        with transaction(connection) as session:
            assert purge_webhook_log(session, retention_days=30) == 0
        clock.move(timedelta(days=2))
        with transaction(connection) as session:
            purged = purge_webhook_log(session, retention_days=30)
    assert purged >= 1
    assert [d.id for d in deliveries(connection, sub.endpoint_id)] == [pending.id]
    assert attempts(connection, done.id) == []
    assert _outbox(connection) < before


def test_the_purge_is_scheduled_hourly() -> None:
    assert REGISTRY.scheduled()[PURGE_WEBHOOK_LOG] == 3600

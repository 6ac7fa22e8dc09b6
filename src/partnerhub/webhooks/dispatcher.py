"""The dispatcher: reads the outbox after commit, fans each event out to the endpoints that subscribe to it,
and sends the deliveries that are due, signed, at least once.

- **Fan-out** claims undelivered outbox rows (`SKIP LOCKED`; one dispatcher fans out at a time, under an
  advisory lock on PostgreSQL, so the deliveries of an endpoint are made in the order of their records) and
  writes their deliveries and marks the rows in one transaction: each event is fanned out exactly once.
- **Sending** claims due deliveries with a lease (`SKIP LOCKED`): the start of each enabled endpoint's queue,
  up to `BATCH` deliveries, none while an older one of the same endpoint waits for a retry. An endpoint gets
  its events in order, each POST after the previous one's answer; a run stops at the first that fails. The
  POSTs happen outside any transaction; the run's outcomes are written together, with a guard on the lease.
  A dispatcher killed mid-run leaves the lease to expire, and what it had not settled is sent again with the
  same `webhook-id`.
- **Retries** after timeouts, connection errors, 408, 429 (honouring Retry-After) and 5xx: about 5 s, 5 min,
  30 min, 2 h, 5 h, 10 h, then daily for 3 days (±10 % jitter). A 410 disables the endpoint at once; so does
  a delivery still failing after the last retry."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord, OutboxEvent
from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.crypto import SecretUnreadable
from partnerhub.db import read_session, transaction
from partnerhub.ids import new_id
from partnerhub.webhooks.delivery import DEFAULT_LIMITS, Answer, Limits, post
from partnerhub.webhooks.events import EVENTFUL_OPERATIONS
from partnerhub.webhooks.fanout import deliveries_for_records
from partnerhub.webhooks.models import DeliveryStatus, DisabledReason, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partnerhub.webhooks.service import WebhookConfig
from partnerhub.webhooks.signing import signed_headers, unseal

log = logging.getLogger("partnerhub.webhooks")

RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(days=1),
    timedelta(days=1),
    timedelta(days=1),
)
JITTER = 0.1
FANOUT_LOCK = 727275  # the advisory lock of the fan-out on PostgreSQL
BATCH = 50  # deliveries of one endpoint held at once: sent one after another, settled together
Bind = Engine | Connection
Sender = Callable[[str, bytes, Mapping[str, str]], Answer]


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def retry_delay(attempts: int, *, rng: Callable[[], float] = random.random) -> timedelta | None:
    """How long after failed attempt number `attempts` (1 = the first) the next one comes; None: no more."""
    if attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1] * (1 + JITTER * (2 * rng() - 1))


def is_retryable(answer: Answer) -> bool:
    code = answer.status_code
    return code is None or code in (408, 429) or code >= 500


def fan_out(bind: Bind, config: WebhookConfig, *, limit: int = 500) -> int:
    """Turn up to `limit` undelivered outbox events into deliveries; returns how many events were read."""
    with read_session(bind) as session:  # an idle dispatcher's poll takes no write lock
        if session.scalar(select(OutboxEvent.id).where(OutboxEvent.delivered_at.is_(None)).limit(1)) is None:
            return 0
    with transaction(bind) as session:
        if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            text(f"SELECT pg_try_advisory_xact_lock({FANOUT_LOCK})")
        ):
            return 0  # another dispatcher is fanning out
        stmt = (
            select(OutboxEvent)
            .where(OutboxEvent.delivered_at.is_(None))
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        events = list(session.scalars(stmt))
        if not events:
            return 0
        now = utc_now()
        eventful = [e for e in events if e.event_type in EVENTFUL_OPERATIONS and e.partner_id]
        partners = {e.partner_id for e in eventful}
        endpoints = (
            list(
                session.scalars(
                    select(WebhookEndpoint).where(
                        WebhookEndpoint.partner_id.in_(partners), WebhookEndpoint.is_enabled.is_(True)
                    )
                )
            )
            if partners
            else []
        )
        subscribed = {e.partner_id for e in endpoints}
        record_ids = [e.activity_record_id for e in eventful if e.partner_id in subscribed]
        if record_ids:
            found = session.scalars(select(ActivityRecord).where(ActivityRecord.id.in_(record_ids)))
            records = {r.id: r for r in found}
            ordered = [records[i] for i in record_ids if i in records]
            deliveries_for_records(session, ordered, endpoints, base_url=config.public_url, now=now)
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([e.id for e in events]))
            .values(delivered_at=now)
            .execution_options(synchronize_session=False)
        )
        return len(events)


@dataclass(frozen=True)
class Claimed:
    """A delivery this dispatcher holds, with what it takes to send it."""

    id: str
    endpoint_id: str
    url: str
    body: str
    secrets: tuple[str, ...]
    attempts: int  # before this one


def _runs(session: Session, now: datetime, limit: int, batch: int) -> dict[str, list[str]]:
    """For up to `limit` enabled endpoints with a due delivery: the start of each one's queue that can go now,
    at most `batch` deliveries in (created_at, id) order, stopping at the first that is not due or is held.
    An endpoint whose oldest pending delivery waits for a retry gets nothing: its events go in order."""
    endpoints = list(
        session.scalars(
            select(WebhookDelivery.endpoint_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                WebhookEndpoint.is_enabled.is_(True),
            )
            .distinct()
            .limit(limit)
        )
    )
    runs: dict[str, list[str]] = {}
    for endpoint_id in endpoints:
        queue = session.execute(
            select(WebhookDelivery.id, WebhookDelivery.next_attempt_at, WebhookDelivery.lease_expires_at)
            .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == DeliveryStatus.PENDING)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
            .limit(batch)
        ).all()
        run = []
        for d in queue:
            if (
                d.next_attempt_at is None
                or d.next_attempt_at > now
                or (d.lease_expires_at is not None and d.lease_expires_at >= now)
            ):
                break
            run.append(d.id)
        if run:
            runs[endpoint_id] = run
    return runs


def claim_due(
    bind: Bind, config: WebhookConfig, worker_id: str, *, lease_seconds: float = 30, limit: int = 16, batch: int = 1
) -> list[list[Claimed]]:
    """Hold, for `lease_seconds`, the start of the queue of up to `limit` endpoints (at most `batch`
    deliveries each, in order): one list per endpoint, to be sent in that order."""
    now = utc_now()
    with read_session(bind) as session:  # an idle dispatcher's poll takes no write lock
        if not _runs(session, now, limit, 1):
            return []
    with transaction(bind) as session:
        runs = _runs(session, now, limit, batch)
        if not runs:
            return []
        # lock exactly those deliveries; where another dispatcher holds one, this run stops before it
        lock = select(WebhookDelivery.id).where(
            WebhookDelivery.id.in_([i for run in runs.values() for i in run]),
            WebhookDelivery.status == DeliveryStatus.PENDING,
            (WebhookDelivery.lease_expires_at.is_(None)) | (WebhookDelivery.lease_expires_at < now),
        )
        if session.get_bind().dialect.name == "postgresql":
            lock = lock.with_for_update(skip_locked=True)
        locked = set(session.scalars(lock))
        held: list[str] = []
        for run in runs.values():
            for delivery_id in run:
                if delivery_id not in locked:
                    break
                held.append(delivery_id)
        if not held:
            return []
        until = now + timedelta(seconds=lease_seconds)
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(held))
            .values(lease_owner=worker_id, lease_expires_at=until)
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.endpoint_id,
                WebhookDelivery.body,
                WebhookDelivery.attempts,
                WebhookEndpoint.url,
                WebhookEndpoint.secret_encrypted,
                WebhookEndpoint.previous_secret_encrypted,
                WebhookEndpoint.previous_secret_until,
            )
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.id.in_(held))
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        ).all()
    secrets: dict[str, tuple[str, ...]] = {}
    claimed: dict[str, list[Claimed]] = {}
    for r in rows:
        if r.endpoint_id not in secrets:
            keys = [unseal(config.secret_key, r.secret_encrypted)]
            if r.previous_secret_encrypted and r.previous_secret_until and r.previous_secret_until > now:
                try:
                    keys.append(unseal(config.secret_key, r.previous_secret_encrypted))
                except SecretUnreadable:
                    log.warning("the previous signing secret of webhook endpoint %s cannot be read", r.endpoint_id)
            secrets[r.endpoint_id] = tuple(keys)
        claimed.setdefault(r.endpoint_id, []).append(
            Claimed(r.id, r.endpoint_id, r.url, r.body, secrets[r.endpoint_id], r.attempts)
        )
    return list(claimed.values())


def attempt(claimed: Claimed, config: WebhookConfig, *, limits: Limits = DEFAULT_LIMITS) -> Answer:
    """POST the delivery once, signed by every current secret; `webhook-timestamp` is the attempt's time."""
    body = claimed.body.encode()
    headers = signed_headers(claimed.secrets, claimed.id, int(utc_now().timestamp()), body)
    return post(claimed.url, body, headers, allow_private=config.allow_private, resolve=config.resolve, limits=limits)


def _succeeded(answer: Answer) -> bool:
    return answer.status_code is not None and 200 <= answer.status_code < 300


def settle(
    bind: Bind,
    outcomes: list[tuple[Claimed, Answer]],
    worker_id: str,
    *,
    released: list[str] | None = None,
    rng: Callable[[], float] = random.random,
) -> list[str | None]:
    """Write, in one transaction, each attempt and what follows from it, and let go of the deliveries of
    `released` (held but not attempted). Returns each delivery's status, or None where another dispatcher
    took it over meanwhile (its lease expired): then only the attempt is written."""
    now = utc_now()
    ids = [c.id for c, _ in outcomes]
    with transaction(bind) as session:
        held = {
            d.id: d
            for d in session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids + list(released or ())), WebhookDelivery.lease_owner == worker_id)
                .order_by(WebhookDelivery.id)
                .with_for_update()
            )
        }
        statuses: list[str | None] = []
        for claimed, answer in outcomes:
            session.add(
                WebhookAttempt(
                    id=new_id(),
                    delivery_id=claimed.id,
                    attempted_at=now,
                    status_code=answer.status_code,
                    error=answer.error,
                    answer=answer.text or None,
                    duration_ms=answer.duration_ms,
                )
            )
            delivery = held.get(claimed.id)
            statuses.append(None if delivery is None else _outcome(session, delivery, claimed, answer, now, rng))
        for delivery_id in released or ():
            if (delivery := held.get(delivery_id)) is not None:
                delivery.lease_owner = delivery.lease_expires_at = None
        return statuses


def _outcome(
    session: Session,
    delivery: WebhookDelivery,
    claimed: Claimed,
    answer: Answer,
    now: datetime,
    rng: Callable[[], float],
) -> str:
    delivery.attempts += 1
    delivery.lease_owner = delivery.lease_expires_at = None
    delivery.last_status_code, delivery.last_error = answer.status_code, answer.error
    code = answer.status_code
    if _succeeded(answer):
        delivery.succeed(now=now)
    elif code == 410:
        delivery.fail(now=now)
        _disable(session, claimed.endpoint_id, DisabledReason.GONE, now=now)
    elif is_retryable(answer) and (delay := retry_delay(delivery.attempts, rng=rng)) is not None:
        if answer.retry_after is not None:
            delay = max(delay, timedelta(seconds=min(answer.retry_after, 86400)))
        delivery.retry_after(delay, now=now)
    else:
        delivery.fail(now=now)
        if is_retryable(answer):  # out of retries
            _disable(session, claimed.endpoint_id, DisabledReason.FAILING, now=now)
    return delivery.status


def _disable(session: Session, endpoint_id: str, reason: DisabledReason, *, now: datetime) -> None:
    endpoint = session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
    if endpoint is None or not endpoint.is_enabled:
        return
    endpoint.disable(reason, now=now)
    record(
        session,
        Actor.system("webhooks"),
        operation=Operation.DISABLE_WEBHOOK_ENDPOINT,
        resource_type=ResourceType.WEBHOOK_ENDPOINT,
        resource_id=endpoint.id,
        partner_id=endpoint.partner_id,
        old={"enabled": True},
        new={"enabled": False, "reason": reason.value},
        now=now,
    )


def send_run(
    bind: Bind,
    config: WebhookConfig,
    run: list[Claimed],
    worker_id: str,
    *,
    lease_seconds: float = 30,
    limits: Limits = DEFAULT_LIMITS,
    rng: Callable[[], float] = random.random,
) -> int:
    """Send one endpoint's held deliveries in order, each after the previous one's answer, and settle them in
    one transaction. The run stops at the first that does not succeed (the rest wait behind its retry) or
    when half the lease has gone; what was not attempted is let go. Returns how many were attempted."""
    outcomes: list[tuple[Claimed, Answer]] = []
    started = time.monotonic()
    for claimed in run:
        answer = attempt(claimed, config, limits=limits)
        outcomes.append((claimed, answer))
        if not _succeeded(answer) or time.monotonic() - started > lease_seconds / 2:
            break
    settle(bind, outcomes, worker_id, released=[c.id for c in run[len(outcomes) :]], rng=rng)
    return len(outcomes)


def dispatch_once(
    bind: Bind,
    config: WebhookConfig,
    *,
    worker_id: str | None = None,
    lease_seconds: float = 30,
    limits: Limits = DEFAULT_LIMITS,
    pool: ThreadPoolExecutor | None = None,
    batch: int = BATCH,
    rng: Callable[[], float] = random.random,
) -> int:
    """Fan out what the outbox holds, then send what is due: each endpoint's run in order, the runs of
    different endpoints in parallel when given a pool. Returns how many outbox events and attempts were
    handled."""
    wid = worker_id or default_worker_id()
    done = fan_out(bind, config)
    runs = claim_due(bind, config, wid, lease_seconds=lease_seconds, batch=batch)

    def one(run: list[Claimed]) -> int:
        return send_run(bind, config, run, wid, lease_seconds=lease_seconds, limits=limits, rng=rng)

    if pool is not None and len(runs) > 1:
        return done + sum(pool.map(one, runs))
    return done + sum(one(run) for run in runs)


class Dispatcher(threading.Thread):
    """The dispatcher of one process (started by `partnerhub serve` and `partnerhub worker`)."""

    def __init__(
        self,
        bind: Bind,
        config: WebhookConfig,
        *,
        poll_seconds: float = 0.2,
        lease_seconds: float = 30,
        limits: Limits = DEFAULT_LIMITS,
        senders: int = 8,
    ) -> None:
        super().__init__(name="partnerhub-webhooks", daemon=True)
        self.bind, self.config, self.poll_seconds = bind, config, poll_seconds
        self.lease_seconds, self.limits = lease_seconds, limits
        self.pool = ThreadPoolExecutor(max_workers=senders, thread_name_prefix="partnerhub-webhook-send")
        self.stopping = threading.Event()

    def run(self) -> None:
        wid = default_worker_id()
        while not self.stopping.is_set():
            try:
                handled = dispatch_once(
                    self.bind,
                    self.config,
                    worker_id=wid,
                    lease_seconds=self.lease_seconds,
                    limits=self.limits,
                    pool=self.pool,
                )
            except Exception:  # keep dispatching across database hiccups
                log.exception("webhook dispatcher loop failed; retrying")
                handled = 0
            if not handled:
                self.stopping.wait(self.poll_seconds)
        self.pool.shutdown(wait=True)

    def stop(self) -> None:
        self.stopping.set()

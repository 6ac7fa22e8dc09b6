"""The job runner: enqueue, claim with a lease, checkpoint progress, resume after a crash.

A job is claimed by one worker at a time: the claim is an UPDATE guarded by the job's status and lease,
so two workers (threads or processes, on SQLite or PostgreSQL) can never both hold it. A worker that dies
leaves its lease to expire; the next worker takes the job over and continues from the last checkpoint.
Handlers do their work in small transactions and call `ctx.checkpoint()` after each, which both saves
progress and renews the lease (and raises LeaseLost if another worker took over meanwhile).

The queue is fair across tenants (`Job.partner_id`; the system's own jobs count as one more tenant): a claim
serves the tenant with the fewest running jobs, then the one served least recently, oldest job first within
a tenant. A bulk job calls `ctx.make_way()` between items: after a slice of items, if another tenant's job
waits, it goes back to the queue (its checkpoint kept, its lease released), so that job runs next.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, or_, select, text, update
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.db import read_session, transaction
from partnerhub.errors import JobNotFound
from partnerhub.ids import new_id
from partnerhub.jobs.kinds import JobRegistry
from partnerhub.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
SLICE_ITEMS = 100  # a worker's bulk job makes way for another tenant's waiting job after this many items


def _every_kind() -> JobRegistry:
    """The registry of every job kind (`partnerhub.jobs.registry`), used when a caller names none. It is
    imported here, not at the top, because the features' handlers it lists import this module."""
    from partnerhub.jobs.registry import REGISTRY

    return REGISTRY


def schedule_due_jobs(engine: Engine, registry: JobRegistry | None = None) -> list[str]:
    """Enqueue each scheduled job that is due: none of its kind queued or running, and the last one created
    longer ago than its period. Safe with several processes: one transaction holds a lock while deciding
    (an advisory lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already excludes other writers)."""
    periodic = (registry or _every_kind()).scheduled()
    if not periodic:
        return []
    now = utc_now()
    enqueued: list[str] = []
    with read_session(engine) as session:  # most polls find nothing due: they take no write lock
        if not [kind for kind, seconds in periodic.items() if _is_due(session, kind, seconds, now)]:
            return []
    with transaction(engine) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        for kind, seconds in sorted(periodic.items()):
            if _is_due(session, kind, seconds, now):
                enqueue(session, Actor.system("scheduler"), kind=kind, payload={})
                enqueued.append(kind)
    return enqueued


def _is_due(session: Session, kind: str, seconds: int, now: datetime) -> bool:
    """None of `kind` is queued or running, and the last one was created longer than `seconds` ago."""
    busy = session.scalar(
        select(Job.id).where(Job.kind == kind, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])).limit(1)
    )
    recent = session.scalar(
        select(Job.id).where(Job.kind == kind, Job.created_at > now - timedelta(seconds=seconds)).limit(1)
    )
    return busy is None and recent is None


class LeaseLost(Exception):
    """Another worker took the job over (this worker was too slow to renew its lease)."""


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def enqueue(session: Any, actor: Actor, *, kind: str, payload: dict[str, Any], total: int = 0) -> Job:
    """Add a job in the caller's transaction; a worker picks it up after commit."""
    now = utc_now()
    job = Job(
        id=new_id(),
        kind=kind,
        partner_id=actor.tenant_id if actor.is_partner_user else None,
        created_by_user_id=actor.user_id,
        payload=payload,
        checkpoint={},
        result={},
        status=JobStatus.QUEUED,
        progress_done=0,
        progress_total=total,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    return job


def get_job(session: Any, actor: Actor, *, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or not (actor.is_operator or (job.partner_id and job.partner_id == actor.tenant_id)):
        raise JobNotFound(id=job_id)
    assert isinstance(job, Job)
    return job


def list_jobs(session: Any, actor: Actor, *, limit: int = 50) -> list[Job]:
    stmt = select(Job).order_by(Job.created_at.desc()).limit(limit)
    if not actor.is_operator:
        stmt = stmt.where(Job.partner_id == actor.tenant_id)
    return list(session.scalars(stmt))


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Queued, or running under an expired lease (its worker died)."""
    return or_(Job.status == JobStatus.QUEUED, (Job.status == JobStatus.RUNNING) & (Job.lease_expires_at < now))


def _of_tenant(partner_id: str | None) -> ColumnElement[bool]:
    return Job.partner_id.is_(None) if partner_id is None else Job.partner_id == partner_id


def _not_of_tenant(partner_id: str | None) -> ColumnElement[bool]:
    return (
        Job.partner_id.is_not(None)
        if partner_id is None
        else or_(Job.partner_id.is_(None), Job.partner_id != partner_id)
    )


def _claim_values(worker_id: str, now: datetime, lease_seconds: int) -> dict[str, Any]:
    return {
        "status": JobStatus.RUNNING,
        "lease_owner": worker_id,
        "claimed_at": now,
        "updated_at": now,
        "lease_expires_at": now + timedelta(seconds=lease_seconds),
        "attempts": Job.attempts + 1,
    }


def claim_job(engine: Engine, job_id: str, worker_id: str, *, lease_seconds: int = 60) -> bool:
    """Take one given job if it is queued, or running under an expired lease (its worker died)."""
    now = utc_now()
    with transaction(engine) as session:
        res = session.execute(
            update(Job).where(Job.id == job_id, _claimable(now)).values(**_claim_values(worker_id, now, lease_seconds))
        )
        return bool(res.rowcount == 1)  # type: ignore[attr-defined]


def tenants_in_turn(session: Session, waiting: list[ColumnElement[bool]], now: datetime) -> list[str | None]:
    """The tenants with a job that matches `waiting`, in the order a claim serves them: fewest running jobs
    first, then the one served least recently (never served first), then the one whose job waits longest."""
    oldest = dict(
        session.execute(select(Job.partner_id, func.min(Job.created_at)).where(*waiting).group_by(Job.partner_id)).all()
    )
    running = dict(
        session.execute(
            select(Job.partner_id, func.count())
            .where(Job.status == JobStatus.RUNNING, Job.lease_expires_at >= now)
            .group_by(Job.partner_id)
        ).all()
    )

    served: dict[str | None, datetime | None] = {}
    partners = [p for p in oldest if p is not None]
    for start in range(0, len(partners), 500):  # the latest claim of each tenant (ix_jobs_partner_claimed)
        served.update(
            session.execute(
                select(Job.partner_id, func.max(Job.claimed_at))
                .where(Job.partner_id.in_(partners[start : start + 500]))
                .group_by(Job.partner_id)
            ).all()
        )
    if None in oldest:
        served[None] = session.scalar(select(func.max(Job.claimed_at)).where(Job.partner_id.is_(None)))

    def turn(partner_id: str | None) -> tuple[int, bool, datetime, datetime, str]:
        last = served.get(partner_id)
        return (
            running.get(partner_id, 0),
            last is not None,
            last or oldest[partner_id],
            oldest[partner_id],
            partner_id or "",
        )

    return sorted(oldest, key=turn)


def claim_next(
    engine: Engine, worker_id: str, *, lease_seconds: int = 60, kinds: list[str] | None = None
) -> str | None:
    """Take the next job, fairly across tenants (`tenants_in_turn`), oldest first within the tenant; a job
    whose lease expired (its worker died) is taken over. Returns its id."""
    now = utc_now()
    waiting = [_claimable(now), *([Job.kind.in_(kinds)] if kinds else [])]
    with read_session(engine) as session:  # an idle worker's poll takes no write lock
        if session.scalars(select(Job.id).where(*waiting).limit(1)).first() is None:
            return None
    with transaction(engine) as session:
        if engine.dialect.name == "postgresql":  # claims take turns one at a time (SQLite: BEGIN IMMEDIATE)
            session.execute(text("SELECT pg_advisory_xact_lock(727275)"))
        for partner_id in tenants_in_turn(session, waiting, now):
            stmt = select(Job.id).where(*waiting, _of_tenant(partner_id)).order_by(Job.created_at, Job.id).limit(1)
            if engine.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            job_id = session.scalars(stmt).first()
            if job_id is None:
                continue
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, _claimable(now))
                .values(**_claim_values(worker_id, now, lease_seconds))
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                return job_id
        return None


class MadeWay(Exception):  # not an error: the job stops to let another tenant's job run
    """The job stopped between two items for another tenant's waiting job; the runner queues it again."""


@dataclass
class JobContext:
    """What a handler gets: the engine, the job's payload and checkpoint, and a way to report progress."""

    engine: Engine
    job_id: str
    worker_id: str
    payload: dict[str, Any]
    checkpoint_data: dict[str, Any]
    progress_done: int
    progress_total: int
    lease_seconds: int = 60
    on_progress: Callable[[int, int], None] | None = field(default=None, repr=False)
    partner_id: str | None = None  # the job's tenant
    slice_items: int | None = None  # None: never make way (a job run on its own, e.g. by the CLI)
    kinds: list[str] | None = None  # the kinds this worker runs (it makes way only for those)
    items_this_turn: int = 0

    def make_way(self) -> None:
        """Call between two items. Once this turn has done `slice_items` items, if a job of another tenant
        waits (one this worker may run), raise MadeWay: the runner puts this job back in the queue, its
        checkpoint kept, so that job runs first and this one resumes at its next turn."""
        if self.slice_items is None:
            return
        if self.items_this_turn >= self.slice_items:
            now = utc_now()
            waiting = [
                _claimable(now),
                _not_of_tenant(self.partner_id),
                *([Job.kind.in_(self.kinds)] if self.kinds else []),
            ]
            with read_session(self.engine) as session:
                if session.scalars(select(Job.id).where(*waiting).limit(1)).first() is not None:
                    raise MadeWay(self.job_id)
            self.items_this_turn = 0  # nobody else waits: go on, and look again after another slice
        self.items_this_turn += 1

    def checkpoint(self, *, done: int, total: int | None = None, data: dict[str, Any] | None = None) -> None:
        """Save progress and renew the lease; raises LeaseLost if another worker owns the job now."""
        now = utc_now()
        values: dict[str, Any] = {
            "progress_done": done,
            "updated_at": now,
            "lease_expires_at": now + timedelta(seconds=self.lease_seconds),
        }
        if total is not None:
            values["progress_total"] = total
            self.progress_total = total
        if data is not None:
            values["checkpoint"] = data
            self.checkpoint_data = data
        with transaction(self.engine) as session:
            res = session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.lease_owner == self.worker_id, Job.status == JobStatus.RUNNING)
                .values(**values)
            )
            if res.rowcount != 1:  # type: ignore[attr-defined]
                raise LeaseLost(self.job_id)
        self.progress_done = done
        if self.on_progress:
            self.on_progress(done, self.progress_total)

    def advance(self, session: Any, *, by: int = 1) -> None:
        """Count `by` more items done and renew the lease inside the caller's transaction — the one that
        did those items — so progress, lease and work commit together, in one transaction per item. Raises
        LeaseLost (the caller's work rolls back) if another worker owns the job now."""
        now = utc_now()
        res = session.execute(
            update(Job)
            .where(Job.id == self.job_id, Job.lease_owner == self.worker_id, Job.status == JobStatus.RUNNING)
            .values(
                progress_done=Job.progress_done + by,
                updated_at=now,
                lease_expires_at=now + timedelta(seconds=self.lease_seconds),
            )
            .execution_options(synchronize_session=False)
        )  # the job row is not loaded in this session
        if res.rowcount != 1:
            raise LeaseLost(self.job_id)
        self.progress_done += by

    def report_progress(self) -> None:
        """Tell the progress display (after the caller's commit)."""
        if self.on_progress:
            self.on_progress(self.progress_done, self.progress_total)


def run_job(
    engine: Engine,
    job_id: str,
    worker_id: str,
    *,
    lease_seconds: int = 60,
    on_progress: Callable[[int, int], None] | None = None,
    registry: JobRegistry | None = None,
    slice_items: int | None = None,
    kinds: list[str] | None = None,
) -> str:
    """Run a claimed job with its kind's handler from `registry` (default: every kind): to its end, or, given
    `slice_items`, until it makes way for another tenant's job (then it is queued again: "queued")."""
    with read_session(engine) as session:
        job = session.get(Job, job_id)
        if job is None:
            raise JobNotFound(id=job_id)
        ctx = JobContext(
            engine,
            job.id,
            worker_id,
            dict(job.payload),
            dict(job.checkpoint),
            job.progress_done,
            job.progress_total,
            lease_seconds,
            on_progress,
            job.partner_id,
            slice_items,
            kinds,
        )
        handler = (registry or _every_kind()).handler(job.kind)
    status, result, error = JobStatus.SUCCEEDED, {}, None
    if handler is None:
        status, error = JobStatus.FAILED, f"no handler for job kind {job.kind}"
    else:
        try:
            result = handler(ctx)
        except LeaseLost:
            log.warning("job %s was taken over by another worker", job_id)
            return JobStatus.RUNNING
        except MadeWay:
            return _requeue(engine, job_id, worker_id)
        except Exception:  # a failing handler fails its job, not the worker
            log.exception("job %s failed", job_id)
            status, error = JobStatus.FAILED, traceback.format_exc(limit=5)
    now = utc_now()
    with transaction(engine) as session:
        res = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.lease_owner == worker_id)
            .values(status=status, result=result, error=error, finished_at=now, updated_at=now, lease_expires_at=None)
        )
        if res.rowcount != 1:  # type: ignore[attr-defined]
            return JobStatus.RUNNING
    return status


def _requeue(engine: Engine, job_id: str, worker_id: str) -> str:
    """Put a job that made way back in the queue: no lease, its checkpoint and progress kept."""
    with transaction(engine) as session:
        res = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.lease_owner == worker_id, Job.status == JobStatus.RUNNING)
            .values(status=JobStatus.QUEUED, lease_owner=None, lease_expires_at=None, updated_at=utc_now())
        )
        return JobStatus.QUEUED if res.rowcount == 1 else JobStatus.RUNNING  # type: ignore[attr-defined]


def run_pending(
    engine: Engine,
    *,
    worker_id: str | None = None,
    lease_seconds: int = 60,
    kinds: list[str] | None = None,
    max_jobs: int | None = None,
    registry: JobRegistry | None = None,
    slice_items: int | None = SLICE_ITEMS,
) -> int:
    """Run claimable jobs, taking turns between tenants, until none is left (or `max_jobs` ended); returns
    how many ran to an end (a job that made way for another tenant's is run again later, and counted then)."""
    wid = worker_id or default_worker_id()
    ran = 0
    while max_jobs is None or ran < max_jobs:
        job_id = claim_next(engine, wid, lease_seconds=lease_seconds, kinds=kinds)
        if job_id is None:
            break
        status = run_job(
            engine, job_id, wid, lease_seconds=lease_seconds, registry=registry, slice_items=slice_items, kinds=kinds
        )
        if status != JobStatus.QUEUED:
            ran += 1
    return ran


class Worker(threading.Thread):
    """A background worker thread (started by `partnerhub serve`): resumes unfinished jobs at start."""

    def __init__(
        self, engine: Engine, registry: JobRegistry, *, poll_seconds: float = 2.0, lease_seconds: int = 60
    ) -> None:
        super().__init__(name="partnerhub-jobs", daemon=True)
        self.engine = engine
        self.registry = registry
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        wid = default_worker_id()
        while not self.stopping.is_set():
            try:
                schedule_due_jobs(self.engine, self.registry)
                ran = run_pending(self.engine, worker_id=wid, lease_seconds=self.lease_seconds, registry=self.registry)
            except Exception:  # keep the worker alive across database hiccups
                log.exception("job worker loop failed; retrying")
                ran = 0
            if not ran:
                self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        self.stopping.set()

"""The job runner: leases, checkpoints, resumption after a crash, and no double work with several workers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from partnerhub.auth.actor import Actor
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import transaction
from partnerhub.errors import JobNotFound
from partnerhub.invitations.jobs import EXPIRE_INVITATIONS
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.service import create_invitation
from partnerhub.jobs.kinds import JobKind
from partnerhub.jobs.models import Job
from partnerhub.jobs.registry import REGISTRY
from partnerhub.jobs.runner import (
    JobContext,
    LeaseLost,
    claim_next,
    enqueue,
    get_job,
    run_job,
    run_pending,
)
from tests.factories import make_partner

COUNT_KIND = "test-count-items"
# Items "processed" by the counting job, shared across threads: (job id, item) pairs.
processed: list[tuple[str, int]] = []
processed_lock = threading.Lock()
crash_after: dict[str, int] = {}


def count_items(ctx: JobContext) -> dict[str, Any]:
    """Processes items 0..n-1, checkpointing after each; may 'crash' once after a given item."""
    n = int(ctx.payload["n"])
    start = int(ctx.checkpoint_data.get("next", 0))
    for item in range(start, n):
        with processed_lock:
            processed.append((ctx.job_id, item))
        ctx.checkpoint(done=item + 1, total=n, data={"next": item + 1})
        if crash_after.get(ctx.job_id) == item:
            del crash_after[ctx.job_id]
            raise SystemExit("simulated crash")  # the process dies: no status written
    return {"count": n}


# The registry these tests run with: every real kind, plus the counting job.
TEST_REGISTRY = REGISTRY.with_kinds(JobKind(COUNT_KIND, count_items, "Count items (tests only)"))


def _enqueue(engine: Engine, n: int) -> str:
    with transaction(engine) as s:
        return enqueue(s, Actor.system(), kind=COUNT_KIND, payload={"n": n}, total=n).id


def _job(engine: Engine, job_id: str) -> Job:
    with transaction(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def test_a_job_runs_to_completion_with_progress(fresh_engine: Engine) -> None:
    job_id = _enqueue(fresh_engine, 5)
    seen: list[tuple[int, int]] = []
    claimed = claim_next(fresh_engine, "w1")
    assert claimed == job_id
    assert (
        run_job(fresh_engine, job_id, "w1", on_progress=lambda d, t: seen.append((d, t)), registry=TEST_REGISTRY)
        == "succeeded"
    )
    job = _job(fresh_engine, job_id)
    assert (job.status, job.progress_done, job.progress_total, job.result) == ("succeeded", 5, 5, {"count": 5})
    assert seen[-1] == (5, 5) and len(seen) == 5
    assert job.finished_at is not None and job.lease_owner == "w1"


def test_a_crashed_job_is_resumed_from_its_checkpoint_after_the_lease_expires(fresh_engine: Engine) -> None:
    job_id = _enqueue(fresh_engine, 6)
    crash_after[job_id] = 2
    assert claim_next(fresh_engine, "dead-worker", lease_seconds=30) == job_id
    with pytest.raises(SystemExit):
        run_job(fresh_engine, job_id, "dead-worker", lease_seconds=30, registry=TEST_REGISTRY)
    assert _job(fresh_engine, job_id).status == "running"
    # While the lease holds, nobody else takes the job.
    assert claim_next(fresh_engine, "w2") is None
    with frozen_at(utc_now() + timedelta(seconds=31)):
        assert claim_next(fresh_engine, "w2") == job_id
        assert run_job(fresh_engine, job_id, "w2", registry=TEST_REGISTRY) == "succeeded"
    items = [i for j, i in processed if j == job_id]
    assert items == [0, 1, 2, 3, 4, 5]  # resumed at 3: nothing done twice, nothing skipped
    job = _job(fresh_engine, job_id)
    assert job.attempts == 2 and job.progress_done == 6


def test_a_worker_that_lost_its_lease_stops(fresh_engine: Engine) -> None:
    job_id = _enqueue(fresh_engine, 3)
    assert claim_next(fresh_engine, "slow", lease_seconds=10) == job_id
    with frozen_at(utc_now() + timedelta(seconds=11)):
        assert claim_next(fresh_engine, "fast") == job_id
    ctx = JobContext(fresh_engine, job_id, "slow", {"n": 3}, {}, 0, 3)
    with pytest.raises(LeaseLost):
        ctx.checkpoint(done=1)


def test_several_workers_never_run_the_same_job_twice(fresh_engine: Engine) -> None:
    job_ids = {_enqueue(fresh_engine, 3) for _ in range(8)}
    ran: list[int] = []
    barrier = threading.Barrier(4)

    def work(name: str) -> None:
        barrier.wait()
        ran.append(run_pending(fresh_engine, worker_id=name, registry=TEST_REGISTRY))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(ran) == 8
    for job_id in job_ids:
        assert [i for j, i in processed if j == job_id] == [0, 1, 2]
        assert _job(fresh_engine, job_id).status == "succeeded"


def test_a_failing_handler_fails_its_job_not_the_worker(fresh_engine: Engine) -> None:
    with transaction(fresh_engine) as s:
        job_id = enqueue(s, Actor.system(), kind="no-such-kind", payload={}).id
    assert run_pending(fresh_engine, worker_id="w", registry=TEST_REGISTRY) == 1
    job = _job(fresh_engine, job_id)
    assert job.status == "failed" and "no handler" in (job.error or "")


def test_jobs_are_visible_only_to_their_partner(fresh_engine: Engine) -> None:
    with transaction(fresh_engine) as s:
        mine, theirs = make_partner(s), make_partner(s)
        job_id = enqueue(s, mine.admin, kind=COUNT_KIND, payload={"n": 1}).id
    with transaction(fresh_engine) as s:
        assert get_job(s, mine.admin, job_id=job_id).id == job_id
        with pytest.raises(JobNotFound):
            get_job(s, theirs.admin, job_id=job_id)


def test_the_expiry_job_marks_old_invitations_expired(fresh_engine: Engine) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with frozen_at(start) as clock, transaction(fresh_engine) as s:
        partner = make_partner(s)
        create_invitation(s, partner.admin, base_url="http://x", valid_days=10)
        create_invitation(s, partner.admin, base_url="http://x", valid_days=100)
        enqueue(s, Actor.system(), kind=EXPIRE_INVITATIONS, payload={})
        clock.move(timedelta(days=11))
    with frozen_at(start + timedelta(days=11)):
        assert run_pending(fresh_engine, worker_id="w", registry=TEST_REGISTRY) == 1
    with transaction(fresh_engine) as s:
        statuses = sorted(s.scalars(select(RelationshipRequest.status)))
        assert statuses == ["expired", "sent"]
        assert s.scalar(select(func.count()).select_from(Job).where(Job.status == "succeeded")) == 1


def test_periodic_jobs_are_enqueued_once_per_period_even_by_several_schedulers(fresh_engine: Engine) -> None:
    from partnerhub.jobs.runner import schedule_due_jobs

    start = datetime(2026, 3, 1, tzinfo=UTC)
    with frozen_at(start) as clock:
        results: list[list[str]] = []
        barrier = threading.Barrier(3)

        def schedule() -> None:
            barrier.wait()
            results.append(_expiry(schedule_due_jobs(fresh_engine)))

        threads = [threading.Thread(target=schedule) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(k for r in results for k in r) == [EXPIRE_INVITATIONS]  # one scheduler won
        run_pending(fresh_engine, worker_id="w")
        clock.move(timedelta(minutes=30))
        assert _expiry(schedule_due_jobs(fresh_engine)) == []  # not due yet
        clock.move(timedelta(minutes=31))
        assert _expiry(schedule_due_jobs(fresh_engine)) == [EXPIRE_INVITATIONS]
        assert _expiry(schedule_due_jobs(fresh_engine)) == []  # already queued


def _expiry(kinds: list[str]) -> list[str]:
    return [k for k in kinds if k == EXPIRE_INVITATIONS]

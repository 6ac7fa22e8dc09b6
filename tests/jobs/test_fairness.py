"""F11: the job queue is fair across tenants. A claim serves the tenant with the fewest running jobs, then the
one served least recently, oldest job first within a tenant; and a long job makes way, after a slice of items,
for a job of another tenant that is waiting. One tenant's 3,000-item jobs no longer hold up another's
one-item job. (Deterministic: the tests look at the order of work, never at durations.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_email
from partnerhub.db import read_session, transaction
from partnerhub.jobs.kinds import JobKind
from partnerhub.jobs.models import Job
from partnerhub.jobs.registry import REGISTRY
from partnerhub.jobs.runner import JobContext, claim_next, enqueue, run_job, run_pending
from partnerhub.usecases.bulk_offboarding import start_bulk_offboarding
from tests.factories import make_partner
from tests.offboarding.test_bulk import _state_of, _world

ITEMS_KIND = "test-fair-items"
# What the item job did, in order, across the worker threads of a test: (job label, item number).
work_log: list[tuple[str, int]] = []
work_lock = threading.Lock()


def do_items(ctx: JobContext) -> dict[str, Any]:
    """Items 0..n-1, each checkpointed; between two items the job makes way if its slice is over."""
    n, label = int(ctx.payload["n"]), str(ctx.payload["label"])
    for item in range(int(ctx.checkpoint_data.get("next", 0)), n):
        ctx.make_way()
        with work_lock:
            work_log.append((label, item))
        ctx.checkpoint(done=item + 1, total=n, data={"next": item + 1})
    return {"count": n}


FAIR_REGISTRY = REGISTRY.with_kinds(JobKind(ITEMS_KIND, do_items, "Items (tests only)"))


@pytest.fixture(autouse=True)
def _clean_log() -> Iterator[None]:
    work_log.clear()
    yield
    work_log.clear()


def _tenants(engine: Engine, count: int) -> list[Actor]:
    with transaction(engine) as s:
        return [make_partner(s).admin for _ in range(count)]


def _enqueue(engine: Engine, actor: Actor, label: str, n: int) -> str:
    with transaction(engine) as s:
        return enqueue(s, actor, kind=ITEMS_KIND, payload={"n": n, "label": label}, total=n).id


def _jobs_in_order_of_first_work() -> list[str]:
    return list(dict.fromkeys(label for label, _ in work_log))


def _job(engine: Engine, job_id: str) -> Job:
    with read_session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def test_one_worker_takes_turns_between_tenants(fresh_engine: Engine) -> None:
    """Queued A1, A2, B1, C1: a queue in order of arrival ran A2 before B1 and C1."""
    a, b, c = _tenants(fresh_engine, 3)
    _enqueue(fresh_engine, a, "A1", 2)
    _enqueue(fresh_engine, a, "A2", 2)
    _enqueue(fresh_engine, b, "B1", 1)
    _enqueue(fresh_engine, c, "C1", 1)
    assert run_pending(fresh_engine, worker_id="w", registry=FAIR_REGISTRY) == 4
    assert _jobs_in_order_of_first_work() == ["A1", "B1", "C1", "A2"]


def test_a_claim_serves_the_tenant_with_the_fewest_running_jobs(fresh_engine: Engine) -> None:
    a, b = _tenants(fresh_engine, 2)
    a1, a2 = _enqueue(fresh_engine, a, "A1", 1), _enqueue(fresh_engine, a, "A2", 1)
    b1, b2 = _enqueue(fresh_engine, b, "B1", 1), _enqueue(fresh_engine, b, "B2", 1)
    claims = [claim_next(fresh_engine, f"w{n}") for n in range(5)]  # none of them finishes
    assert claims == [a1, b1, a2, b2, None]


def test_system_jobs_are_one_more_tenant(fresh_engine: Engine) -> None:
    (a,) = _tenants(fresh_engine, 1)
    a1, a2 = _enqueue(fresh_engine, a, "A1", 1), _enqueue(fresh_engine, a, "A2", 1)
    housekeeping = _enqueue(fresh_engine, Actor.system(), "S1", 1)
    assert [claim_next(fresh_engine, f"w{n}") for n in range(3)] == [a1, housekeeping, a2]


def test_a_long_job_makes_way_for_another_tenants_job(fresh_engine: Engine) -> None:
    """A's two 25-item jobs, then B's one-item job: B's runs after A1's first slice of 10 items, not after
    the 50 items of A's two jobs. A1 resumes where it stopped, and finishes before A2 starts."""
    a, b = _tenants(fresh_engine, 2)
    a1 = _enqueue(fresh_engine, a, "A1", 25)
    a2 = _enqueue(fresh_engine, a, "A2", 25)
    b1 = _enqueue(fresh_engine, b, "B1", 1)
    run_pending(fresh_engine, worker_id="w", registry=FAIR_REGISTRY, slice_items=10)
    assert work_log == (
        [("A1", i) for i in range(10)]
        + [("B1", 0)]
        + [("A1", i) for i in range(10, 25)]
        + [("A2", i) for i in range(25)]
    )  # each item once, in order
    jobs = [_job(fresh_engine, j) for j in (a1, a2, b1)]
    assert [j.status for j in jobs] == ["succeeded"] * 3
    assert [j.attempts for j in jobs] == [2, 1, 1]  # A1 was claimed twice: it made way once
    assert [j.progress_done for j in jobs] == [25, 25, 1]


def test_a_job_makes_way_only_for_another_tenant(fresh_engine: Engine) -> None:
    """Alone, or with only its own tenant's jobs behind it, a job runs to its end in one go."""
    (a,) = _tenants(fresh_engine, 1)
    a1, a2 = _enqueue(fresh_engine, a, "A1", 25), _enqueue(fresh_engine, a, "A2", 5)
    assert run_pending(fresh_engine, worker_id="w", registry=FAIR_REGISTRY, slice_items=10) == 2
    assert [_job(fresh_engine, j).attempts for j in (a1, a2)] == [1, 1]
    assert _jobs_in_order_of_first_work() == ["A1", "A2"]


def test_a_job_that_made_way_is_queued_without_a_lease(fresh_engine: Engine) -> None:
    a, b = _tenants(fresh_engine, 2)
    a1 = _enqueue(fresh_engine, a, "A1", 25)
    assert claim_next(fresh_engine, "w") == a1
    _enqueue(fresh_engine, b, "B1", 1)
    assert run_job(fresh_engine, a1, "w", registry=FAIR_REGISTRY, slice_items=10) == "queued"
    job = _job(fresh_engine, a1)
    assert (job.status, job.lease_owner, job.lease_expires_at, job.progress_done) == ("queued", None, None, 10)
    assert job.checkpoint == {"next": 10} and job.finished_at is None


def test_a_job_run_on_its_own_never_makes_way(fresh_engine: Engine) -> None:
    """`run_job` without a slice (the CLI's `offboard bulk`, which shows its own progress) runs to the end."""
    a, b = _tenants(fresh_engine, 2)
    a1 = _enqueue(fresh_engine, a, "A1", 25)
    _enqueue(fresh_engine, b, "B1", 1)
    assert claim_next(fresh_engine, "w") == a1
    assert run_job(fresh_engine, a1, "w", registry=FAIR_REGISTRY) == "succeeded"


def test_another_tenants_bulk_offboarding_finishes_first(fresh_engine: Engine) -> None:
    """The finding's case with the real job: tenant A's big bulk offboardings, then tenant B's one customer.
    B's job ends while A's first is still under way; every customer of A is still offboarded exactly once."""
    email_a, ids_a = _world(fresh_engine, 12, subs_each=1)
    email_b, ids_b = _world(fresh_engine, 1, subs_each=1)
    with transaction(fresh_engine) as s:
        a = actor_for_email(s, email_a)
        big = [
            start_bulk_offboarding(s, a, customer_ids=ids_a[:6]).id,
            start_bulk_offboarding(s, a, customer_ids=ids_a[6:]).id,
        ]
    with transaction(fresh_engine) as s:
        small = start_bulk_offboarding(s, actor_for_email(s, email_b), customer_ids=ids_b).id
    run_pending(fresh_engine, worker_id="w", slice_items=2)
    with read_session(fresh_engine) as s:
        finished = dict(s.execute(select(Job.id, Job.finished_at).where(Job.id.in_([*big, small]))).all())
    assert finished[small] < finished[big[0]] < finished[big[1]]
    assert [_job(fresh_engine, j).result for j in big] == [{"succeeded": 6, "failed": 0, "pending": 0}] * 2
    assert {_state_of(fresh_engine, c) for c in [*ids_a, *ids_b]} == {"offboarded"}

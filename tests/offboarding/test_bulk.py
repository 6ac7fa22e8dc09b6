"""Bulk offboarding: a job with a per-customer report, resumable after a crash (kill -9), never leaving a
customer half-done."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.service import actor_for_email
from partnerhub.cli.acting import runtime
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import read_session, transaction
from partnerhub.jobs.models import Job, JobItem
from partnerhub.jobs.runner import run_pending
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.usecases.bulk_offboarding import bulk_report, start_bulk_offboarding
from tests.cli.test_seed_flow import Cli
from tests.factories import AZURE_RESERVATION, M365_BASIC, M365_E3, buy, make_customer, make_partner

HERE = Path(__file__).parent


def _world(engine: Engine, customers: int, subs_each: int = 3) -> tuple[str, list[str]]:
    with transaction(engine) as s:
        partner = make_partner(s)
        ids = []
        for i in range(customers):
            cid = make_customer(s, partner.admin, name=f"Bulk {i:03d}").customer.id
            for _ in range(subs_each):
                buy(s, partner.admin, cid, M365_BASIC if i % 2 else M365_E3)
            ids.append(cid)
        return partner.admin.email, ids


def _state_of(engine: Engine, cid: str) -> str:
    """'untouched' (active relationship, every subscription active), 'offboarded' (removed, nothing active),
    or 'HALF-DONE'."""
    with read_session(engine) as s:
        rel = s.scalars(select(ResellerRelationship.status).where(ResellerRelationship.customer_id == cid)).one()
        statuses = set(s.scalars(select(Subscription.status).where(Subscription.customer_id == cid)))
        removals = s.scalar(
            select(func.count())
            .select_from(ActivityRecord)
            .where(
                ActivityRecord.customer_id == cid,
                ActivityRecord.operation_type == "remove_partner_customer_relationship",
            )
        )
    if rel == "active" and statuses == {"active"} and removals == 0:
        return "untouched"
    if rel == "removed" and statuses == {"suspended"} and removals == 1:
        return "offboarded"
    return "HALF-DONE"


def test_bulk_offboarding_reports_each_customer(fresh_engine: Engine) -> None:
    email, ids = _world(fresh_engine, 4, subs_each=2)
    with transaction(fresh_engine) as s:
        admin = actor_for_email(s, email)
        buy(s, admin, ids[1], AZURE_RESERVATION, quantity=1)  # blocks that one customer
        job_id = start_bulk_offboarding(s, admin, customer_ids=ids).id
    assert run_pending(fresh_engine, worker_id="w") == 1
    with transaction(fresh_engine) as s:
        report = bulk_report(s, actor_for_email(s, email), job_id=job_id)
        outcomes = {i.item_key: (i.status, i.error_code) for i in report.items}
        assert report.job.status == "succeeded" and report.job.result == {"succeeded": 3, "failed": 1, "pending": 0}
    assert outcomes[ids[1]] == ("failed", 800160)
    assert [_state_of(fresh_engine, c) for c in (ids[0], ids[2], ids[3])] == ["offboarded"] * 3


def test_a_search_prefix_selects_the_customers(fresh_engine: Engine) -> None:
    email, ids = _world(fresh_engine, 3, subs_each=1)
    with transaction(fresh_engine) as s:
        other = make_customer(s, actor_for_email(s, email), name="Zeta Spa").customer.id
        job = start_bulk_offboarding(s, actor_for_email(s, email), search_prefix="bulk")
        assert job.progress_total == 3
    run_pending(fresh_engine, worker_id="w")
    assert {_state_of(fresh_engine, c) for c in ids} == {"offboarded"}
    with transaction(fresh_engine) as s:
        assert (
            s.scalars(select(ResellerRelationship.status).where(ResellerRelationship.customer_id == other)).one()
            == "active"
        )


def test_a_kill_inside_a_customers_transaction_loses_it_whole_and_resume_finishes(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    email, ids = _world(fresh_engine, 8)
    env = {
        **os.environ,
        "PARTNERHUB_DATABASE_URL": fresh_engine.url.render_as_string(hide_password=False),
        "PARTNERHUB_DATA_DIR": str(tmp_path),
        "PARTNERHUB_AS": email,
        "PARTNERHUB_JOB_LEASE_SECONDS": "30",
    }
    proc = subprocess.run(
        [sys.executable, str(HERE / "crash_after.py"), "4", "offboard", "bulk", "--search", "", "--yes", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    states = [_state_of(fresh_engine, c) for c in ids]
    assert states == ["offboarded"] * 3 + ["untouched"] * 5  # the 4th was killed just before its commit
    with transaction(fresh_engine) as s:
        job = s.scalars(select(Job)).one()
        assert job.status == "running"
        job_id = job.id
    cli = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    cli.run("offboard", "resume", job_id, as_=email, expect=3)  # the dead worker's lease still holds
    with frozen_at(utc_now() + timedelta(seconds=31)):
        out = json.loads(cli.run("offboard", "resume", job_id, "--json", as_=email).stdout)
    assert (out["status"], out["succeeded"], out["failed"], out["pending"]) == ("succeeded", 8, 0, 0)
    runtime().engine.dispose()
    runtime.cache_clear()
    assert [_state_of(fresh_engine, c) for c in ids] == ["offboarded"] * 8


def _done(engine: Engine) -> int:
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(JobItem).where(JobItem.status != "pending")) or 0)


@pytest.mark.slow
def test_kill_9_at_random_moments_never_leaves_a_customer_half_done(fresh_engine: Engine, tmp_path: Path) -> None:
    email, ids = _world(fresh_engine, 16, subs_each=2)
    env = {
        **os.environ,
        "PARTNERHUB_DATABASE_URL": fresh_engine.url.render_as_string(hide_password=False),
        "PARTNERHUB_DATA_DIR": str(tmp_path),
        "PARTNERHUB_AS": email,
        "PARTNERHUB_JOB_LEASE_SECONDS": "1",
    }
    cmd = [sys.executable, "-m", "partnerhub.cli.main", "offboard", "bulk", "--search", "", "--yes", "--detach"]
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
    kills = 0
    for round_ in range(len(ids) + 2):
        before = _done(fresh_engine)
        proc = subprocess.Popen(
            [sys.executable, "-m", "partnerhub.cli.main", "jobs", "work"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        target = before + 1 + round_ % 3  # let it offboard 1 to 3 customers, then kill it at once or a bit later
        while proc.poll() is None and _done(fresh_engine) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep((round_ % 4) * 0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            kills += _done(fresh_engine) < len(ids)  # killed with work left: a real crash mid-job
        proc.wait(timeout=60)
        states = Counter(_state_of(fresh_engine, c) for c in ids)
        assert states["HALF-DONE"] == 0, states
        with read_session(fresh_engine) as s:
            if s.scalars(select(Job.status)).one() == "succeeded":
                break
        time.sleep(1.05)  # the dead worker's lease expires, as it would for a restarted service
    assert kills >= 1
    assert Counter(_state_of(fresh_engine, c) for c in ids) == {"offboarded": len(ids)}
    print(f"\nbulk offboarding of {len(ids)} customers survived {kills} kill -9 of its worker")
    with transaction(fresh_engine) as s:
        job = s.scalars(select(Job)).one()
        assert (job.status, job.progress_done) == ("succeeded", len(ids))
        assert job.attempts >= kills + 1  # each killed worker's attempt, and the one that finished

"""One explicit registry of job kinds: every process that runs jobs knows every handler and every schedule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User, WebSession
from partnerhub.auth.web_sessions import _hash, open_web_session
from partnerhub.db import transaction
from partnerhub.jobs.models import Job
from partnerhub.jobs.runner import enqueue, run_pending, schedule_due_jobs
from tests.factories import PartnerWorld, make_partner


@pytest.mark.slow
def test_a_fresh_cli_process_runs_a_queued_housekeeping_job(fresh_engine: Engine, tmp_path: Path) -> None:
    """`partnerhub jobs work` in a new process (nothing imported by the server) still knows the purge of
    idempotent answers: before the registry, it failed the job with "no handler for job kind"."""
    with transaction(fresh_engine) as session:
        job_id = enqueue(session, Actor.system("test"), kind="purge-idempotency-keys", payload={}).id
    env = {
        **os.environ,
        "PARTNERHUB_DATABASE_URL": fresh_engine.url.render_as_string(hide_password=False),
        "PARTNERHUB_DATA_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "partnerhub.cli.main", "jobs", "work"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    with transaction(fresh_engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.status, job.error) == ("succeeded", None)


def test_every_kind_that_is_queued_anywhere_is_in_the_registry() -> None:
    from partnerhub.delegated_admin.jobs import GDAP_CLOCK
    from partnerhub.invitations.jobs import EXPIRE_INVITATIONS
    from partnerhub.jobs.registry import REGISTRY
    from partnerhub.usecases.bulk_offboarding import BULK_OFFBOARD

    for kind in (
        BULK_OFFBOARD,
        GDAP_CLOCK,
        EXPIRE_INVITATIONS,
        "purge-idempotency-keys",
        "purge-web-sessions",
        "purge-webhook-log",
    ):
        assert kind in REGISTRY and REGISTRY.handler(kind) is not None
    assert set(REGISTRY.scheduled()) == {
        GDAP_CLOCK,
        EXPIRE_INVITATIONS,
        "purge-idempotency-keys",
        "purge-web-sessions",
        "purge-sign-in-attempts",
        "purge-webhook-log",
        "gdap-expiry-warnings",
        "send-mail",
    }


def test_a_kind_cannot_be_listed_twice() -> None:
    from partnerhub.jobs.kinds import JobKind, JobRegistry

    kind = JobKind("twice", lambda ctx: {}, "listed twice")
    with pytest.raises(ValueError, match="listed twice"):
        JobRegistry(kind, kind)


def test_ended_web_sessions_are_purged_by_the_scheduled_housekeeping(fresh_engine: Engine) -> None:
    """`web_sessions` no longer only grows: the scheduler enqueues the purge, and a worker runs it."""
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    with transaction(fresh_engine) as session:
        world = make_partner(session)
        old = open_web_session(session, _user(session, world), is_mfa=False, max_hours=8, now=long_ago)
        signed_out = open_web_session(session, _user(session, world), is_mfa=False, max_hours=8, now=long_ago)
        recent = open_web_session(session, _user(session, world), is_mfa=False, max_hours=8)
        session.execute(
            update(WebSession)
            .where(WebSession.token_hash == _hash(signed_out.token))
            .values(expires_at=datetime(2030, 1, 1, tzinfo=UTC), ended_at=long_ago)
        )
    assert "purge-web-sessions" in schedule_due_jobs(fresh_engine)
    run_pending(fresh_engine, worker_id="w")
    with transaction(fresh_engine) as session:
        kept = set(session.scalars(select(WebSession.token_hash)))
    assert kept == {_hash(recent.token)}
    assert _hash(old.token) not in kept


def _user(session: Session, world: PartnerWorld) -> User:
    user = session.get(User, world.admin.user_id)
    assert user is not None
    return user


@pytest.mark.slow
def test_the_cli_lists_every_kind_and_its_schedule(fresh_engine: Engine, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PARTNERHUB_DATABASE_URL": fresh_engine.url.render_as_string(hide_password=False),
        "PARTNERHUB_DATA_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "partnerhub.cli.main", "jobs", "kinds", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    kinds = {k["kind"]: k["everySeconds"] for k in json.loads(proc.stdout)}
    assert kinds["purge-web-sessions"] == 3600 and kinds["bulk-offboard"] is None

"""Bulk jobs, item by item: the items of a job (one per customer, say), each worked in its own transaction
together with its outcome, so a crash (even kill -9) leaves every item either untouched or done, and the job
resumes with the items still pending. Bulk offboarding and the GDAP bulk jobs run on this."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.auth.service import actor_for_user
from partnerhub.clock import utc_now
from partnerhub.db import transaction
from partnerhub.errors import DomainError, InvalidInput
from partnerhub.jobs.models import ItemStatus, Job, JobItem
from partnerhub.jobs.runner import JobContext, enqueue

# Works one item in the caller's transaction, as the job's actor; returns the item's result, or raises a
# DomainError that refuses that item (reported, not retried).
ItemWork = Callable[[Session, Actor, str], dict[str, Any]]

# The outcomes a bulk job's report counts, in the order every door shows them.
REPORTED = (ItemStatus.SUCCEEDED, ItemStatus.FAILED, ItemStatus.PENDING)
BATCH = 50  # pending items read at a time


def enqueue_items(session: Session, actor: Actor, *, kind: str, keys: list[str], payload: dict[str, Any]) -> Job:
    """Queue a bulk job of `kind` with one pending item per key, in the caller's transaction. The payload
    gets the starting user's id: the job acts as that user, with their rights at the time it runs."""
    job = enqueue(session, actor, kind=kind, total=len(keys), payload={"userId": actor.user_id, **payload})
    session.flush()
    session.add_all(
        JobItem(job_id=job.id, item_key=k, position=i, status=ItemStatus.PENDING, result={}) for i, k in enumerate(keys)
    )
    return job


def _finish_item(session: Session, job_id: str, key: str, **values: Any) -> None:
    session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.item_key == key, JobItem.status == ItemStatus.PENDING)
        .values(finished_at=utc_now(), **values)
        .execution_options(synchronize_session=False)  # no item is loaded in this session
    )


def run_items(ctx: JobContext, work: ItemWork) -> dict[str, Any]:
    """Work each pending item in order; a refused item is reported with its error's code, not retried.
    Between two items the job may make way for another tenant's job, and resume with the items still
    pending. Returns the counts of outcomes (the job's result)."""
    ctx.checkpoint(done=count_finished(ctx.engine, ctx.job_id))  # items a crashed run finished count as done
    actor: Actor | None = None
    while True:
        with transaction(ctx.engine) as session:
            keys = list(
                session.scalars(
                    select(JobItem.item_key)
                    .where(JobItem.job_id == ctx.job_id, JobItem.status == ItemStatus.PENDING)
                    .order_by(JobItem.position)
                    .limit(BATCH)
                )
            )
        if not keys:
            break
        actor = None  # resolved once per batch, not per item
        for key in keys:
            ctx.make_way()  # after a slice of items, another tenant's waiting job goes first
            # one transaction per item: its work, its outcome, the job's progress and lease
            try:
                with transaction(ctx.engine) as session:
                    actor = actor or job_actor(session, ctx)
                    result = work(session, actor, key)
                    _finish_item(session, ctx.job_id, key, status=ItemStatus.SUCCEEDED, result=result)
                    ctx.advance(session)
            except DomainError as exc:
                with transaction(ctx.engine) as session:
                    _finish_item(
                        session,
                        ctx.job_id,
                        key,
                        status=ItemStatus.FAILED,
                        error_code=exc.code,
                        error=exc.render("en"),
                        result={"data": exc.data, "params": _params(exc)},
                    )
                    ctx.advance(session)
            ctx.report_progress()
    ctx.checkpoint(done=count_finished(ctx.engine, ctx.job_id))  # the exact count, whatever happened before
    return summarize(ctx.engine, ctx.job_id)


def _params(exc: DomainError) -> dict[str, Any]:
    """The error's message parameters that can be kept as JSON (a door renders it again in its language)."""
    return {k: v for k, v in exc.params.items() if isinstance(v, str | int | float | bool) or v is None}


def job_actor(session: Session, ctx: JobContext) -> Actor:
    """The user who started the job, as they are now."""
    user = session.get(User, ctx.payload["userId"])
    if user is None:
        raise InvalidInput(detail="the user who started the job no longer exists")
    return actor_for_user(session, user, application=f"job:{ctx.job_id}")


def count_finished(engine: Engine, job_id: str) -> int:
    with transaction(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(JobItem)
                .where(JobItem.job_id == job_id, JobItem.status != ItemStatus.PENDING)
            )
            or 0
        )


def summarize(engine: Engine, job_id: str) -> dict[str, Any]:
    """How many items succeeded, failed (were refused) and are still pending."""
    with transaction(engine) as session:
        rows = session.execute(
            select(JobItem.status, func.count()).where(JobItem.job_id == job_id).group_by(JobItem.status)
        ).all()
    counts = {str(status): int(n) for status, n in rows}
    return {status.value: counts.get(status, 0) for status in REPORTED}


def list_items(session: Session, job: Job) -> list[JobItem]:
    """A job's items in their order (the caller has found the job in scope)."""
    return list(session.scalars(select(JobItem).where(JobItem.job_id == job.id).order_by(JobItem.position)))

"""Bulk offboarding as a job: one item per customer, each offboarded in its own transaction together with
its item's outcome, so a crash (even kill -9) leaves every customer either untouched or fully offboarded,
and the job resumes with the customers still pending."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.auth.service import actor_for_user
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.customers.queries import select_visible_customers
from partnerhub.db import transaction
from partnerhub.errors import DomainError, InvalidInput
from partnerhub.ids import normalize_id
from partnerhub.jobs.models import ItemStatus, Job, JobItem
from partnerhub.jobs.runner import JobContext, enqueue, get_job
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.usecases.offboard_customer import offboard_customer
from partnerhub.usecases.remove_reseller_relationship import require_remover
from partnerhub.usecases.schemas import offboarding_result_dict

BULK_OFFBOARD = "bulk-offboard"
MAX_CUSTOMERS = 100_000


def start_bulk_offboarding(
    session: Session,
    actor: Actor,
    *,
    customer_ids: list[str] | None = None,
    search_prefix: str | None = None,
    cancel_reservations: bool = False,
) -> Job:
    """Queue the offboarding of a list of customers, or of every customer whose company name starts with a
    prefix ("" = every customer). Who: whoever may remove relationships. The job runs in the service's
    worker, or in the CLI with a progress bar; each customer gets an item with its outcome."""
    partner_id = require_remover(session, actor)
    if customer_ids is None and search_prefix is None:
        raise InvalidInput(detail="name the customers, or give a search prefix")
    if customer_ids is not None:
        keys = list(dict.fromkeys(normalize_id(c) for c in customer_ids if c.strip()))
        _refuse_strangers(session, partner_id, customer_ids, keys)
    else:
        keys = []
        after: tuple[str, str] | None = None
        while True:
            page = select_visible_customers(
                session, partner_id=partner_id, size=500, after=after, prefix=search_prefix or None
            )
            keys.extend(r.customer.id for r in page.items)
            if page.next_cursor is None or len(keys) > MAX_CUSTOMERS:
                break
            after = page.next_cursor
    if not keys:
        raise InvalidInput(detail="no customer matches")
    if len(keys) > MAX_CUSTOMERS:
        raise InvalidInput(detail=f"at most {MAX_CUSTOMERS} customers in one bulk offboarding")
    job = enqueue(
        session,
        actor,
        kind=BULK_OFFBOARD,
        total=len(keys),
        payload={"userId": actor.user_id, "cancelReservations": cancel_reservations},
    )
    session.flush()
    session.add_all(
        JobItem(job_id=job.id, item_key=k, position=i, status=ItemStatus.PENDING, result={}) for i, k in enumerate(keys)
    )
    record(
        session,
        actor,
        operation=Operation.START_BULK_OFFBOARDING,
        resource_type=ResourceType.JOB,
        resource_id=job.id,
        partner_id=partner_id,
        new={"customers": len(keys), "cancelReservations": cancel_reservations},
    )
    return job


def _refuse_strangers(session: Session, partner_id: str, given: list[str], keys: list[str]) -> None:
    """Refuse up front every id that is not one of the partner's customers, each named by its position and
    all with the same words: an id of another partner's customer and an id that exists nowhere answer alike."""
    mine: set[str] = set()
    for start in range(0, len(keys), 500):
        mine.update(session.scalars(select(ResellerRelationship.customer_id).where(
            ResellerRelationship.partner_id == partner_id,
            ResellerRelationship.status == RelationshipStatus.ACTIVE,
            ResellerRelationship.customer_id.in_(keys[start:start + 500]))))
    strangers = [i for i, value in enumerate(given) if value.strip() and normalize_id(value) not in mine]
    if strangers:
        raise InvalidInput(
            data=[{"field": f"customerIds[{i}]", "message": "is not one of your customers"} for i in strangers],
            detail=f"customerIds: {len(strangers)} of the ids given are not your customers")


def _finish_item(session: Session, job_id: str, key: str, **values: Any) -> None:
    session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.item_key == key, JobItem.status == ItemStatus.PENDING)
        .values(finished_at=utc_now(), **values)
        .execution_options(synchronize_session=False)  # no item is loaded in this session
    )


def run_bulk_offboarding(ctx: JobContext) -> dict[str, Any]:
    """Offboard each pending customer in order; a refused customer is reported, not retried. Between two
    customers the job may make way for another tenant's job, and resume with the customers still pending."""
    cancel = bool(ctx.payload.get("cancelReservations"))
    ctx.checkpoint(done=_count_finished(ctx))  # items a crashed run finished count as done
    while True:
        with transaction(ctx.engine) as session:
            keys = list(
                session.scalars(
                    select(JobItem.item_key)
                    .where(JobItem.job_id == ctx.job_id, JobItem.status == ItemStatus.PENDING)
                    .order_by(JobItem.position)
                    .limit(50)
                )
            )
        if not keys:
            break
        actor: Actor | None = None  # resolved once per batch of 50, not per customer
        for key in keys:
            ctx.make_way()  # after a slice of customers, another tenant's waiting job goes first
            # one transaction per customer: the offboarding, the item's outcome, the job's progress and lease
            try:
                with transaction(ctx.engine) as session:
                    actor = actor or _job_actor(session, ctx)
                    result = offboard_customer(session, actor, customer_id=key, cancel_reservations=cancel)
                    _finish_item(session, ctx.job_id, key, status=ItemStatus.SUCCEEDED,
                                 result=offboarding_result_dict(result))
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
                        result={"data": exc.data},
                    )
                    ctx.advance(session)
            ctx.report_progress()
    ctx.checkpoint(done=_count_finished(ctx))  # the exact count, whatever happened before a crash
    return summarize(ctx.engine, ctx.job_id)


def _job_actor(session: Session, ctx: JobContext) -> Actor:
    user = session.get(User, ctx.payload["userId"])
    if user is None:
        raise InvalidInput(detail="the user who started the job no longer exists")
    return actor_for_user(session, user, application=f"job:{ctx.job_id}")


def _count_finished(ctx: JobContext) -> int:
    with transaction(ctx.engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(JobItem)
                .where(JobItem.job_id == ctx.job_id, JobItem.status != ItemStatus.PENDING)
            )
            or 0
        )


def summarize(engine: Any, job_id: str) -> dict[str, Any]:
    with transaction(engine) as session:
        rows = session.execute(
            select(JobItem.status, func.count()).where(JobItem.job_id == job_id).group_by(JobItem.status)
        ).all()
    counts = {str(status): int(n) for status, n in rows}
    return {status.value: counts.get(status, 0) for status in REPORTED}


# The outcomes a bulk offboarding's report counts, in the order every door shows them.
REPORTED = (ItemStatus.SUCCEEDED, ItemStatus.FAILED, ItemStatus.PENDING)


@dataclass(frozen=True)
class BulkReport:
    job: Job
    items: list[JobItem]
    company_names: dict[str, str]

    @property
    def counts(self) -> dict[str, int]:
        """How many customers succeeded, failed (were refused) and are still pending."""
        return {status.value: sum(1 for i in self.items if i.status == status) for status in REPORTED}


def bulk_report(session: Session, actor: Actor, *, job_id: str) -> BulkReport:
    """The per-customer outcome of a bulk offboarding (the partner's own jobs only)."""
    job = get_job(session, actor, job_id=job_id)
    items = list(session.scalars(select(JobItem).where(JobItem.job_id == job.id).order_by(JobItem.position)))
    names: dict[str, str] = {}
    keys = [i.item_key for i in items]
    for start in range(0, len(keys), 500):
        stmt = select(Customer.id, Customer.company_name).where(Customer.id.in_(keys[start : start + 500]))
        if job.partner_id is not None:  # only the names of customers the partner knows (any episode)
            known = select(ResellerRelationship.customer_id).where(ResellerRelationship.partner_id == job.partner_id)
            stmt = stmt.where(Customer.id.in_(known))
        names.update({str(cid): str(name) for cid, name in session.execute(stmt)})
    return BulkReport(job, items, names)

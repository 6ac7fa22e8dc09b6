"""Bulk offboarding as a job: one item per customer, each offboarded in its own transaction together with
its item's outcome, so a crash (even kill -9) leaves every customer either untouched or fully offboarded,
and the job resumes with the customers still pending."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.customers.models import Customer
from partnerhub.customers.queries import select_visible_customers
from partnerhub.errors import InvalidInput, JobNotFound
from partnerhub.ids import normalize_id
from partnerhub.jobs.bulk import REPORTED, ItemWork, enqueue_items, list_items, run_items
from partnerhub.jobs.models import Job, JobItem
from partnerhub.jobs.runner import JobContext, get_job
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
        refuse_strangers(session, partner_id, customer_ids, keys)
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
    job = enqueue_items(
        session, actor, kind=BULK_OFFBOARD, keys=keys, payload={"cancelReservations": cancel_reservations}
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


def refuse_strangers(session: Session, partner_id: str, given: list[str], keys: list[str]) -> None:
    """Refuse up front every id that is not one of the partner's customers, each named by its position and
    all with the same words: an id of another partner's customer and an id that exists nowhere answer alike."""
    mine: set[str] = set()
    for start in range(0, len(keys), 500):
        mine.update(
            session.scalars(
                select(ResellerRelationship.customer_id).where(
                    ResellerRelationship.partner_id == partner_id,
                    ResellerRelationship.status == RelationshipStatus.ACTIVE,
                    ResellerRelationship.customer_id.in_(keys[start : start + 500]),
                )
            )
        )
    strangers = [i for i, value in enumerate(given) if value.strip() and normalize_id(value) not in mine]
    if strangers:
        raise InvalidInput(
            data=[{"field": f"customerIds[{i}]", "message": "is not one of your customers"} for i in strangers],
            detail=f"customerIds: {len(strangers)} of the ids given are not your customers",
        )


def _offboard_one(cancel: bool) -> ItemWork:
    def work(session: Session, actor: Actor, key: str) -> dict[str, Any]:
        return offboarding_result_dict(offboard_customer(session, actor, customer_id=key, cancel_reservations=cancel))

    return work


def run_bulk_offboarding(ctx: JobContext) -> dict[str, Any]:
    """Offboard each pending customer in order, each in its own transaction (`jobs.bulk.run_items`); a
    refused customer is reported, not retried."""
    return run_items(ctx, _offboard_one(bool(ctx.payload.get("cancelReservations"))))


@dataclass(frozen=True)
class BulkReport:
    job: Job
    items: list[JobItem]
    company_names: dict[str, str]

    @property
    def counts(self) -> dict[str, int]:
        """How many customers succeeded, failed (were refused) and are still pending."""
        return {status.value: sum(1 for i in self.items if i.status == status) for status in REPORTED}


def bulk_report(
    session: Session, actor: Actor, *, job_id: str, kinds: tuple[str, ...] = (BULK_OFFBOARD,)
) -> BulkReport:
    """The per-customer outcome of a bulk job of one of `kinds` (the partner's own jobs only): a bulk
    offboarding unless told otherwise."""
    job = get_job(session, actor, job_id=job_id)
    if job.kind not in kinds:
        raise JobNotFound(id=job_id)
    items = list_items(session, job)
    names: dict[str, str] = {}
    keys = [i.item_key for i in items]
    for start in range(0, len(keys), 500):
        stmt = select(Customer.id, Customer.company_name).where(Customer.id.in_(keys[start : start + 500]))
        if job.partner_id is not None:  # only the names of customers the partner knows (any episode)
            known = select(ResellerRelationship.customer_id).where(ResellerRelationship.partner_id == job.partner_id)
            stmt = stmt.where(Customer.id.in_(known))
        names.update({str(cid): str(name) for cid, name in session.execute(stmt)})
    return BulkReport(job, items, names)

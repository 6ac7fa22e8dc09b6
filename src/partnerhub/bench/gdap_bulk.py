"""The bench row of GDAP in bulk (issue 16 §3): requesting from a template for many customers, as the job does
it, in customers per second, beside a floor of the same reads and writes by hand-written SQL (one transaction
per customer, as the job)."""

from __future__ import annotations

import gc
import time
import uuid

from partnerhub.bench.floors import REL_LOCK, Floors
from partnerhub.bench.operations import Operations
from partnerhub.bench.report import Row
from partnerhub.clock import utc_now
from partnerhub.db import transaction
from partnerhub.delegated_admin.roles import DIRECTORY_READERS, USER_ADMINISTRATOR
from partnerhub.delegated_admin.service import create_security_group
from partnerhub.delegated_admin.templates import TemplateAssignment, create_template
from partnerhub.jobs.runner import run_pending
from partnerhub.usecases.gdap_bulk import GDAP_BULK_REQUEST, start_gdap_bulk_job

ROLES = [DIRECTORY_READERS, USER_ADMINISTRATOR]
INSERT_REL = (
    "INSERT INTO admin_relationships (id, partner_id, customer_id, display_name, duration_days, "
    "auto_extend_days, role_ids, status, created_at, last_modified_at, requested_at, version, template_id, "
    "planned_assignments) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
INSERT_REQUEST = (
    "INSERT INTO admin_relationship_requests (id, admin_relationship_id, action, status, requested_by, "
    "created_at, last_modified_at) VALUES (?,?,?,?,?,?,?)"
)


def _id() -> str:
    return str(uuid.uuid4())


def _template(ops: Operations, name: str) -> tuple[str, list[dict[str, object]]]:
    """A template with two roles and one security group given both (not timed): its id and assignments."""
    with transaction(ops.engine) as session:
        group = create_security_group(session, ops.actor, display_name=f"{name} group")
        t = create_template(
            session,
            ops.actor,
            name=name,
            role_ids=ROLES,
            duration_days=365,
            auto_extend_days=180,
            assignments=[TemplateAssignment(group.id, ROLES)],
        )
        return t.id, list(t.assignments)


def floor_request(
    floors: Floors, template_id: str, assignments: list[dict[str, object]], customer_ids: list[str]
) -> None:
    """The job by hand: queue it with its items, then for each customer in one transaction lock the reseller
    relationship, read the template, look for a waiting request from it and for a taken name, insert the
    relationship (approvalPending), its kept request, its two activity records with their outbox events, and
    the item's outcome with the job's progress."""
    db, now = floors.db, utc_now()
    job_id = _id()
    with db.tx():
        db.x(
            "INSERT INTO jobs (id, kind, partner_id, created_by_user_id, payload, checkpoint, result, status, "
            "progress_done, progress_total, attempts, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                job_id,
                "gdap-bulk-request-floor",
                floors.partner_id,
                floors.user_id,
                db.json({}),
                db.json({}),
                db.json({}),
                "running",
                0,
                len(customer_ids),
                1,
                db.time(now),
                db.time(now),
            ),
        )
        db.xm(
            "INSERT INTO job_items (job_id, item_key, position, status, result) VALUES (?,?,?,?,?)",
            [(job_id, c, i, "pending", db.json({})) for i, c in enumerate(customer_ids)],
        )
        floors._records(
            now,
            [
                (
                    None,
                    None,
                    "job",
                    job_id,
                    "start_gdap_bulk_job",
                    None,
                    {"action": "requestFromTemplate", "customers": len(customer_ids)},
                )
            ],
        )
    for cid in customer_ids:
        now = utc_now()
        at = db.time(now)
        with db.tx():
            db.q(REL_LOCK, (floors.partner_id, cid))
            db.q(
                "SELECT id, name, role_ids, duration_days, auto_extend_days, assignments FROM gdap_templates "
                "WHERE id = ? AND partner_id = ?",
                (template_id, floors.partner_id),
            )
            db.q(
                "SELECT id FROM admin_relationships WHERE partner_id = ? AND customer_id = ? AND template_id = ? "
                "AND status IN ('created','approvalPending')",
                (floors.partner_id, cid, template_id),
            )
            name = f"Floor template {_id()[:8]}"
            db.q(
                "SELECT id FROM admin_relationships WHERE partner_id = ? AND lower(display_name) = ?",
                (floors.partner_id, name.lower()),
            )
            customer = db.q("SELECT company_name FROM customers WHERE id = ?", (cid,))[0][0]
            rel = _id()
            db.x(
                INSERT_REL,
                (
                    rel,
                    floors.partner_id,
                    cid,
                    name,
                    365,
                    180,
                    db.json(ROLES),
                    "approvalPending",
                    at,
                    at,
                    at,
                    2,
                    template_id,
                    db.json(assignments),
                ),
            )
            db.x(INSERT_REQUEST, (_id(), rel, "lockForApproval", "succeeded", floors.user_id, at, at))
            floors._records(
                now,
                [
                    (
                        cid,
                        customer,
                        "granular_admin_relationship",
                        rel,
                        "create_granular_admin_relationship",
                        None,
                        {"status": "created"},
                    ),
                    (
                        cid,
                        customer,
                        "granular_admin_relationship",
                        rel,
                        "lock_granular_admin_relationship_for_approval",
                        {"status": "created"},
                        {"status": "approvalPending"},
                    ),
                ],
            )
            db.x(
                "UPDATE job_items SET status = 'succeeded', result = ?, finished_at = ? WHERE job_id = ? "
                "AND item_key = ? AND status = 'pending'",
                (db.json({"customerId": cid, "adminRelationshipId": rel}), at, job_id, cid),
            )
            db.x("UPDATE jobs SET progress_done = progress_done + 1, updated_at = ? WHERE id = ?", (at, job_id))
    with db.tx():
        db.x("UPDATE jobs SET status = 'succeeded', finished_at = ? WHERE id = ?", (db.time(utc_now()), job_id))


def gdap_bulk_request_row(ops: Operations, customers: int) -> Row:
    """Request from a template for `customers` fresh customers through the job (queued, then run by a worker
    loop as the service runs it), then the floor for as many other customers."""
    ph_items = [c.id for c in ops.fixtures(ops.partner, customers, 1, "active")]
    fl_items = [c.id for c in ops.fixtures(ops.partner, customers, 1, "active")]
    template_id, _ = _template(ops, "Bench MSP")
    floor_template, floor_assignments = _template(ops, "Bench MSP floor")
    gc.collect()
    t0 = time.perf_counter()
    with transaction(ops.engine) as session:
        start_gdap_bulk_job(
            session, ops.actor, action="requestFromTemplate", customer_ids=ph_items, template_id=template_id
        )
    run_pending(ops.engine, kinds=[GDAP_BULK_REQUEST])
    t1 = time.perf_counter()
    floor_request(ops.floors, floor_template, floor_assignments, fl_items)
    t2 = time.perf_counter()
    row = Row(
        "gdap_bulk_request",
        f"GDAP: request from a template for {customers:,} customers",
        (t1 - t0) * 1000,
        (t2 - t1) * 1000,
        f"≤{ops.limit:g}x floor",
        runs=1,
        extra={
            "customers_per_s": customers / (t1 - t0),
            "floor_customers_per_s": customers / (t2 - t1),
            "customers": customers,
        },
    )
    row.met = row.ratio <= ops.limit
    return row

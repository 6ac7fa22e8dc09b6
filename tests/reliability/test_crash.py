"""Crash: `partnerhub serve` killed with SIGKILL during a bulk offboarding and a stream of orders loses nothing."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.service import create_token
from partnerhub.db import read_session, transaction
from partnerhub.jobs.models import Job, JobItem
from partnerhub.orders.models import Order, OrderLineItem
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.models import Subscription
from tests.factories import M365_BASIC, M365_E3, TEAMS_PHONE_ADDON, buy, make_customer, make_partner
from tests.reliability.conftest import CheckReport, scaled
from tests.reliability.serving import Answer, Client, Serve, Stream

ORDER_TAG = "rel-"  # the friendly name of an order's subscription: the tag and the order's MS-RequestId


@dataclass
class Checks:
    """Invariant checks run and the violations they found (each with what was wrong)."""

    count: int = 0
    violations: list[str] = field(default_factory=list)

    def expect(self, ok: bool, what: str) -> None:
        self.count += 1
        if not ok:
            self.violations.append(what)


@dataclass
class OrderLedger:
    """Every order a check placed, by its MS-RequestId, and the last answer it got (0: none, the server died)."""

    answers: dict[str, Answer] = field(default_factory=dict)
    customer_of: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    retried: int = 0

    def place(self, client: Client, customer_id: str, request_id: str | None = None) -> Answer:
        rid = request_id or str(uuid.uuid4())
        body = {
            "billingCycle": "monthly",
            "lineItems": [{"lineItemNumber": 0, "offerId": M365_BASIC, "quantity": 1, "friendlyName": ORDER_TAG + rid}],
        }
        with self.lock:
            self.customer_of[rid] = customer_id
            self.answers.setdefault(rid, Answer(0))
        answer = client.request("POST", f"/v1/customers/{customer_id}/orders", body, {"MS-RequestId": rid})
        with self.lock:
            self.answers[rid] = answer
        return answer

    def unanswered(self) -> list[str]:
        with self.lock:
            return [rid for rid, a in self.answers.items() if a.status == 0 or a.status >= 500]

    def retry_unanswered(self, client: Client, checks: Checks) -> int:
        """Send each order that got no answer again with the same MS-RequestId: it applies once, whatever
        the first attempt did before the fault."""
        retried = self.unanswered()
        self.retried += len(retried)
        for rid in retried:
            answer = self.place(client, self.customer_of[rid], rid)
            checks.expect(answer.ok, f"retry of order {rid} answered {answer.status} {answer.body!r:.200}")
        return len(retried)

    def statuses(self) -> Counter[int]:
        with self.lock:
            return Counter(a.status for a in self.answers.values())

    def check(self, session: Session, checks: Checks) -> None:
        """A 2xx order exists once, as answered; any other was applied at most once."""
        rows = session.execute(
            select(Subscription.friendly_name, Subscription.order_id).where(
                Subscription.friendly_name.startswith(ORDER_TAG)
            )
        ).all()
        orders_of: dict[str, set[str]] = {}
        for name, order_id in rows:
            orders_of.setdefault(name.removeprefix(ORDER_TAG), set()).add(order_id)
        with self.lock:
            answers = dict(self.answers)
        for rid, answer in answers.items():
            found = orders_of.get(rid, set())
            if answer.ok:
                answered_id = answer.body.get("id") if isinstance(answer.body, dict) else None
                checks.expect(
                    found == {answered_id},
                    f"order {rid} answered {answer.status} as {answered_id}, database holds {sorted(found)}",
                )
            else:
                checks.expect(len(found) <= 1, f"order {rid} (answer {answer.status}) applied {len(found)} times")


def check_records_match_changes(session: Session, checks: Checks) -> None:
    """No activity record without its change, and no change without its activity record."""
    records = session.execute(
        select(
            ActivityRecord.operation_type,
            ActivityRecord.resource_id,
            ActivityRecord.customer_id,
            ActivityRecord.new_value,
        )
    ).all()
    by_op: dict[str, list[tuple[str | None, str | None, dict | None]]] = {}  # type: ignore[type-arg]
    for op, rid, cid, new in records:
        by_op.setdefault(op, []).append((rid, cid, new))
    orders = set(session.scalars(select(Order.id)))
    subs = dict(session.execute(select(Subscription.id, Subscription.status)).all())
    lines = Counter(session.scalars(select(OrderLineItem.order_id)))
    rels = dict(session.execute(select(ResellerRelationship.id, ResellerRelationship.status)).all())
    order_records = Counter(rid for rid, _c, _n in by_op.get("create_order", []))
    for rid, _cid, new in by_op.get("create_order", []):
        sub_ids = [li["subscriptionId"] for li in (new or {}).get("lineItems", [])]
        checks.expect(
            rid in orders and lines[rid] == len(sub_ids) and all(s in subs for s in sub_ids),
            f"create_order record of order {rid} without the order, its line items or subscriptions",
        )
    for order_id in orders:
        checks.expect(
            order_records[order_id] == 1, f"order {order_id} has {order_records[order_id]} create_order records"
        )
    suspended_records = Counter(rid or "" for rid, _c, _n in by_op.get("suspend_subscription", []))
    for sub_id in suspended_records:
        checks.expect(
            subs.get(sub_id) == "suspended", f"suspend record of subscription {sub_id} that is {subs.get(sub_id)}"
        )
    for sub_id, status in subs.items():
        if status == "suspended":
            checks.expect(suspended_records[sub_id] >= 1, f"subscription {sub_id} suspended without a record")
    removal_records = Counter(rid or "" for rid, _c, _n in by_op.get("remove_partner_customer_relationship", []))
    for rel_id in removal_records:
        checks.expect(
            rels.get(rel_id) == "removed", f"remove record of relationship {rel_id} that is {rels.get(rel_id)}"
        )
    for rel_id, status in rels.items():
        if status == "removed":
            checks.expect(
                removal_records[rel_id] == 1, f"relationship {rel_id} removed with {removal_records[rel_id]} records"
            )
    removed_customers = set(
        session.scalars(select(ResellerRelationship.customer_id).where(ResellerRelationship.status == "removed"))
    )
    for _rid, cid, _new in by_op.get("offboard_customer", []):
        checks.expect(cid in removed_customers, f"offboard record of customer {cid} whose relationship is not removed")


@dataclass
class World:
    partner_email: str
    token: str
    bulk: dict[str, list[str]]  # customer id -> its subscriptions, to be offboarded by the bulk job
    buyers: list[str]  # other customers, who keep ordering


def seed(engine: Engine, *, bulk: int, buyers: int) -> World:
    """A partner, `bulk` customers with active subscriptions (an add-on under its parent for some), and
    `buyers` other customers; all committed, through the services."""
    with transaction(engine) as s:
        partner = make_partner(s)
        world = World(partner.admin.email, create_token(s, partner.admin, expires_days=1, name="crash").token, {}, [])
        for i in range(bulk):
            cid = make_customer(s, partner.admin, name=f"Crash bulk {i:04d}").customer.id
            if i % 3 == 0:
                parent = buy(s, partner.admin, cid, M365_E3, quantity=3)
                subs = [parent.id, buy(s, partner.admin, cid, TEAMS_PHONE_ADDON, quantity=3, parent_id=parent.id).id]
            else:
                subs = [buy(s, partner.admin, cid, M365_BASIC, quantity=2).id for _ in range(2)]
            world.bulk[cid] = subs
        world.buyers = [make_customer(s, partner.admin, name=f"Crash buyer {i}").customer.id for i in range(buyers)]
    return world


def check_bulk_customers(session: Session, world: World, job_id: str, checks: Checks) -> Counter[str]:
    """Each customer of the bulk job is untouched (relationship active, subscriptions active, no record, item
    pending) or fully offboarded (relationship removed, every subscription suspended with its record, one
    remove and one offboard record, item succeeded); returns how many are in each state."""
    rel_status = dict(
        session.execute(
            select(ResellerRelationship.customer_id, ResellerRelationship.status).where(
                ResellerRelationship.customer_id.in_(world.bulk)
            )
        ).all()
    )
    rel_rows = Counter(
        session.scalars(
            select(ResellerRelationship.customer_id).where(ResellerRelationship.customer_id.in_(world.bulk))
        )
    )
    sub_status = dict(
        session.execute(
            select(Subscription.id, Subscription.status).where(Subscription.customer_id.in_(world.bulk))
        ).all()
    )
    records = Counter(
        (c, op)
        for c, op in session.execute(
            select(ActivityRecord.customer_id, ActivityRecord.operation_type).where(
                ActivityRecord.customer_id.in_(world.bulk)
            )
        )
    )
    items = dict(session.execute(select(JobItem.item_key, JobItem.status).where(JobItem.job_id == job_id)).all())
    states: Counter[str] = Counter()
    for cid, subs in world.bulk.items():
        statuses = {sub_status.get(s) for s in subs}
        rec = (
            records[(cid, "remove_partner_customer_relationship")],
            records[(cid, "offboard_customer")],
            records[(cid, "suspend_subscription")],
        )  # remove, offboard and suspend records
        seen = (rel_rows[cid], rel_status.get(cid), statuses, items.get(cid))
        if seen == (1, "active", {"active"}, "pending") and rec == (0, 0, 0):
            state = "untouched"
        elif seen == (1, "removed", {"suspended"}, "succeeded") and rec == (1, 1, len(subs)):
            state = "offboarded"
        else:
            state = "HALF-DONE"
        checks.expect(
            state != "HALF-DONE",
            f"customer {cid} half-done: relationship {rel_status.get(cid)} "
            f"({rel_rows[cid]} rows), subscriptions {statuses}, item "
            f"{items.get(cid)}, (remove, offboard, suspend) records {rec}",
        )
        states[state] += 1
    return states


def job_state(engine: Engine, job_id: str) -> tuple[str, int]:
    with read_session(engine) as s:
        status = s.scalar(select(Job.status).where(Job.id == job_id)) or "missing"
        done = s.scalar(
            select(func.count()).select_from(JobItem).where(JobItem.job_id == job_id, JobItem.status != "pending")
        )
        return status, int(done or 0)


def resumes_within(engine: Engine, job_id: str, done_before: int, *, seconds: float) -> bool:
    """Whether the job makes progress (or is over) within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, done = job_state(engine, job_id)
        if done > done_before or status not in ("queued", "running"):
            return True
        time.sleep(0.01)
    return False


def check_everything(engine: Engine, world: World, job_id: str, ledger: OrderLedger, checks: Checks) -> Counter[str]:
    with read_session(engine) as s:
        states = check_bulk_customers(s, world, job_id, checks)
        ledger.check(s, checks)
        check_records_match_changes(s, checks)
    return states


def test_kill_9_during_bulk_offboarding_and_orders_loses_nothing(
    fresh_engine: Engine, tmp_path: Path, reliability_report: CheckReport
) -> None:
    rng = random.Random(7)
    kills = scaled(3, 20)
    world = seed(fresh_engine, bulk=scaled(60, 1500), buyers=4)
    server = Serve(
        fresh_engine.url.render_as_string(hide_password=False),
        tmp_path / "serve",
        env={"PARTNERHUB_JOB_LEASE_SECONDS": "1"},
    )
    counter = [0]
    client = Client(server.port, world.token, counter=counter)
    ledger, checks = OrderLedger(), Checks()
    mid_job = killed = 0
    streams: list[Stream] = []

    def order_step(c: Client) -> None:
        if not ledger.place(c, rng.choice(world.buyers)).ok:
            time.sleep(0.05)

    server.start()
    try:
        started = client.request(
            "POST", "/v1/offboardings", {"customerIds": list(world.bulk)}, {"MS-RequestId": str(uuid.uuid4())}
        )
        assert started.status == 202, started
        job_id = started.body["id"]
        for _ in range(kills):
            _status, done_at_start = job_state(fresh_engine, job_id)
            streams[:] = [Stream(Client(server.port, world.token, counter=counter), order_step) for _ in range(2)]
            for st in streams:
                st.start()
            checks.expect(
                resumes_within(fresh_engine, job_id, done_at_start, seconds=20),
                "the (re)started service did not take the bulk job up within 20 s",
            )
            time.sleep(rng.uniform(0.0, 0.12))
            mid_job += job_state(fresh_engine, job_id)[0] == "running"
            server.kill()
            killed += 1
            for st in streams:
                st.stop()
            check_everything(fresh_engine, world, job_id, ledger, checks)  # the database as the crash left it
            server.start()
            client.close()
            ledger.retry_unanswered(client, checks)
        deadline = time.monotonic() + 60 + 0.2 * len(world.bulk)  # resumes and finishes
        while job_state(fresh_engine, job_id)[0] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
        report = client.request("GET", f"/v1/offboardings/{job_id}")
        states = check_everything(fresh_engine, world, job_id, ledger, checks)
        checks.expect(
            report.ok
            and report.body["status"] == "succeeded"
            and report.body["summary"] == {"succeeded": len(world.bulk), "failed": 0, "pending": 0},
            f"the bulk job did not resume to completion: {report.status} {report.body!r:.300}",
        )
        checks.expect(states == Counter(offboarded=len(world.bulk)), f"after the job: {states}")
    finally:
        for st in streams:
            st.stop()
        client.close()
        server.stop()
        reliability_report.faults = killed
        reliability_report.requests = counter[0] + server.probes[0]
        reliability_report.invariant_checks = checks.count
        reliability_report.violations = len(checks.violations)
        reliability_report.notes = (
            f"{len(world.bulk)} customers offboarded in bulk, {mid_job} of {killed} kills "
            f"mid-job; {len(ledger.answers)} orders ({ledger.retried} unanswered, retried "
            f"after the restart), final answers {dict(ledger.statuses())}"
        )
    assert mid_job >= 1, "no kill landed while the bulk job was running"
    assert checks.violations == [], checks.violations[:10]

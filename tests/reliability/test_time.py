"""Time: GDAP expiry, auto-extend, request expiry and invitation expiry happen exactly at their boundary (the
clock frozen one second before, at and after it), applied by the scheduled jobs, and the scheduler run by
several processes at once over the same due items applies each transition exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_email, actor_for_user
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.gdap import (
    approve_admin_relationship,
    create_admin_relationship,
    lock_for_approval,
    update_admin_relationship,
)
from partnerhub.delegated_admin.jobs import GDAP_CLOCK
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.errors import AdminRelationshipInvalidState, AutoExtendWithGlobalAdministrator, InvitationExpired
from partnerhub.ids import new_id
from partnerhub.invitations.jobs import EXPIRE_INVITATIONS
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.jobs.models import Job
from partnerhub.jobs.runner import enqueue, run_pending
from tests.factories import make_customer, make_partner
from tests.reliability.conftest import CheckReport, scaled
from tests.reliability.invariants import all_violations
from tests.reliability.workers import RacePool, Task, shared_pool

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)
EXPIRE, EXTEND = "expire_granular_admin_relationship", "auto_extend_granular_admin_relationship"


@dataclass
class World:
    engine: Engine
    partner_email: str
    customer_id: str
    customer_admin_email: str


@pytest.fixture
def world(fresh_engine: Engine) -> World:
    with frozen_at(T0), transaction(fresh_engine) as s:
        partner = make_partner(s)
        created = make_customer(s, partner.admin)
        return World(fresh_engine, partner.admin.email, created.customer.id, created.admin.email)


def _gdap(
    s: Session,
    w: World,
    *,
    days: int = 30,
    auto_extend: int = 0,
    roles: tuple[str, ...] = ("User Administrator",),
    approve: bool = True,
    lock: bool = True,
) -> str:
    partner = actor_for_email(s, w.partner_email)
    rel = create_admin_relationship(
        s,
        partner,
        customer_id=w.customer_id,
        display_name=f"Ops {new_id()[:8]}",
        role_ids=list(roles),
        duration_days=days,
        auto_extend_days=auto_extend,
    )
    if lock:
        lock_for_approval(s, partner, admin_relationship_id=rel.id)
    if approve:
        approve_admin_relationship(s, actor_for_email(s, w.customer_admin_email), admin_relationship_id=rel.id)
    return rel.id


def _run_clock(engine: Engine) -> None:
    """What the scheduler does when its period comes: the GDAP clock and invitation expiry jobs, run."""
    with transaction(engine) as s:
        for kind in (GDAP_CLOCK, EXPIRE_INVITATIONS):
            enqueue(s, Actor.system("scheduler"), kind=kind, payload={})
    assert run_pending(engine, worker_id="clock") == 2


def _state(engine: Engine, gdap_id: str) -> tuple[str, datetime | None, Counter[str]]:
    with read_session(engine) as s:
        rel = s.get(AdminRelationship, gdap_id)
        assert rel is not None
        ops = Counter(s.scalars(select(ActivityRecord.operation_type).where(ActivityRecord.resource_id == gdap_id)))
        return rel.status, rel.end_at, ops


def _check_invariants(engine: Engine, report: CheckReport) -> None:
    with read_session(engine) as s:
        violations = all_violations(s)
        failed = s.scalar(select(func.count()).select_from(Job).where(Job.status != "succeeded")) or 0
    report.invariant_checks += 6
    report.violations += len(violations) + failed
    assert (violations, failed) == ([], 0)


Step = tuple[datetime, str, datetime | None, dict[str, int]]


def _walk(w: World, report: CheckReport, gdap_ids: str | dict[str, str], steps: list[Step]) -> None:
    """At each instant, run the clock's jobs and expect (status, end, transition records) of each admin
    relationship (a None status: still the one given with its id)."""
    before = {gdap_ids: ""} if isinstance(gdap_ids, str) else gdap_ids
    for instant, status, end, transitions in steps:
        with frozen_at(instant):
            _run_clock(w.engine)
            report.requests += 2
            for gdap_id, initial in before.items():
                got_status, got_end, ops = _state(w.engine, gdap_id)
                got = (got_status, got_end, {op: ops[op] for op in (EXPIRE, EXTEND)})
                expected = (status or initial, end, {op: transitions.get(op, 0) for op in (EXPIRE, EXTEND)})
                report.invariant_checks += 1
                if got != expected:
                    report.violations += 1
                assert got == expected, instant
            _check_invariants(w.engine, report)


def test_an_admin_relationship_is_active_until_one_second_before_its_end_and_expired_at_it(
    world: World,
    reliability_report: CheckReport,
) -> None:
    with frozen_at(T0), transaction(world.engine) as s:
        gdap_id = _gdap(s, world, days=30)
    end = T0 + timedelta(days=30)
    with read_session(world.engine) as s:
        rel = s.get(AdminRelationship, gdap_id)
        assert rel is not None and rel.grants_access_at(end - SECOND) and not rel.grants_access_at(end)
    _walk(
        world,
        reliability_report,
        gdap_id,
        [
            (end - SECOND, "active", end, {}),
            (end, "expired", end, {EXPIRE: 1}),
            (end + SECOND, "expired", end, {EXPIRE: 1}),
            (end + timedelta(days=400), "expired", end, {EXPIRE: 1}),
        ],
    )


def test_auto_extend_moves_the_end_by_180_days_exactly_at_the_boundary_each_time(
    world: World,
    reliability_report: CheckReport,
) -> None:
    with frozen_at(T0), transaction(world.engine) as s:
        gdap_id = _gdap(s, world, days=30, auto_extend=180)
    end, extended = T0 + timedelta(days=30), T0 + timedelta(days=210)
    _walk(
        world,
        reliability_report,
        gdap_id,
        [
            (end - SECOND, "active", end, {}),
            (end, "active", extended, {EXTEND: 1}),
            (end + SECOND, "active", extended, {EXTEND: 1}),
            (extended - SECOND, "active", extended, {EXTEND: 1}),
            (extended, "active", extended + timedelta(days=180), {EXTEND: 2}),
        ],
    )


def test_a_global_administrator_relationship_is_never_auto_extended(
    world: World,
    reliability_report: CheckReport,
) -> None:
    roles = ("Global Administrator", "User Administrator")
    with frozen_at(T0), transaction(world.engine) as s:
        with pytest.raises(AutoExtendWithGlobalAdministrator):
            _gdap(s, world, days=30, auto_extend=180, roles=roles)
        gdap_id = _gdap(s, world, days=30, roles=roles)
        with pytest.raises(AutoExtendWithGlobalAdministrator):
            update_admin_relationship(
                s, actor_for_email(s, world.partner_email), admin_relationship_id=gdap_id, auto_extend_days=180
            )
    end = T0 + timedelta(days=30)
    _walk(
        world,
        reliability_report,
        gdap_id,
        [
            (end - SECOND, "active", end, {}),
            (end, "expired", end, {EXPIRE: 1}),
            (end + timedelta(days=180), "expired", end, {EXPIRE: 1}),
        ],
    )


def test_unapproved_requests_expire_90_days_after_their_creation(world: World, reliability_report: CheckReport) -> None:
    with frozen_at(T0), transaction(world.engine) as s:
        created = _gdap(s, world, approve=False, lock=False)
        pending = _gdap(s, world, approve=False)
        approved_late = _gdap(s, world, approve=False)
    deadline = T0 + timedelta(days=90)
    with frozen_at(deadline - SECOND), transaction(world.engine) as s:  # still approvable one second before
        approve_admin_relationship(
            s, actor_for_email(s, world.customer_admin_email), admin_relationship_id=approved_late
        )
    with frozen_at(deadline), transaction(world.engine) as s:  # at the deadline, even before the clock ran
        with pytest.raises(AdminRelationshipInvalidState):
            approve_admin_relationship(s, actor_for_email(s, world.customer_admin_email), admin_relationship_id=pending)
        with pytest.raises(AdminRelationshipInvalidState):
            lock_for_approval(s, actor_for_email(s, world.partner_email), admin_relationship_id=created)
    _walk(
        world,
        reliability_report,
        {created: "created", pending: "approvalPending"},
        [
            (deadline - SECOND, None, None, {}),
            (deadline, "expired", deadline, {EXPIRE: 1}),
            (deadline + SECOND, "expired", deadline, {EXPIRE: 1}),
        ],
    )
    assert _state(world.engine, approved_late)[0] == "active"


def test_an_invitation_can_be_accepted_until_one_second_before_it_expires(
    world: World,
    reliability_report: CheckReport,
) -> None:
    with frozen_at(T0), transaction(world.engine) as s:
        partner = actor_for_email(s, world.partner_email)
        other = make_customer(s, make_partner(s).admin)  # a customer of another partner, invited by ours
        other_admin = actor_for_user(s, other.admin).email
        made = [create_invitation(s, partner, base_url="http://x", valid_days=10) for _ in range(3)]
        early, late, unused = (m.request for m in made)
        early_code, late_code = made[0].code, made[1].code
    expires = T0 + timedelta(days=10)

    def statuses() -> list[str]:
        with read_session(world.engine) as s:
            return [s.get(RelationshipRequest, r.id).status for r in (early, late, unused)]  # type: ignore[union-attr]

    with frozen_at(expires - SECOND):
        _run_clock(world.engine)
        assert statuses() == ["sent", "sent", "sent"]
        with transaction(world.engine) as s:
            accept_invitation(s, actor_for_email(s, other_admin), code=early_code)
    with frozen_at(expires):
        with transaction(world.engine) as s, pytest.raises(InvitationExpired):
            accept_invitation(s, actor_for_email(s, other_admin), code=late_code)
        _run_clock(world.engine)
        assert statuses() == ["accepted", "expired", "expired"]
    with frozen_at(expires + SECOND):
        _run_clock(world.engine)
        assert statuses() == ["accepted", "expired", "expired"]
    reliability_report.requests += 6
    _check_invariants(world.engine, reliability_report)


@pytest.fixture
def pool() -> Iterator[RacePool]:
    yield shared_pool()


def _due_items(engine: Engine, w: World, n: int) -> dict[str, str]:
    """`n` of each kind of item whose deadline passed in real time (made with the clock frozen in the past):
    expected transition per admin relationship id."""
    expected: dict[str, str] = {}
    with frozen_at(utc_now() - timedelta(days=400)), transaction(engine) as s:
        partner = actor_for_email(s, w.partner_email)
        for _ in range(n):
            expected[_gdap(s, w, days=30)] = EXPIRE
            expected[_gdap(s, w, days=30, auto_extend=180)] = EXTEND
            expected[_gdap(s, w, lock=False, approve=False)] = EXPIRE
            expected[_gdap(s, w, approve=False)] = EXPIRE
            create_invitation(s, partner, base_url="http://x", valid_days=30)
    return expected


@pytest.mark.race
def test_schedulers_in_four_processes_apply_each_transition_exactly_once(
    world: World,
    pool: RacePool,
    reliability_report: CheckReport,
) -> None:
    url = world.engine.url.render_as_string(hide_password=False)
    for _ in range(scaled(3, 60)):
        expected = _due_items(world.engine, world, scaled(3, 10))
        outcomes = pool.race(
            [Task(url, "scheduler", {"rounds": 2, "also_enqueue": [GDAP_CLOCK, EXPIRE_INVITATIONS]}) for _ in range(4)]
        )
        reliability_report.requests += 4
        assert all(o.startswith("ok") for o in outcomes), outcomes
        with read_session(world.engine) as s:
            rows = s.execute(
                select(ActivityRecord.resource_id, ActivityRecord.operation_type).where(
                    ActivityRecord.resource_id.in_(expected), ActivityRecord.operation_type.in_([EXPIRE, EXTEND])
                )
            )
            transitions = Counter(rows.all())
            statuses = dict(
                s.execute(
                    select(AdminRelationship.id, AdminRelationship.status).where(AdminRelationship.id.in_(expected))
                ).all()
            )
            sent = (
                s.scalar(
                    select(func.count()).select_from(RelationshipRequest).where(RelationshipRequest.status == "sent")
                )
                or 0
            )
        wrong = [
            (gid, op, dict(transitions))
            for gid, op in expected.items()
            if transitions[gid, op] != 1
            or sum(n for (g, _o), n in transitions.items() if g == gid) != 1
            or statuses[gid] != ("active" if op == EXTEND else "expired")
        ]
        reliability_report.invariant_checks += len(expected) + 1
        reliability_report.violations += len(wrong) + sent
        assert (wrong, sent) == ([], 0)
        _check_invariants(world.engine, reliability_report)
    reliability_report.notes = "4 processes x (schedule_due_jobs + own clock jobs + run_pending) x 2 rounds"

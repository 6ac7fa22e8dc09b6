"""GDAP admin relationships (DOMAIN.md §4): drafting, approval, termination, scoping, and the clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.clock import frozen_at
from partnerhub.customers.service import get_customer
from partnerhub.db import transaction
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.roles import (
    DIRECTORY_READERS,
    GLOBAL_ADMINISTRATOR,
    HELPDESK_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    resolve_role,
)
from partnerhub.delegated_admin.schemas import admin_relationship_dict, parse_iso_days
from partnerhub.delegated_admin.service import (
    apply_gdap_clock,
    approve_admin_relationship,
    create_admin_relationship,
    end_admin_relationships_for,
    get_admin_relationship,
    list_admin_relationships,
    lock_for_approval,
    reject_admin_relationship,
    terminate_admin_relationship,
)
from partnerhub.errors import (
    AdminRelationshipDurationInvalid,
    AdminRelationshipInvalidState,
    AdminRelationshipNameInvalid,
    AdminRelationshipNameTaken,
    AdminRelationshipNotFound,
    AdminRelationshipRolesRequired,
    AdminRelationshipWithoutReseller,
    AutoExtendDurationInvalid,
    AutoExtendWithGlobalAdministrator,
    CustomerNotFound,
    Forbidden,
    InvalidInput,
    StaleEtag,
    UnknownGdapRole,
)
from partnerhub.jobs.models import Job
from partnerhub.jobs.runner import enqueue, run_pending
from partnerhub.relationships.queries import find_active_relationship
from tests.conftest import World
from tests.delegated_admin.conftest import active_gdap, records
from tests.factories import make_customer, make_partner

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _create(
    session: Session,
    world: World,
    name: str = "Helpdesk",
    *,
    role_ids: list[str] | None = None,
    duration_days: int = 730,
    auto_extend_days: int = 0,
) -> AdminRelationship:
    return create_admin_relationship(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        display_name=name,
        role_ids=[USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR] if role_ids is None else role_ids,
        duration_days=duration_days,
        auto_extend_days=auto_extend_days,
    )


def test_a_new_admin_relationship_is_created_and_recorded(session: Session, world: World) -> None:
    rel = create_admin_relationship(
        session,
        world.partner.admin_agent,
        customer_id=world.customer_id.upper(),
        display_name="  Helpdesk team ",
        role_ids=["user administrator", HELPDESK_ADMINISTRATOR],
        duration_days=365,
        auto_extend_days=180,
    )
    assert rel.status == "created" and rel.display_name == "Helpdesk team"
    assert rel.role_ids == [USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR]
    assert rel.customer_id == world.customer_id and rel.activated_at is None and rel.end_at is None
    [rec] = records(session, "create_granular_admin_relationship", rel.id)
    assert rec.partner_id == world.partner.partner_id and rec.customer_id == world.customer_id
    assert rec.resource_type == "granular_admin_relationship" and rec.customer_name == "Fabrikam Srl"
    assert rec.new_value == {
        "displayName": "Helpdesk team",
        "duration": "P365D",
        "roles": [USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR],
        "autoExtendDuration": "P180D",
        "status": "created",
    }


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent"])
def test_only_global_admins_and_admin_agents_manage_gdap(session: Session, world: World, role: str) -> None:
    with pytest.raises(Forbidden):
        create_admin_relationship(
            session,
            getattr(world.partner, role),
            customer_id=world.customer_id,
            display_name="X",
            role_ids=[GLOBAL_ADMINISTRATOR],
        )
    with pytest.raises(Forbidden):
        create_admin_relationship(
            session,
            world.customer_admin,
            customer_id=world.customer_id,
            display_name="X",
            role_ids=[GLOBAL_ADMINISTRATOR],
        )


def test_gdap_needs_an_active_reseller_relationship(session: Session, world: World) -> None:
    with pytest.raises(CustomerNotFound):
        create_admin_relationship(
            session, world.other.admin, customer_id=world.customer_id, display_name="X", role_ids=[GLOBAL_ADMINISTRATOR]
        )
    assert records(session, "create_granular_admin_relationship") == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 51])
def test_the_display_name_has_1_to_50_characters(session: Session, world: World, name: str) -> None:
    with pytest.raises(AdminRelationshipNameInvalid):
        _create(session, world, name)
    _create(session, world, "x" * 50)


def test_the_display_name_is_unique_per_partner(session: Session, world: World) -> None:
    _create(session, world, "Tier 1")
    with pytest.raises(AdminRelationshipNameTaken) as info:
        _create(session, world, "TIER 1")
    assert info.value.kind == "conflict"
    other_customer = make_customer(session, world.other.admin)
    create_admin_relationship(
        session,
        world.other.admin,
        customer_id=other_customer.customer.id,
        display_name="Tier 1",
        role_ids=[DIRECTORY_READERS],
    )


@pytest.mark.parametrize("days", [0, -1, 731])
def test_the_duration_is_1_day_to_2_years(session: Session, world: World, days: int) -> None:
    with pytest.raises(AdminRelationshipDurationInvalid):
        _create(session, world, duration_days=days)


def test_the_shortest_and_longest_durations_are_accepted(session: Session, world: World) -> None:
    _create(session, world, "short", duration_days=1)
    _create(session, world, "long", duration_days=730)


def test_roles_are_required_and_must_be_built_in(session: Session, world: World) -> None:
    with pytest.raises(AdminRelationshipRolesRequired):
        _create(session, world, role_ids=[])
    with pytest.raises(UnknownGdapRole) as info:
        _create(session, world, role_ids=["Coffee Administrator"])
    assert "Coffee Administrator" in str(info.value)


def test_auto_extend_is_none_or_180_days_and_never_with_global_administrator(session: Session, world: World) -> None:
    with pytest.raises(AutoExtendDurationInvalid):
        _create(session, world, auto_extend_days=90)
    with pytest.raises(AutoExtendWithGlobalAdministrator):
        _create(session, world, role_ids=[GLOBAL_ADMINISTRATOR], auto_extend_days=180)
    rel = _create(session, world, "ga", role_ids=[GLOBAL_ADMINISTRATOR])
    assert rel.auto_extend_days == 0


def test_iso_durations_are_read_in_days() -> None:
    assert parse_iso_days("P730D") == 730 and parse_iso_days("pt0s") == 0 and parse_iso_days("90") == 90
    with pytest.raises(InvalidInput):
        parse_iso_days("P2Y")


def test_lock_approve_walks_to_active_with_an_end_date(session: Session, world: World) -> None:
    with frozen_at(T0) as clock:
        rel = create_admin_relationship(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            display_name="Ops",
            role_ids=[USER_ADMINISTRATOR],
            duration_days=30,
        )
        clock.move(timedelta(hours=1))
        lock_for_approval(session, world.partner.admin, admin_relationship_id=rel.id)
        assert rel.status == "approvalPending" and rel.requested_at == T0 + timedelta(hours=1)
        clock.move(timedelta(days=2))
        approve_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id)
    approved_at = T0 + timedelta(days=2, hours=1)
    assert rel.status == "active" and rel.activated_at == approved_at
    assert rel.end_at == approved_at + timedelta(days=30)
    [lock] = records(session, "lock_granular_admin_relationship_for_approval", rel.id)
    assert lock.old_value == {"status": "created"} and lock.new_value == {"status": "approvalPending"}
    [approve] = records(session, "approve_granular_admin_relationship", rel.id)
    assert approve.user_principal_name == world.customer_admin.email
    assert approve.partner_id == world.partner.partner_id and approve.customer_id == world.customer_id
    assert approve.new_value is not None and approve.new_value["status"] == "active"


def test_invalid_transitions_name_the_status(session: Session, world: World) -> None:
    rel = _create(session, world)
    rid = rel.id
    with pytest.raises(AdminRelationshipInvalidState) as info:
        approve_admin_relationship(session, world.customer_admin, admin_relationship_id=rid)
    assert "created" in str(info.value)
    with pytest.raises(AdminRelationshipInvalidState):
        terminate_admin_relationship(session, world.partner.admin, admin_relationship_id=rid)
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rid)
    with pytest.raises(AdminRelationshipInvalidState) as info:
        lock_for_approval(session, world.partner.admin, admin_relationship_id=rid)
    assert "approvalPending" in str(info.value)
    assert records(session, "approve_granular_admin_relationship") == []


def test_only_the_customers_global_admin_approves(session: Session, world: World) -> None:
    rel = _create(session, world)
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rel.id)
    with pytest.raises(Forbidden):
        approve_admin_relationship(session, world.partner.admin, admin_relationship_id=rel.id)
    stranger = make_customer(session, world.other.admin)
    from partnerhub.auth.service import actor_for_user

    with pytest.raises(AdminRelationshipNotFound):
        approve_admin_relationship(session, actor_for_user(session, stranger.admin), admin_relationship_id=rel.id)


def test_the_customer_rejects_a_pending_request(session: Session, world: World) -> None:
    rel = _create(session, world)
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rel.id)
    reject_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id)
    assert rel.status == "terminated" and rel.ended_by == "customer"
    [rec] = records(session, "reject_granular_admin_relationship", rel.id)
    assert rec.new_value == {"status": "terminated", "endedBy": "customer"}


@pytest.mark.parametrize("side", ["partner", "customer"])
def test_either_side_terminates_and_the_reseller_relationship_stays(session: Session, world: World, side: str) -> None:
    gdap = active_gdap(
        session, world.partner.admin, world.customer_admin, customer_id=world.customer_id, roles=[USER_ADMINISTRATOR]
    )
    actor = world.partner.admin_agent if side == "partner" else world.customer_admin
    rel = terminate_admin_relationship(session, actor, admin_relationship_id=gdap.relationship.id)
    assert rel.status == "terminated" and rel.ended_by == side and rel.terminated_at is not None
    [rec] = records(session, "terminate_granular_admin_relationship", rel.id)
    assert rec.old_value == {"status": "active"}
    assert rec.new_value == {
        "status": "terminated",
        "statusHistory": ["terminationRequested", "terminated"],
        "endedBy": side,
    }
    assert (
        find_active_relationship(session, partner_id=world.partner.partner_id, customer_id=world.customer_id)
        is not None
    )
    get_customer(session, world.partner.admin, customer_id=world.customer_id)


def test_a_relationship_past_its_end_cannot_be_terminated_even_before_the_clock_writes_it(
    session: Session, world: World
) -> None:
    with frozen_at(T0) as clock:
        gdap = active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=world.customer_id,
            roles=[USER_ADMINISTRATOR],
            duration_days=10,
        )
        clock.move(timedelta(days=10))
        with pytest.raises(AdminRelationshipInvalidState):
            terminate_admin_relationship(session, world.partner.admin, admin_relationship_id=gdap.relationship.id)
    assert gdap.relationship.status == "active"  # the scheduled clock will write it as expired
    assert records(session, "terminate_granular_admin_relationship", gdap.relationship.id) == []


def test_lists_are_scoped_to_the_partner_and_to_the_customer_tenant(session: Session, world: World) -> None:
    mine = _create(session, world, "mine")
    second = make_customer(session, world.partner.admin)
    elsewhere = create_admin_relationship(
        session,
        world.partner.admin,
        customer_id=second.customer.id,
        display_name="elsewhere",
        role_ids=[DIRECTORY_READERS],
    )
    from partnerhub.invitations.service import accept_invitation, create_invitation

    inv = create_invitation(session, world.other.admin, base_url="http://x")
    accept_invitation(session, world.customer_admin, code=inv.code)
    theirs = create_admin_relationship(
        session, world.other.admin, customer_id=world.customer_id, display_name="theirs", role_ids=[DIRECTORY_READERS]
    )

    def ids(rows: list[AdminRelationship]) -> list[str]:
        return [r.id for r in rows]

    assert ids(list_admin_relationships(session, world.partner.admin)) == [mine.id, elsewhere.id]
    assert ids(list_admin_relationships(session, world.partner.admin, customer_id=second.customer.id)) == [elsewhere.id]
    assert ids(list_admin_relationships(session, world.customer_admin)) == [mine.id, theirs.id]
    assert ids(list_admin_relationships(session, world.partner.admin, status="active")) == []
    with pytest.raises(AdminRelationshipNotFound):
        get_admin_relationship(session, world.other.admin, admin_relationship_id=mine.id)
    with pytest.raises(AdminRelationshipNotFound):
        terminate_admin_relationship(session, world.other.admin, admin_relationship_id=mine.id)
    assert get_admin_relationship(session, world.customer_admin, admin_relationship_id=theirs.id) is theirs
    with pytest.raises(Forbidden):
        list_admin_relationships(session, world.partner.sales_agent)


def test_the_graph_shape(session: Session, world: World) -> None:
    gdap = active_gdap(
        session,
        world.partner.admin,
        world.customer_admin,
        customer_id=world.customer_id,
        roles=[USER_ADMINISTRATOR],
        auto_extend_days=180,
        duration_days=90,
    )
    d = admin_relationship_dict(gdap.relationship, customer_name="Fabrikam Srl", now=gdap.relationship.created_at)
    assert d["duration"] == "P90D" and d["autoExtendDuration"] == "P180D" and d["status"] == "active"
    assert d["customer"] == {"tenantId": world.customer_id, "displayName": "Fabrikam Srl"}
    assert d["accessDetails"] == {"unifiedRoles": [{"roleDefinitionId": USER_ADMINISTRATOR}]}
    assert d["@odata.etag"].startswith('W/"') and d["endDateTime"] == gdap.relationship.end_at
    assert {"createdDateTime", "lastModifiedDateTime", "activatedDateTime", "displayName", "id"} <= set(d)


def test_ending_the_reseller_relationship_ends_every_open_admin_relationship(session: Session, world: World) -> None:
    created = _create(session, world, "created")
    pending = _create(session, world, "pending")
    lock_for_approval(session, world.partner.admin, admin_relationship_id=pending.id)
    active = active_gdap(
        session, world.partner.admin, world.customer_admin, customer_id=world.customer_id, roles=[USER_ADMINISTRATOR]
    ).relationship
    rejected = _create(session, world, "rejected")
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rejected.id)
    reject_admin_relationship(session, world.customer_admin, admin_relationship_id=rejected.id)
    ended = end_admin_relationships_for(
        session,
        world.partner.admin,
        partner_id=world.partner.partner_id,
        customer_id=world.customer_id,
        now=datetime.now(UTC),
    )
    assert {r.id for r in ended} == {created.id, pending.id, active.id}
    assert {r.status for r in ended} == {"terminated"} and {r.ended_by for r in ended} == {"partner"}
    recs = records(session, "terminate_granular_admin_relationship")
    assert sorted(r.resource_id or "" for r in recs) == sorted(r.id for r in ended)
    assert {(r.old_value or {})["status"] for r in recs} == {"created", "approvalPending", "active"}
    assert rejected.ended_by == "customer"


def test_a_request_cannot_be_approved_once_the_reseller_relationship_is_gone(session: Session, world: World) -> None:
    rel = _create(session, world)
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rel.id)
    reseller = find_active_relationship(session, partner_id=world.partner.partner_id, customer_id=world.customer_id)
    assert reseller is not None
    reseller.remove(now=datetime.now(UTC), user_id=None)  # as if removed without ending GDAP
    session.flush()
    with pytest.raises(AdminRelationshipWithoutReseller):
        approve_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id)
    assert rel.status == "approvalPending"
    assert records(session, "approve_granular_admin_relationship") == []


def test_ending_admin_relationships_twice_ends_nothing_more(session: Session, world: World) -> None:
    _create(session, world)
    for expected in (1, 0):
        ended = end_admin_relationships_for(
            session,
            world.partner.admin,
            partner_id=world.partner.partner_id,
            customer_id=world.customer_id,
            now=datetime.now(UTC),
        )
        assert len(ended) == expected
    assert len(records(session, "terminate_granular_admin_relationship")) == 1


# --- the clock ----------------------------------------------------------------------------------------


def test_the_clock_expires_an_active_relationship_at_its_end(session: Session, world: World) -> None:
    with frozen_at(T0) as clock:
        rel = active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=world.customer_id,
            roles=[USER_ADMINISTRATOR],
            duration_days=10,
        ).relationship
        end = rel.end_at
        assert end == T0 + timedelta(days=10)
        before = clock.move(timedelta(days=10) - timedelta(seconds=1))
        assert apply_gdap_clock(session, now=before) == {"extended": 0, "expired": 0, "requestsExpired": 0}
        assert rel.status == "active"
        after = clock.move(timedelta(seconds=1))
        assert admin_relationship_dict(rel, customer_name="", now=after)["status"] == "expired"  # before the clock
        assert apply_gdap_clock(session, now=after) == {"extended": 0, "expired": 1, "requestsExpired": 0}
    assert rel.status == "expired" and rel.ended_by == "system" and rel.end_at == end
    [rec] = records(session, "expire_granular_admin_relationship", rel.id)
    assert rec.user_principal_name == "system" and rec.user_id is None
    assert rec.old_value is not None and rec.old_value["status"] == "active"
    assert rec.new_value is not None and rec.new_value["status"] == "expired"
    assert rec.partner_id == world.partner.partner_id and rec.customer_id == world.customer_id
    assert apply_gdap_clock(session, now=after + timedelta(days=1))["expired"] == 0  # idempotent


def test_the_clock_auto_extends_by_180_days_and_keeps_it_active(session: Session, world: World) -> None:
    with frozen_at(T0) as clock:
        rel = active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=world.customer_id,
            roles=[USER_ADMINISTRATOR],
            duration_days=30,
            auto_extend_days=180,
        ).relationship
        first_end = T0 + timedelta(days=30)
        now = clock.move(timedelta(days=30))
        assert admin_relationship_dict(rel, customer_name="", now=now)["status"] == "active"
        assert apply_gdap_clock(session, now=now) == {"extended": 1, "expired": 0, "requestsExpired": 0}
        assert rel.status == "active" and rel.end_at == first_end + timedelta(days=180)
        assert apply_gdap_clock(session, now=now) == {"extended": 0, "expired": 0, "requestsExpired": 0}
        now = clock.move(timedelta(days=180))
        assert apply_gdap_clock(session, now=now)["extended"] == 1
    assert rel.end_at == first_end + timedelta(days=360)
    recs = records(session, "auto_extend_granular_admin_relationship", rel.id)
    assert [(r.old_value or {})["endDateTime"] for r in recs] == [
        first_end.isoformat(),
        (first_end + timedelta(days=180)).isoformat(),
    ]
    assert [(r.new_value or {})["status"] for r in recs] == ["active", "active"]


def test_unapproved_requests_expire_90_days_after_creation(session: Session, world: World) -> None:
    with frozen_at(T0) as clock:
        created = _create(session, world, "created")
        pending = _create(session, world, "pending")
        clock.move(timedelta(days=80))
        lock_for_approval(session, world.partner.admin, admin_relationship_id=pending.id)
        young = _create(session, world, "young")
        almost = clock.move(timedelta(days=10) - timedelta(seconds=1))
        assert apply_gdap_clock(session, now=almost)["requestsExpired"] == 0
        now = clock.move(timedelta(seconds=1))
        assert apply_gdap_clock(session, now=now) == {"extended": 0, "expired": 0, "requestsExpired": 2}
        assert created.status == pending.status == "expired"
        assert young.status == "created"
        with pytest.raises(AdminRelationshipInvalidState):
            approve_admin_relationship(session, world.customer_admin, admin_relationship_id=pending.id)
    recs = records(session, "expire_granular_admin_relationship")
    assert {(r.old_value or {})["status"] for r in recs} == {"created", "approvalPending"}


# --- the clock on committed data: two runs at once, and the job ----------------------------------------


def _committed_gdaps(engine: Engine, *, count: int) -> tuple[list[str], list[str]]:
    """`count` auto-extending and `count` plain active relationships, all created at T0 for 10 days."""
    from partnerhub.auth.service import actor_for_user

    extending: list[str] = []
    plain: list[str] = []
    with frozen_at(T0), transaction(engine) as s:
        partner = make_partner(s)
        for _ in range(count):
            created = make_customer(s, partner.admin)
            admin = actor_for_user(s, created.admin)
            for auto, bucket in ((180, extending), (0, plain)):
                gdap = active_gdap(
                    s,
                    partner.admin,
                    admin,
                    customer_id=created.customer.id,
                    roles=[USER_ADMINISTRATOR],
                    duration_days=10,
                    auto_extend_days=auto,
                )
                bucket.append(gdap.relationship.id)
    return extending, plain


@pytest.mark.race
def test_two_clocks_at_once_extend_and_record_nothing_twice(fresh_engine: Engine) -> None:
    extending, plain = _committed_gdaps(fresh_engine, count=6)
    now = T0 + timedelta(days=11)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            with transaction(fresh_engine) as s:
                results.append(apply_gdap_clock(s, now=now))
        except BaseException as exc:  # reported below, so a failure in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and len(results) == 2
    assert sum(r["extended"] for r in results) == len(extending)
    assert sum(r["expired"] for r in results) == len(plain)
    with transaction(fresh_engine) as s:
        rels = {r.id: r for r in s.scalars(select(AdminRelationship))}
        assert {rels[i].end_at for i in extending} == {T0 + timedelta(days=190)}
        assert {rels[i].status for i in extending} == {"active"}
        assert {rels[i].status for i in plain} == {"expired"}
        extends = [
            r.resource_id or ""
            for r in s.scalars(
                select(ActivityRecord).where(ActivityRecord.operation_type == "auto_extend_granular_admin_relationship")
            )
        ]
        expiries = [
            r.resource_id or ""
            for r in s.scalars(
                select(ActivityRecord).where(ActivityRecord.operation_type == "expire_granular_admin_relationship")
            )
        ]
    assert sorted(extends) == sorted(extending) and sorted(expiries) == sorted(plain)


def test_the_gdap_clock_job_runs_the_clock_in_one_transaction(fresh_engine: Engine) -> None:
    from partnerhub.delegated_admin import jobs

    extending, plain = _committed_gdaps(fresh_engine, count=1)
    with frozen_at(T0 + timedelta(days=10)):
        with transaction(fresh_engine) as s:
            job = enqueue(s, Actor.system(), kind=jobs.GDAP_CLOCK, payload={})
        assert run_pending(fresh_engine, kinds=[jobs.GDAP_CLOCK]) == 1
    with transaction(fresh_engine) as s:
        done = s.get(Job, job.id)
        assert done is not None and done.status == "succeeded"
        assert done.result == {"extended": 1, "expired": 1, "requestsExpired": 0}
        assert s.get(AdminRelationship, plain[0]).status == "expired"  # type: ignore[union-attr]
        assert s.get(AdminRelationship, extending[0]).status == "active"  # type: ignore[union-attr]


# --- changing a relationship (Graph's PATCH) ---------------------------------------------------------------


def test_a_created_relationship_can_be_changed_with_an_activity_record(session: Session, world: World) -> None:
    from partnerhub.delegated_admin.gdap import update_admin_relationship

    admin = world.partner.admin
    rel = create_admin_relationship(
        session,
        admin,
        customer_id=world.customer_id,
        display_name="Draft",
        role_ids=["User Administrator"],
        duration_days=30,
    )
    version = rel.version
    update_admin_relationship(
        session,
        admin,
        admin_relationship_id=rel.id,
        display_name="Helpdesk",
        duration_days=90,
        role_ids=["Helpdesk Administrator"],
        auto_extend_days=180,
        version=version,
    )
    assert (rel.display_name, rel.duration_days, rel.auto_extend_days) == ("Helpdesk", 90, 180)
    assert rel.role_ids == [resolve_role("Helpdesk Administrator")] and rel.version == version + 1
    [rec] = records(session, "update_granular_admin_relationship", rel.id)
    assert rec.old_value is not None and rec.old_value["displayName"] == "Draft"
    assert rec.new_value is not None and rec.new_value["duration"] == "P90D"
    with pytest.raises(StaleEtag):
        update_admin_relationship(session, admin, admin_relationship_id=rel.id, duration_days=60, version=version)
    update_admin_relationship(session, admin, admin_relationship_id=rel.id, display_name="Helpdesk")  # no change
    assert len(records(session, "update_granular_admin_relationship", rel.id)) == 1


def test_changes_keep_the_rules_of_creation(session: Session, world: World) -> None:
    from partnerhub.delegated_admin.gdap import update_admin_relationship

    admin = world.partner.admin
    create_admin_relationship(
        session,
        admin,
        customer_id=world.customer_id,
        display_name="Taken",
        role_ids=["Global Reader"],
        duration_days=30,
    )
    rel = create_admin_relationship(
        session,
        admin,
        customer_id=world.customer_id,
        display_name="Mine",
        role_ids=["Global Reader"],
        duration_days=30,
        auto_extend_days=180,
    )
    with pytest.raises(AdminRelationshipNameTaken):
        update_admin_relationship(session, admin, admin_relationship_id=rel.id, display_name="taken")
    with pytest.raises(AutoExtendWithGlobalAdministrator):
        update_admin_relationship(session, admin, admin_relationship_id=rel.id, role_ids=["Global Administrator"])
    with pytest.raises(Forbidden):  # the customer approves or rejects; it does not change the partner's terms
        update_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id, duration_days=60)
    with pytest.raises(AdminRelationshipNotFound):  # another partner's relationship is not found
        update_admin_relationship(session, world.other.admin, admin_relationship_id=rel.id, duration_days=60)


def test_once_sent_only_auto_extend_changes_and_only_while_active(session: Session, world: World) -> None:
    from partnerhub.delegated_admin.gdap import update_admin_relationship

    admin = world.partner.admin
    rel = create_admin_relationship(
        session, admin, customer_id=world.customer_id, display_name="Ops", role_ids=["Global Reader"], duration_days=30
    )
    lock_for_approval(session, admin, admin_relationship_id=rel.id)
    with pytest.raises(AdminRelationshipInvalidState):
        update_admin_relationship(session, admin, admin_relationship_id=rel.id, auto_extend_days=180)
    approve_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id)
    with pytest.raises(AdminRelationshipInvalidState):
        update_admin_relationship(session, admin, admin_relationship_id=rel.id, duration_days=60)
    update_admin_relationship(session, admin, admin_relationship_id=rel.id, auto_extend_days=180)
    assert rel.auto_extend_days == 180 and rel.status == "active"

"""GDAP templates (issue 16 §2): saving one, requesting from it, the access assignments made on approval,
and renewing a relationship without Global Administrator."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from partnerhub.clock import frozen_at
from partnerhub.db import transaction
from partnerhub.delegated_admin.access import list_access_assignments
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.roles import (
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    HELPDESK_ADMINISTRATOR,
    USER_ADMINISTRATOR,
)
from partnerhub.delegated_admin.service import (
    approve_admin_relationship,
    create_security_group,
    reject_admin_relationship,
    terminate_admin_relationship,
)
from partnerhub.delegated_admin.templates import (
    TemplateAssignment,
    create_template,
    delete_template,
    get_template,
    list_templates,
    renew_relationship,
    request_from_template,
    update_template,
)
from partnerhub.errors import (
    AdminRelationshipDurationInvalid,
    AdminRelationshipNotRenewable,
    AdminRelationshipRenewalPending,
    AutoExtendWithGlobalAdministrator,
    CustomerNotFound,
    Forbidden,
    GdapTemplateAssignmentInvalid,
    GdapTemplateGroupRepeated,
    GdapTemplateNameInvalid,
    GdapTemplateNameTaken,
    GdapTemplateNotFound,
    SecurityGroupNotFound,
    StaleEtag,
)
from tests.conftest import World
from tests.delegated_admin.conftest import active_gdap, records
from tests.factories import make_customer, make_partner

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _standard(session: Session, world: World, name: str = "Standard MSP", **kw: object) -> str:
    """A template with two groups: helpdesk (Helpdesk Administrator) and admins (User Administrator and
    Global Reader); returns its id."""
    admin = world.partner.admin
    helpdesk = create_security_group(session, admin, display_name=f"{name} helpdesk")
    admins = create_security_group(session, admin, display_name=f"{name} admins")
    t = create_template(
        session,
        world.partner.admin_agent,
        name=name,
        role_ids=["Helpdesk Administrator", USER_ADMINISTRATOR, GLOBAL_READER],
        duration_days=365,
        auto_extend_days=180,
        assignments=[
            TemplateAssignment(helpdesk.display_name, [HELPDESK_ADMINISTRATOR]),
            TemplateAssignment(admins.id, ["user administrator", GLOBAL_READER]),
        ],
        **kw,
    )  # type: ignore[arg-type]
    return t.id


def test_a_template_is_saved_with_its_groups_and_recorded(session: Session, world: World) -> None:
    tid = _standard(session, world)
    t = get_template(session, world.partner.admin, template_id=" standard   MSP ")
    assert t.id == tid and t.name == "Standard MSP" and t.version == 1
    assert t.role_ids == [HELPDESK_ADMINISTRATOR, USER_ADMINISTRATOR, GLOBAL_READER]
    assert (t.duration_days, t.auto_extend_days) == (365, 180)
    assert [a["roleIds"] for a in t.assignments] == [[HELPDESK_ADMINISTRATOR], [USER_ADMINISTRATOR, GLOBAL_READER]]
    [rec] = records(session, "create_gdap_template", tid)
    assert rec.partner_id == world.partner.partner_id and rec.new_value["name"] == "Standard MSP"
    assert [x.name for x in list_templates(session, world.partner.admin)] == ["Standard MSP"]
    assert list_templates(session, world.other.admin) == []


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"name": " "}, GdapTemplateNameInvalid),
        ({"name": "x" * 101}, GdapTemplateNameInvalid),
        ({"duration_days": 731}, AdminRelationshipDurationInvalid),
        ({"role_ids": [GLOBAL_ADMINISTRATOR], "auto_extend_days": 180}, AutoExtendWithGlobalAdministrator),
        ({"assignments": [TemplateAssignment("Nobody", [USER_ADMINISTRATOR])]}, SecurityGroupNotFound),
        ({"assignments": [TemplateAssignment("Ops", [GLOBAL_READER])]}, GdapTemplateAssignmentInvalid),
        ({"assignments": [TemplateAssignment("Ops", [])]}, GdapTemplateAssignmentInvalid),
        (
            {
                "assignments": [
                    TemplateAssignment("Ops", [USER_ADMINISTRATOR]),
                    TemplateAssignment("ops", [USER_ADMINISTRATOR]),
                ]
            },
            GdapTemplateGroupRepeated,
        ),
    ],
)
def test_a_bad_template_is_refused_and_nothing_is_saved(
    session: Session, world: World, kw: dict[str, object], error: type[Exception]
) -> None:
    create_security_group(session, world.partner.admin, display_name="Ops")
    args: dict[str, object] = {"name": "Bad", "role_ids": [USER_ADMINISTRATOR], "duration_days": 30}
    with pytest.raises(error):
        create_template(session, world.partner.admin, **{**args, **kw})  # type: ignore[arg-type]
    assert list_templates(session, world.partner.admin) == []
    assert records(session, "create_gdap_template") == []


def test_names_are_unique_per_partner_and_only_gdap_managers_write(session: Session, world: World) -> None:
    _standard(session, world)
    with pytest.raises(GdapTemplateNameTaken):
        create_template(session, world.partner.admin, name="STANDARD msp", role_ids=[USER_ADMINISTRATOR])
    create_template(session, world.other.admin, name="Standard MSP", role_ids=[USER_ADMINISTRATOR])
    with pytest.raises(Forbidden):
        create_template(session, world.partner.sales_agent, name="Sales", role_ids=[USER_ADMINISTRATOR])
    with pytest.raises(GdapTemplateNotFound):
        get_template(session, world.other.admin_agent, template_id=list_templates(session, world.partner.admin)[0].id)


def test_an_update_checks_the_version_and_keeps_groups_within_the_roles(session: Session, world: World) -> None:
    tid = _standard(session, world)
    with pytest.raises(StaleEtag):
        update_template(session, world.partner.admin, template_id=tid, duration_days=30, version=7)
    with pytest.raises(GdapTemplateAssignmentInvalid):  # the admins group would keep Global Reader
        update_template(
            session, world.partner.admin, template_id=tid, role_ids=[USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR]
        )
    t = update_template(session, world.partner.admin, template_id=tid, name="Standard", duration_days=30, version=1)
    assert (t.name, t.duration_days, t.version) == ("Standard", 30, 2)
    [rec] = records(session, "update_gdap_template", tid)
    assert rec.old_value == {"duration": "P365D", "name": "Standard MSP"}
    assert update_template(session, world.partner.admin, template_id=tid, duration_days=30).version == 2
    delete_template(session, world.partner.admin, template_id=tid, version=2)
    assert records(session, "delete_gdap_template", tid)[0].old_value["name"] == "Standard"
    with pytest.raises(GdapTemplateNotFound):
        get_template(session, world.partner.admin, template_id=tid)


def test_a_request_from_a_template_waits_for_approval_then_gets_its_assignments(session: Session, world: World) -> None:
    tid = _standard(session, world)
    rel = request_from_template(session, world.partner.admin_agent, tid, world.customer_id)
    assert rel.status == "approvalPending" and rel.template_id == tid
    assert rel.display_name.startswith("Standard MSP ") and len(rel.display_name) <= 50
    assert (rel.duration_days, rel.auto_extend_days) == (365, 180)
    assert rel.role_ids == [HELPDESK_ADMINISTRATOR, USER_ADMINISTRATOR, GLOBAL_READER]
    assert list_access_assignments(session, world.partner.admin, admin_relationship_id=rel.id) == []

    approve_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id)
    views = list_access_assignments(session, world.partner.admin, admin_relationship_id=rel.id)
    assert {(v.group_name, tuple(v.assignment.role_ids)) for v in views} == {
        ("Standard MSP helpdesk", (HELPDESK_ADMINISTRATOR,)),
        ("Standard MSP admins", (USER_ADMINISTRATOR, GLOBAL_READER)),
    }
    made = records(session, "create_granular_admin_access_assignment")
    assert len(made) == 2 and {r.new_value["templateId"] for r in made} == {tid}
    assert {r.application_id for r in made} == {"gdap-template"}


def test_a_rejected_request_from_a_template_gets_no_assignments(session: Session, world: World) -> None:
    rel = request_from_template(session, world.partner.admin, _standard(session, world), world.customer_id)
    reject_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id)
    assert records(session, "create_granular_admin_access_assignment") == []


def test_a_request_from_a_template_follows_the_rules_of_a_request(session: Session, world: World) -> None:
    tid = _standard(session, world)
    other_customer = world.other  # a partner without a reseller relationship with the customer
    with pytest.raises(GdapTemplateNotFound):
        request_from_template(session, other_customer.admin, tid, world.customer_id)
    mine = create_template(session, other_customer.admin, name="Mine", role_ids=[USER_ADMINISTRATOR])
    with pytest.raises(CustomerNotFound):
        request_from_template(session, other_customer.admin, mine.id, world.customer_id)
    assert records(session, "create_granular_admin_relationship") == []


def test_renewal_drops_global_administrator_and_turns_auto_extend_on(session: Session, world: World) -> None:
    with frozen_at(T0):
        old = active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=world.customer_id,
            roles=[GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR],
            assigned=[GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR],
            duration_days=60,
        )
    with frozen_at(T0 + timedelta(days=45)):  # expiring: 15 days left, no auto-extend
        new = renew_relationship(session, world.partner.admin_agent, old.relationship.id)
        assert new.status == "approvalPending" and new.renewed_from_id == old.relationship.id
        assert new.role_ids == [USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR]
        assert (new.auto_extend_days, new.duration_days) == (180, 60)
        [rec] = records(session, "create_granular_admin_relationship", new.id)
        assert rec.new_value["renewedFrom"] == old.relationship.id
        with pytest.raises(AdminRelationshipRenewalPending):
            renew_relationship(session, world.partner.admin, old.relationship.id)
        approve_admin_relationship(session, world.customer_admin, admin_relationship_id=new.id)
        [view] = list_access_assignments(session, world.partner.admin, admin_relationship_id=new.id)
        assert view.group_name == old.group.display_name and view.assignment.role_ids == [USER_ADMINISTRATOR]
        with pytest.raises(AdminRelationshipRenewalPending):  # the renewal is active: nothing to renew twice
            renew_relationship(session, world.partner.admin, old.relationship.id)


def test_renewal_uses_the_template_and_refuses_what_is_not_active(session: Session, world: World) -> None:
    tid = _standard(session, world)
    rel = request_from_template(session, world.partner.admin, tid, world.customer_id)
    with pytest.raises(AdminRelationshipNotRenewable):
        renew_relationship(session, world.partner.admin, rel.id)
    approve_admin_relationship(session, world.customer_admin, admin_relationship_id=rel.id)
    update_template(session, world.partner.admin, template_id=tid, duration_days=90)
    renewal = renew_relationship(session, world.partner.admin, rel.id)
    assert renewal.template_id == tid and renewal.duration_days == 90 and len(renewal.planned_assignments or []) == 2
    reject_admin_relationship(session, world.customer_admin, admin_relationship_id=renewal.id)
    terminate_admin_relationship(session, world.partner.admin, admin_relationship_id=rel.id)
    with pytest.raises(AdminRelationshipNotRenewable):
        renew_relationship(session, world.partner.admin, rel.id)


# --- two renewals at once, on committed data --------------------------------------------------------------


@pytest.mark.race
def test_two_renewals_at_once_make_one(fresh_engine: Engine) -> None:
    from partnerhub.auth.service import actor_for_user

    with transaction(fresh_engine) as s:
        partner = make_partner(s)
        created = make_customer(s, partner.admin)
        old = active_gdap(
            s,
            partner.admin,
            actor_for_user(s, created.admin),
            customer_id=created.customer.id,
            roles=[USER_ADMINISTRATOR, GLOBAL_READER],
        ).relationship.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def renew() -> None:
        try:
            barrier.wait()
            with transaction(fresh_engine) as s:
                outcomes.append(renew_relationship(s, partner.admin, old).id)
        except AdminRelationshipRenewalPending:
            outcomes.append("refused")
        except BaseException as exc:  # reported below, so a failure in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=renew) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(outcomes)[-1] == "refused" and len(outcomes) == 2
    with transaction(fresh_engine) as s:
        renewals = s.scalars(select(AdminRelationship).where(AdminRelationship.renewed_from_id == old)).all()
        assert len(renewals) == 1 and renewals[0].status == "approvalPending"

"""Offboarding one customer: the preview tells everything, the execution is all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.service import actor_for_email
from partnerhub.customers.service import list_customers
from partnerhub.db import transaction
from partnerhub.errors import CustomerNotFound, Forbidden, OffboardingBlockedByReservations
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.offboard_customer import offboard_customer, preview_offboarding
from partnerhub.usecases.schemas import offboarding_preview_dict
from tests.activity import activity, operation_names
from tests.conftest import World
from tests.factories import AZURE_RESERVATION, M365_BASIC, M365_E3, TEAMS_PHONE_ADDON, buy, make_customer, make_partner


def _portfolio(session: Session, world: World) -> dict[str, Subscription]:
    admin = world.partner.admin
    e3 = buy(session, admin, world.customer_id, M365_E3, quantity=20)
    subs = {
        "e3": e3,
        "addon": buy(session, admin, world.customer_id, TEAMS_PHONE_ADDON, parent_id=e3.id),
        "basic": buy(session, admin, world.customer_id, M365_BASIC),
        "old": buy(session, admin, world.customer_id, M365_BASIC, friendly_name="old"),
    }
    update_subscription(
        session,
        admin,
        customer_id=world.customer_id,
        subscription_id=subs["old"].id,
        change=SubscriptionChange(status="suspended"),
    )
    return subs


def test_the_preview_lists_everything_that_will_change_and_changes_nothing(session: Session, world: World) -> None:
    subs = _portfolio(session, world)
    preview = offboarding_preview_dict(preview_offboarding(session, world.partner.admin, customer_id=world.customer_id))
    assert preview["canOffboard"] is True
    assert {s["subscriptionId"] for s in preview["subscriptionsToSuspend"]} == {
        subs["e3"].id,
        subs["addon"].id,
        subs["basic"].id,
    }
    assert preview["alreadyInactive"] == 1
    assert preview["endsDelegatedAdmin"] is True
    assert preview["relationshipToPartner"] == {"from": "reseller", "to": "none"}
    assert subs["e3"].status == "active"
    assert activity(session, operation="offboard_customer") == []


def test_offboarding_suspends_everything_and_removes_the_relationship(session: Session, world: World) -> None:
    subs = _portfolio(session, world)
    result = offboard_customer(session, world.partner.admin, customer_id=world.customer_id)
    assert set(result.suspended) == {subs["e3"].id, subs["addon"].id, subs["basic"].id}
    for s in subs.values():
        session.refresh(s)
        assert s.status == "suspended" and s.auto_renew_enabled is False
    rel = session.get(ResellerRelationship, result.relationship_id)
    assert rel is not None and rel.status == "removed" and rel.has_delegated_admin is False
    assert world.customer_id not in [r.customer.id for r in list_customers(session, world.partner.admin).items]
    ops = operation_names(session, customer_id=world.customer_id)
    assert ops.count("suspend_subscription") == 1 + 3  # "old" in the set-up; then e3, its add-on, basic
    assert ops.count("remove_partner_customer_relationship") == 1
    assert ops.count("offboard_customer") == 1


def test_active_reservations_block_offboarding_unless_cancelled(session: Session, world: World) -> None:
    subs = _portfolio(session, world)
    ri = buy(session, world.partner.admin, world.customer_id, AZURE_RESERVATION, quantity=1)
    preview = preview_offboarding(session, world.partner.admin, customer_id=world.customer_id)
    assert not preview.can_offboard and [s.id for s in preview.blocking] == [ri.id]
    with pytest.raises(OffboardingBlockedByReservations) as info:
        offboard_customer(session, world.partner.admin, customer_id=world.customer_id)
    assert info.value.data == [{"subscriptionId": ri.id, "offerName": ri.offer_name, "status": "active"}]
    assert subs["e3"].status == "active"  # refused before any change
    result = offboard_customer(session, world.partner.admin, customer_id=world.customer_id, cancel_reservations=True)
    assert result.cancelled == [ri.id] and ri.status == "deleted"


def test_only_a_remover_may_offboard_and_only_its_own_customers(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        offboard_customer(session, world.partner.sales_agent, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        offboard_customer(session, world.other.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        preview_offboarding(session, world.other.admin, customer_id=world.customer_id)


def test_a_failure_at_the_last_step_leaves_nothing_half_done(fresh_engine: Engine) -> None:
    with transaction(fresh_engine) as s:
        partner = make_partner(s)
        cid = make_customer(s, partner.admin).customer.id
        sub_ids = [buy(s, partner.admin, cid, M365_BASIC).id for _ in range(3)]
        email = partner.admin.email

    def fail_on_removal(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE RESELLER_RELATIONSHIPS"):
            raise OperationalError(statement, {}, Exception("the database went away"))

    event.listen(fresh_engine, "before_cursor_execute", fail_on_removal)
    try:
        with pytest.raises(OperationalError), transaction(fresh_engine) as s:
            offboard_customer(s, actor_for_email(s, email), customer_id=cid)
    finally:
        event.remove(fresh_engine, "before_cursor_execute", fail_on_removal)
    with transaction(fresh_engine) as s:
        assert {s.get(Subscription, i).status for i in sub_ids} == {"active"}  # type: ignore[union-attr]
        assert (
            s.scalars(select(ResellerRelationship.status).where(ResellerRelationship.customer_id == cid)).one()
            == "active"
        )
        assert (
            list(
                s.scalars(
                    select(ActivityRecord.operation_type).where(
                        ActivityRecord.customer_id == cid,
                        ActivityRecord.operation_type != "add_customer",
                        ActivityRecord.operation_type != "create_order",
                        ActivityRecord.operation_type != "update_user_password",
                    )
                )
            )
            == []
        )  # the setup's own records

"""No race breaks an invariant: orders, reactivation, GDAP approval and removal of the same customer (by the
partner, or ended by the customer) run concurrently, many times, on committed data (SQLite and PostgreSQL), and
afterwards no active subscription, no new order and no active GDAP relationship exists on a removed
relationship."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_email
from partnerhub.db import transaction
from partnerhub.delegated_admin.gdap import approve_admin_relationship, create_admin_relationship, lock_for_approval
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.errors import DomainError
from partnerhub.orders.models import Order
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.customer_ends_relationship import customer_ends_relationship
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.factories import M365_BASIC, buy, make_customer, make_partner

ITERATIONS = int(os.environ.get("PARTNERHUB_RACE_ITERATIONS", "30"))


def _run_concurrently(*calls: Callable[[], object]) -> list[str]:
    """Start every call at the same instant in its own thread; returns 'ok' or the error's class name."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = ["?"] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = type(exc).__name__

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.race
@pytest.mark.parametrize("remover", ["partner", "customer"])
def test_orders_reactivation_and_removal_never_leave_commerce_on_a_removed_relationship(
    fresh_engine: Engine, remover: str
) -> None:
    """The removal is the partner's (the seed) or the customer's ending of the relationship: both lock the
    relationship row before the check, as orders and reactivations do."""
    with transaction(fresh_engine) as s:
        partner = make_partner(s)
        admin_email, partner_id = partner.admin.email, partner.partner_id
    iterations = ITERATIONS if remover == "partner" else max(5, ITERATIONS // 3)
    tally: Counter[str] = Counter()
    for _ in range(iterations):
        with transaction(fresh_engine) as s:
            admin = actor_for_email(s, admin_email)
            created = make_customer(s, admin)
            customer_id, customer_email = created.customer.id, created.admin.email
            sub = buy(s, admin, customer_id, M365_BASIC, quantity=3)
            gdap = create_admin_relationship(
                s,
                admin,
                customer_id=customer_id,
                display_name=f"Ops {customer_id[:8]}",
                role_ids=["User Administrator"],
                duration_days=90,
            )
            lock_for_approval(s, admin, admin_relationship_id=gdap.id)
            gdap_id = gdap.id
            update_subscription(
                s, admin, customer_id=customer_id, subscription_id=sub.id, change=SubscriptionChange(status="suspended")
            )

        def in_tx(fn: Callable[[object, Actor], object], email: str = admin_email) -> Callable[[], object]:
            def call() -> object:
                with transaction(fresh_engine) as session:
                    return fn(session, actor_for_email(session, email))

            return call

        cid, sid = customer_id, sub.id
        order = in_tx(
            lambda s, a, cid=cid: create_order(  # type: ignore[misc]
                s, a, customer_id=cid, line_items=[LineItemInput(offer_id=M365_BASIC, quantity=1)]
            )
        )
        reactivate = in_tx(
            lambda s, a, cid=cid, sid=sid: update_subscription(  # type: ignore[misc]
                s, a, customer_id=cid, subscription_id=sid, change=SubscriptionChange(status="active")
            )
        )
        if remover == "partner":
            remove = in_tx(lambda s, a, cid=cid: remove_reseller_relationship(s, a, customer_id=cid))  # type: ignore[misc]
        else:
            remove = in_tx(
                lambda s, a: customer_ends_relationship(s, a, partner_id=partner_id),  # type: ignore[misc]
                email=customer_email,
            )
        approve = in_tx(
            lambda s, a, gid=gdap_id: approve_admin_relationship(  # type: ignore[misc]
                s, a, admin_relationship_id=gid
            ),
            email=customer_email,
        )
        outcomes = _run_concurrently(order, reactivate, remove, order, approve)
        tally.update(
            f"{name}:{o}"
            for name, o in zip(("order", "reactivate", "remove", "order2", "approve"), outcomes, strict=True)
        )

        with transaction(fresh_engine) as s:
            rels = list(s.scalars(select(ResellerRelationship).where(ResellerRelationship.customer_id == customer_id)))
            assert len(rels) == 1
            subs = list(s.scalars(select(Subscription).where(Subscription.customer_id == customer_id)))
            orders = s.scalar(select(func.count()).select_from(Order).where(Order.customer_id == customer_id))
            removals = s.scalar(
                select(func.count())
                .select_from(ActivityRecord)
                .where(
                    ActivityRecord.customer_id == customer_id,
                    ActivityRecord.operation_type == "remove_partner_customer_relationship",
                )
            )
            order_records = s.scalar(
                select(func.count())
                .select_from(ActivityRecord)
                .where(ActivityRecord.customer_id == customer_id, ActivityRecord.operation_type == "create_order")
            )
            gdap_status = s.get(AdminRelationship, gdap_id).status  # type: ignore[union-attr]
        removed = rels[0].status == "removed"
        assert (outcomes[2] == "ok") == removed
        assert removals == (1 if removed else 0)
        assert order_records == orders  # every order has its activity record, and no record lacks its order
        if removed:
            # The invariant: nothing active, and no order beyond the one placed before the race began.
            assert [s.status for s in subs if s.status in ("active", "pending")] == []
            assert orders == 1
            assert rels[0].has_delegated_admin is False
            assert gdap_status == "terminated"  # approved before the removal and ended by it, or never approved
            assert outcomes[0] != "ok" and outcomes[3] != "ok" and outcomes[1] != "ok"
        else:
            assert outcomes[2] == "RemoveBlockedByActiveSubscriptions"
            assert (gdap_status, outcomes[4]) == ("active", "ok")
    # The race is real only if both orders of events happened at least once.
    assert tally["remove:ok"] + tally["remove:RemoveBlockedByActiveSubscriptions"] == iterations
    print(f"\nrace outcomes ({remover} removes) over {iterations} iterations: {dict(sorted(tally.items()))}")

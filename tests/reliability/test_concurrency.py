"""The invariants of DOMAIN.md hold under clients racing from several processes on one customer, many times
over, on SQLite and PostgreSQL: each iteration builds its data in one transaction, releases four worker
processes at the same instant, then checks every invariant on that customer."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select

from partnerhub.auth.service import actor_for_email, actor_for_user, create_token
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.gdap import create_admin_relationship, lock_for_approval
from partnerhub.ids import new_id
from partnerhub.invitations.service import create_invitation
from partnerhub.orders.models import Order
from partnerhub.partnerships.service import accept_partnership, invite_reseller
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.factories import M365_BASIC, M365_E3, TEAMS_PHONE_ADDON, buy, make_customer, make_partner
from tests.reliability.conftest import CheckReport, scaled
from tests.reliability.invariants import all_violations
from tests.reliability.workers import RacePool, Task, shared_pool

ITERATIONS = scaled(10, 1000)


@pytest.fixture
def pool() -> RacePool:
    return shared_pool()


@dataclass
class Partners:
    url: str
    direct: str  # e-mail of each Global admin
    provider: str
    reseller: str
    reseller_helpdesk: str
    reseller_id: str
    reseller_mpn_id: str
    direct_token: str


def _partners(engine: Engine) -> Partners:
    with transaction(engine) as s:
        direct = make_partner(s)
        provider = make_partner(s, partner_type="indirect-provider")
        reseller = make_partner(s, partner_type="indirect-reseller")
        invited = invite_reseller(s, provider.admin, reseller_id=reseller.partner_id)
        accept_partnership(s, reseller.admin, partnership_id=invited.id)
        token = create_token(s, direct.admin).token
        return Partners(
            engine.url.render_as_string(hide_password=False),
            direct.admin.email,
            provider.admin.email,
            reseller.admin.email,
            reseller.helpdesk_agent.email,
            reseller.partner_id,
            reseller.mpn_id,
            token,
        )


def _race(
    engine: Engine,
    pool: RacePool,
    report: CheckReport,
    setup: Callable[[Partners], tuple[str, list[Task]]],
    check: Callable[[list[str]], list[str]] = lambda _outcomes: [],
) -> Counter[str]:
    """Run ITERATIONS races; after each, every invariant is checked on the raced customer (and `check` on
    the outcomes, if given)."""
    partners = _partners(engine)
    tally: Counter[str] = Counter()
    for _ in range(ITERATIONS):
        customer_id, tasks = setup(partners)
        outcomes = pool.race(tasks)
        report.requests += len(tasks)
        errors = [o for o in outcomes if o.startswith("ERROR") or o.startswith("5")]
        tally.update(f"{t.op}:{o.split(' ')[0]}" for t, o in zip(tasks, outcomes, strict=True))
        with read_session(engine) as s:
            violations = all_violations(s, customer_id) + [f"unexpected failure: {e}" for e in errors]
        violations += check(outcomes)
        report.invariant_checks += 6
        if violations:
            report.violations += len(violations)
            report.notes = f"first violation: {violations[0]}"
            pytest.fail(f"after outcomes {outcomes}: {violations}")
    report.notes = "outcomes: " + ", ".join(f"{k}={v}" for k, v in sorted(tally.items()))
    return tally


@pytest.mark.race
def test_orders_reactivation_privileges_and_removal_never_leave_commerce_on_a_removed_relationship(
    fresh_engine: Engine,
    pool: RacePool,
    reliability_report: CheckReport,
) -> None:
    def setup(p: Partners) -> tuple[str, list[Task]]:
        with transaction(fresh_engine) as s:
            admin = actor_for_email(s, p.direct)
            created = make_customer(s, admin)
            cid = created.customer.id
            sub = buy(s, admin, cid, M365_BASIC)
            update_subscription(
                s, admin, customer_id=cid, subscription_id=sub.id, change=SubscriptionChange(status="suspended")
            )
            gdap = create_admin_relationship(
                s,
                admin,
                customer_id=cid,
                display_name=f"Ops {new_id()[:8]}",
                role_ids=["User Administrator"],
                duration_days=90,
            )
            lock_for_approval(s, admin, admin_relationship_id=gdap.id)
        return cid, [
            Task(p.url, "order", {"email": p.direct, "customer_id": cid, "offer_id": M365_BASIC}),
            Task(
                p.url,
                "set_status",
                {"email": p.direct, "customer_id": cid, "subscription_id": sub.id, "status": "active"},
            ),
            Task(p.url, "remove", {"email": p.direct, "customer_id": cid}),
            Task(p.url, "approve_gdap", {"email": created.admin.email, "admin_relationship_id": gdap.id}),
        ]

    tally = _race(fresh_engine, pool, reliability_report, setup)
    assert tally["remove:ok"] + tally["remove:RemoveBlockedByActiveSubscriptions"] == ITERATIONS
    assert reliability_report.violations == 0


@pytest.mark.race
def test_an_addon_is_never_active_under_a_suspended_parent_whoever_races(
    fresh_engine: Engine,
    pool: RacePool,
    reliability_report: CheckReport,
) -> None:
    """The indirect provider orders and reactivates add-ons while its reseller of record suspends the parent."""

    def setup(p: Partners) -> tuple[str, list[Task]]:
        with transaction(fresh_engine) as s:
            provider = actor_for_email(s, p.provider)
            cid = make_customer_for(s, provider, p.reseller_id)
            parent = _buy(s, provider, cid, M365_E3, mpn=p.reseller_mpn_id)
            addon = _buy(s, provider, cid, TEAMS_PHONE_ADDON, parent_id=parent, mpn=p.reseller_mpn_id)
            update_subscription(
                s, provider, customer_id=cid, subscription_id=addon, change=SubscriptionChange(status="suspended")
            )
        reactivate = {"customer_id": cid, "subscription_id": addon, "status": "active"}
        return cid, [
            Task(
                p.url,
                "set_status",
                {"email": p.reseller_helpdesk, "customer_id": cid, "subscription_id": parent, "status": "suspended"},
            ),
            Task(
                p.url,
                "order",
                {
                    "email": p.provider,
                    "customer_id": cid,
                    "offer_id": TEAMS_PHONE_ADDON,
                    "parent_id": parent,
                    "reseller_mpn_id": p.reseller_mpn_id,
                },
            ),
            Task(p.url, "set_status", {"email": p.provider, **reactivate}),
            Task(p.url, "set_status", {"email": p.reseller, **reactivate}),
        ]

    _race(fresh_engine, pool, reliability_report, setup)
    assert reliability_report.violations == 0


def make_customer_for(session: object, provider: object, reseller_id: str) -> str:
    from partnerhub.customers.schemas import BillingProfileInput
    from partnerhub.customers.service import create_customer

    n = new_id()[:12]
    billing = BillingProfileInput(
        first_name="Anna",
        last_name="Rossi",
        email=f"b{n}@example.com",
        culture="en-US",
        language="en",
        address_line1="1 Main St",
        city="Seattle",
        postal_code="98101",
        country="US",
    )
    return create_customer(
        session,
        provider,
        company_name=f"Race {n}",
        domain=f"race{n}.example",  # type: ignore[arg-type]
        billing=billing,
        associated_partner_id=reseller_id,
    ).customer.id


def _buy(
    session: object,
    actor: object,
    customer_id: str,
    offer_id: str,
    *,
    parent_id: str | None = None,
    mpn: str | None = None,
) -> str:
    from partnerhub.orders.schemas import LineItemInput
    from partnerhub.orders.service import create_order

    line = LineItemInput(offer_id=offer_id, quantity=1, parent_subscription_id=parent_id, partner_id_on_record=mpn)
    actor = dataclasses.replace(actor, correlation_id=new_id())  # type: ignore[type-var]  # one request each
    return create_order(session, actor, customer_id=customer_id, line_items=[line])[2][0].id  # type: ignore[arg-type]


@pytest.mark.race
def test_accepting_invitations_removing_and_ordering_at_once_leave_at_most_one_active_relationship(
    fresh_engine: Engine,
    pool: RacePool,
    reliability_report: CheckReport,
) -> None:
    """Two invitations of the same partner accepted at once by the customer, while the partner removes and
    orders: one episode at a time, and orders only inside one."""

    def setup(p: Partners) -> tuple[str, list[Task]]:
        with transaction(fresh_engine) as s:
            admin = actor_for_email(s, p.direct)
            created = make_customer(s, admin)
            cid = created.customer.id
            remove_reseller_relationship(s, admin, customer_id=cid)
            codes = [create_invitation(s, admin, base_url="http://x", customer_id=cid).code for _ in "ab"]
            customer_admin = actor_for_user(s, created.admin).email
        return cid, [
            Task(p.url, "accept", {"email": customer_admin, "code": codes[0]}),
            Task(p.url, "accept", {"email": customer_admin, "code": codes[1]}),
            Task(p.url, "order", {"email": p.direct, "customer_id": cid, "offer_id": M365_BASIC}),
            Task(p.url, "remove", {"email": p.direct, "customer_id": cid}),
        ]

    tally = _race(fresh_engine, pool, reliability_report, setup)
    assert tally["accept:ok"] >= ITERATIONS  # every iteration re-established the relationship at least once
    assert reliability_report.violations == 0


@pytest.mark.race
def test_the_same_idempotent_order_sent_from_four_processes_is_placed_once(
    fresh_engine: Engine,
    pool: RacePool,
    reliability_report: CheckReport,
) -> None:
    """Four clients send the same POST .../orders with the same MS-RequestId at once: one order, and every
    client gets the same answer."""

    def setup(p: Partners) -> tuple[str, list[Task]]:
        with transaction(fresh_engine) as s:
            cid = make_customer(s, actor_for_email(s, p.direct)).customer.id
        request_id = new_id()
        call = {
            "method": "POST",
            "path": f"/v1/customers/{cid}/orders",
            "token": p.direct_token,
            "json": {"lineItems": [{"offerId": M365_BASIC, "quantity": 1}]},
            "headers": {"MS-RequestId": request_id, "MS-CorrelationId": request_id},
        }
        return cid, [Task(p.url, "http", call) for _ in range(4)]

    def same_answer(outcomes: list[str]) -> list[str]:
        return [] if len(set(outcomes)) == 1 else [f"one request, different answers: {outcomes}"]

    tally = _race(fresh_engine, pool, reliability_report, setup, same_answer)
    assert tally == Counter({"http:201": 4 * ITERATIONS}), tally
    with read_session(fresh_engine) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == ITERATIONS
    assert reliability_report.violations == 0

"""Property-based stateful tests of the service layer: random sequences of operations by random actors (partners
of every type and role, customer admins, a foreign partner), each in its own savepoint as a request would be;
domain errors are expected answers, anything else fails; every invariant is checked after every step."""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_user
from partnerhub.customers.schemas import BillingProfileInput
from partnerhub.customers.service import create_customer, get_customer
from partnerhub.db import transaction
from partnerhub.delegated_admin import gdap
from partnerhub.delegated_admin.dap import remove_delegated_admin
from partnerhub.errors import DomainError
from partnerhub.ids import new_id
from partnerhub.invitations.service import accept_invitation, create_invitation, decline_invitation, revoke_invitation
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.partnerships.service import accept_partnership, invite_reseller
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.support_contacts.service import set_support_contact
from partnerhub.tenants.models import Partner
from partnerhub.usecases.customer_ends_relationship import end_reseller_relationship
from partnerhub.usecases.offboard_customer import offboard_customer
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.factories import (
    AZURE_RESERVATION,
    M365_BASIC,
    M365_E3,
    TEAMS_PHONE_ADDON,
    PartnerWorld,
    buy,
    make_customer,
    make_partner,
)
from tests.reliability.conftest import FULL, CheckReport, scaled
from tests.reliability.invariants import all_violations

EXAMPLES = int(os.environ.get("PARTNERHUB_STATEFUL_EXAMPLES", scaled(25, 500)))
STEPS = int(os.environ.get("PARTNERHUB_STATEFUL_STEPS", scaled(30, 50)))
OFFERS = (M365_BASIC, M365_E3, TEAMS_PHONE_ADDON, AZURE_RESERVATION)
TALLY: Counter[str] = Counter()
ROLES = ("Global Administrator", "User Administrator", "Helpdesk Administrator", "Directory Readers")


@dataclasses.dataclass
class Cast:
    """The committed world every example starts from: who may act, and the partners' ids."""

    actors: list[Actor]
    mpn_ids: dict[str, str]  # partner id → MPN id
    reseller_id: str
    customers: list[str]
    subscriptions: list[tuple[str, str]]


def _cast(engine: Engine) -> Cast:
    with transaction(engine) as s:
        direct, foreign = make_partner(s), make_partner(s)
        provider = make_partner(s, partner_type="indirect-provider")
        reseller = make_partner(s, partner_type="indirect-reseller")
        invited = invite_reseller(s, provider.admin, reseller_id=reseller.partner_id)
        accept_partnership(s, reseller.admin, partnership_id=invited.id)
        worlds: list[PartnerWorld] = [direct, provider, reseller, foreign]
        actors = [a for w in worlds for a in (w.admin, w.admin_agent, w.sales_agent, w.helpdesk_agent)]
        subscriptions: list[tuple[str, str]] = []
        for seller, reseller_mpn in ((direct, None), (provider, reseller.mpn_id), (foreign, None)):
            created = make_customer(s, seller.admin)
            if reseller_mpn:
                created = create_customer(
                    s,
                    seller.admin,
                    company_name=f"Cliente {new_id()[:8]}",
                    domain=f"c{new_id()[:8]}.example",
                    billing=_billing(),
                    associated_partner_id=reseller.partner_id,
                )
            parent = buy(s, _request(seller.admin), created.customer.id, M365_E3)
            addon = buy(s, _request(seller.admin), created.customer.id, TEAMS_PHONE_ADDON, parent_id=parent.id)
            subscriptions += [(created.customer.id, parent.id), (created.customer.id, addon.id)]
            actors.append(actor_for_user(s, created.admin))
        partners = {w.partner_id: s.get(Partner, w.partner_id) for w in worlds}
        return Cast(
            actors,
            {pid: p.mpn_id for pid, p in partners.items() if p},
            reseller.partner_id,
            sorted({c for c, _s in subscriptions}),
            subscriptions,
        )


def _request(actor: Actor) -> Actor:
    """The actor in a request of its own (a correlation id of its own)."""
    return dataclasses.replace(actor, correlation_id=new_id())


def _billing() -> BillingProfileInput:
    return BillingProfileInput(
        first_name="Anna",
        last_name="Rossi",
        email=f"b{new_id()[:8]}@example.com",
        culture="it-IT",
        language="it",
        address_line1="Via Roma 1",
        city="Milano",
        postal_code="20100",
        country="IT",
    )


def related_partners(session: Session, customer_id: str) -> set[str | None]:
    return set(
        session.scalars(
            select(ResellerRelationship.partner_id).where(
                ResellerRelationship.customer_id == customer_id, ResellerRelationship.status == "active"
            )
        )
    )


class ServiceLayer(RuleBasedStateMachine):
    """One example: a rolled-back transaction over the committed cast; each step in a savepoint."""

    engine: Engine
    cast: Cast
    report: CheckReport

    def __init__(self) -> None:
        super().__init__()
        self.connection = self.engine.connect()
        self.outer = self.connection.begin()
        self.session = Session(bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        self.actors: list[Actor] = list(self.cast.actors)
        self.customers: list[str] = list(self.cast.customers)
        self.subscriptions: list[tuple[str, str]] = list(self.cast.subscriptions)  # (customer id, subscription id)
        self.codes: list[str] = []
        self.invitations: list[str] = []
        self.gdaps: list[tuple[str, str]] = []  # (customer id, admin relationship id)

    def teardown(self) -> None:
        self.session.close()
        self.outer.rollback()
        self.connection.close()

    def _step(self, actor: Actor, call: Callable[[Session, Actor], Any]) -> Any:
        """Run one operation as one request would: its own correlation id, all or nothing."""
        actor = _request(actor)
        self.report.requests += 1
        try:
            with self.session.begin_nested():
                result = call(self.session, actor)
        except DomainError as exc:
            TALLY["refused"] += 1
            TALLY[type(exc).__name__] += 1
            return None
        TALLY["applied"] += 1
        return result

    def _draw(self, data: st.DataObject, items: list[Any]) -> Any:
        return data.draw(st.sampled_from(items))

    def _actor(self, data: st.DataObject, customer_id: str | None = None) -> Actor:
        """Anyone, a quarter of the time; else someone of a tenant involved (the customer, or a partner related
        to it), so that sequences go deep instead of stopping at the first refusal."""
        insiders = {customer_id} | related_partners(self.session, customer_id) if customer_id else set()
        candidates = [a for a in self.actors if a.tenant_id in insiders or (not insiders and a.is_partner_user)]
        anyone = data.draw(st.integers(0, 3)) == 0
        return self._draw(data, candidates if candidates and not anyone else self.actors)

    @rule(data=st.data(), for_reseller=st.booleans(), dap=st.booleans())
    def create_customer(self, data: st.DataObject, for_reseller: bool, dap: bool) -> None:
        n, billing = new_id()[:10], _billing()
        created = self._step(
            self._draw(data, self.actors),
            lambda s, a: create_customer(
                s,
                a,
                company_name=f"Cliente {n}",
                domain=f"c{n}.example",
                billing=billing,
                allow_delegated_access=dap,
                associated_partner_id=self.cast.reseller_id if for_reseller else None,
            ),
        )
        if created is not None:
            self.customers.append(created.customer.id)
            self.actors.append(actor_for_user(self.session, created.admin))

    @rule(data=st.data(), offer=st.sampled_from(OFFERS), quantity=st.integers(0, 30), on_record=st.booleans())
    def order(self, data: st.DataObject, offer: str, quantity: int, on_record: bool) -> None:
        cid = self._draw(data, self.customers)
        parent = self._draw(data, [None, *[sid for c, sid in self.subscriptions if c == cid]])
        line = LineItemInput(
            offer_id=offer,
            quantity=quantity,
            parent_subscription_id=parent,
            partner_id_on_record=self.cast.mpn_ids[self.cast.reseller_id] if on_record else None,
        )
        placed = self._step(self._actor(data, cid), lambda s, a: create_order(s, a, customer_id=cid, line_items=[line]))
        if placed is not None:
            self.subscriptions += [(cid, sub.id) for sub in placed[2]]

    @rule(
        data=st.data(),
        status=st.sampled_from(["active", "suspended", "deleted"]),
        quantity=st.none() | st.integers(0, 30),
    )
    def update_subscription(self, data: st.DataObject, status: str, quantity: int | None) -> None:
        cid, sid = self._draw(data, self.subscriptions)
        change = SubscriptionChange(status=None if quantity is not None else status, quantity=quantity)
        self._step(
            self._actor(data, cid),
            lambda s, a: update_subscription(s, a, customer_id=cid, subscription_id=sid, change=change),
        )

    @rule(data=st.data(), offboard=st.booleans(), cancel_reservations=st.booleans(), by_customer=st.booleans())
    def remove_relationship(
        self, data: st.DataObject, offboard: bool, cancel_reservations: bool, by_customer: bool
    ) -> None:
        cid = self._draw(data, self.customers)
        if by_customer:  # the customer's Global admin (or anyone) ends one partner's relationship (issue 15 §2)
            partner_id = self._draw(
                data, [*sorted(p for p in related_partners(self.session, cid) if p), self.cast.reseller_id]
            )
            self._step(
                self._actor(data, cid),
                lambda s, a: end_reseller_relationship(s, a, customer_id=cid, partner_id=partner_id),
            )
        elif offboard:
            self._step(
                self._actor(data, cid),
                lambda s, a: offboard_customer(s, a, customer_id=cid, cancel_reservations=cancel_reservations),
            )
        else:
            self._step(self._actor(data, cid), lambda s, a: remove_reseller_relationship(s, a, customer_id=cid))

    @rule(data=st.data(), dap=st.booleans(), addressed=st.booleans(), for_reseller=st.booleans())
    def invite(self, data: st.DataObject, dap: bool, addressed: bool, for_reseller: bool) -> None:
        cid = self._draw(data, self.customers) if addressed and self.customers else None
        created = self._step(
            self._actor(data, cid),
            lambda s, a: create_invitation(
                s,
                a,
                base_url="http://x",
                customer_id=cid,
                include_delegated_admin=dap,
                indirect_reseller_id=self.cast.reseller_id if for_reseller else None,
            ),
        )
        if created is not None:
            self.codes.append(created.code)
            self.invitations.append(created.request.id)

    @precondition(lambda self: self.codes)
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        code = self._draw(data, self.codes)
        admins = [a for a in self.actors if a.is_customer_user]
        actor = self._draw(data, admins if data.draw(st.booleans()) else self.actors)
        self._step(actor, lambda s, a: accept_invitation(s, a, code=code))

    @precondition(lambda self: self.codes)
    @rule(data=st.data(), by_id=st.booleans())
    def decline(self, data: st.DataObject, by_id: bool) -> None:
        index = data.draw(st.integers(0, len(self.codes) - 1))
        code = self.invitations[index] if by_id else self.codes[index]
        admins = [a for a in self.actors if a.is_customer_user]
        actor = self._draw(data, admins if data.draw(st.booleans()) else self.actors)
        self._step(actor, lambda s, a: decline_invitation(s, a, code=code))

    @precondition(lambda self: self.invitations)
    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        iid = self._draw(data, self.invitations)
        self._step(self._draw(data, self.actors), lambda s, a: revoke_invitation(s, a, invitation_id=iid))

    @rule(
        data=st.data(),
        roles=st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True),
        days=st.sampled_from([1, 90, 730, 731]),
        extend=st.sampled_from([0, 180]),
    )
    def gdap_create(self, data: st.DataObject, roles: list[str], days: int, extend: int) -> None:
        cid = self._draw(data, self.customers)
        rel = self._step(
            self._actor(data, cid),
            lambda s, a: gdap.create_admin_relationship(
                s,
                a,
                customer_id=cid,
                display_name=f"Ops {new_id()[:8]}",
                role_ids=roles,
                duration_days=days,
                auto_extend_days=extend,
            ),
        )
        if rel is not None:
            self.gdaps.append((cid, rel.id))

    @precondition(lambda self: self.gdaps)
    @rule(data=st.data(), action=st.sampled_from(["lock", "approve", "reject", "terminate"]))
    def gdap_transition(self, data: st.DataObject, action: str) -> None:
        cid, gid = self._draw(data, self.gdaps)
        operation = {
            "lock": gdap.lock_for_approval,
            "approve": gdap.approve_admin_relationship,
            "reject": gdap.reject_admin_relationship,
            "terminate": gdap.terminate_admin_relationship,
        }[action]
        self._step(self._actor(data, cid), lambda s, a: operation(s, a, admin_relationship_id=gid))

    @rule(data=st.data())
    def remove_dap(self, data: st.DataObject) -> None:
        cid = self._draw(data, self.customers)
        partner_id = self._draw(data, sorted(self.cast.mpn_ids))
        self._step(
            self._actor(data, cid),
            lambda s, a: remove_delegated_admin(
                s, a, customer_id=cid, partner_id=partner_id if a.is_customer_user else None
            ),
        )

    @rule(data=st.data())
    def support_contact(self, data: st.DataObject) -> None:
        cid, sid = self._draw(data, self.subscriptions)
        mpn = self._draw(data, sorted(self.cast.mpn_ids.values()))
        self._step(
            self._actor(data, cid),
            lambda s, a: set_support_contact(s, a, customer_id=cid, subscription_id=sid, support_mpn_id=mpn),
        )

    @rule(data=st.data())
    def read_customer(self, data: st.DataObject) -> None:
        cid = self._draw(data, self.customers)
        self._step(self._draw(data, self.actors), lambda s, a: get_customer(s, a, customer_id=cid))

    @invariant()
    def nothing_is_broken(self) -> None:
        """Every DOMAIN.md invariant, the activity log and tenant isolation, over the whole database."""
        violations = all_violations(self.session, isolation=True)
        self.report.invariant_checks += 6
        self.report.violations += len(violations)
        assert violations == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_random_operations_by_random_actors_never_break_an_invariant(
    fresh_engine: Engine,
    reliability_report: CheckReport,
) -> None:
    machine = type(
        "Machine", (ServiceLayer,), {"engine": fresh_engine, "cast": _cast(fresh_engine), "report": reliability_report}
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=not FULL,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    reliability_report.notes = (
        f"{EXAMPLES} examples x up to {STEPS} steps: {TALLY['applied']} operations applied, "
        f"{TALLY['refused']} refused with a domain error"
    )
    assert reliability_report.violations == 0

"""Scoped reads of subscriptions: "a partner's subscriptions" are those it transacts or holds as reseller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from partnerhub.audit.operator_reads import record_operator_read_of_customer
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.customers.models import Customer
from partnerhub.customers.queries import partners_of_customer_unscoped
from partnerhub.errors import CustomerNotFound, InvalidInput, SubscriptionNotFound
from partnerhub.ids import normalize_id
from partnerhub.relationships.queries import require_active_relationship
from partnerhub.subscriptions.models import BLOCKING_STATUSES, Subscription
from partnerhub.tenants.models import Tenant


def belongs_to_partner(partner_id: Any) -> Any:
    return or_(Subscription.partner_id == partner_id, Subscription.reseller_partner_id == partner_id)


class SubscriptionFields(Protocol):
    """A subscription as read for display: the ORM entity, or the row of its columns a listing reads."""

    @property
    def id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def partner_id(self) -> str: ...
    @property
    def reseller_partner_id(self) -> str | None: ...
    @property
    def order_id(self) -> str: ...
    @property
    def offer_id(self) -> str: ...
    @property
    def offer_name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def friendly_name(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_type(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def auto_renew_enabled(self) -> bool: ...
    @property
    def billing_cycle(self) -> str: ...
    @property
    def term_duration(self) -> str: ...
    @property
    def parent_subscription_id(self) -> str | None: ...
    @property
    def suspension_reasons(self) -> list[str]: ...
    @property
    def suspensions(self) -> list[dict[str, Any]]: ...
    @property
    def support_contact_id(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def commitment_end_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class SubscriptionPage:
    items: list[SubscriptionFields]
    next_cursor: str | None


def select_partner_subscriptions(
    session: Session,
    *,
    partner_id: str | None,
    customer_id: str,
    size: int = 100,
    after: str | None = None,
    status: str | None = None,
) -> SubscriptionPage:
    """A keyset page (by id) of a customer's subscriptions; `partner_id=None` means all partners'."""
    if not 1 <= size <= 500:
        raise InvalidInput(detail="size must be between 1 and 500")
    # columns, not entities: a listing's rows only become JSON, a page or a table
    stmt = select(*Subscription.__table__.c).where(Subscription.customer_id == customer_id)
    if partner_id is not None:
        stmt = stmt.where(belongs_to_partner(partner_id))
    if status:
        stmt = stmt.where(Subscription.status == status)
    if after:
        stmt = stmt.where(Subscription.id > after)
    rows: list[SubscriptionFields] = list(session.execute(stmt.order_by(Subscription.id).limit(size + 1)))
    nxt = None
    if len(rows) > size:
        rows = rows[:size]
        nxt = rows[-1].id
    return SubscriptionPage(rows, nxt)


def blocking_subscriptions(session: Session, *, partner_id: str, customer_id: str) -> list[Subscription]:
    """The partner's active or pending subscriptions of the customer: they block removing the relationship."""
    stmt = (
        select(Subscription)
        .where(
            Subscription.customer_id == customer_id,
            belongs_to_partner(partner_id),
            Subscription.status.in_([s.value for s in BLOCKING_STATUSES]),
        )
        .order_by(Subscription.created_at, Subscription.id)
    )
    return list(session.scalars(stmt))


_ADDONS = (
    select(Subscription).where(Subscription.parent_subscription_id == bindparam("parent_id")).order_by(Subscription.id)
)
_ADDONS_LOCKED = _ADDONS.with_for_update()


def addons_of_unscoped(session: Session, parent_id: str, *, lock: bool = False) -> list[Subscription]:
    return list(session.scalars(_ADDONS_LOCKED if lock else _ADDONS, {"parent_id": parent_id}))


_SUBSCRIPTION = select(Subscription).where(
    Subscription.id == bindparam("subscription_id"), Subscription.customer_id == bindparam("customer_id")
)
_PARTNER_SUBSCRIPTION = _SUBSCRIPTION.where(belongs_to_partner(bindparam("partner_id")))
# a locked row is read as it is now, even if this session read it before the lock
_LOCKED = {
    stmt: stmt.with_for_update().execution_options(populate_existing=True)
    for stmt in (_SUBSCRIPTION, _PARTNER_SUBSCRIPTION)
}


def subscription_scope(session: Session, actor: Actor, customer_id: str, *, lock: bool = False) -> str | None:
    """The partner whose subscriptions the actor sees (None: every partner's, for the customer itself or
    the operator). A partner needs an active relationship; `lock` holds it until commit."""
    customer_id = normalize_id(customer_id)
    if actor.is_partner_user:
        partner_id = actor.require_partner("subscriptions", *Role)
        require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=lock)
        return partner_id
    if actor.is_operator or actor.tenant_id == customer_id:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise CustomerNotFound(id=customer_id)
        if actor.is_operator and not lock:  # a read (a change records itself)
            partners = [pid for pid, _name in partners_of_customer_unscoped(session, customer_id=customer.id)]
            record_operator_read_of_customer(
                session,
                actor,
                customer_id=customer.id,
                partner_ids=partners,
                customer_name=customer.company_name,
                what="subscriptions",
            )
        return None
    raise CustomerNotFound(id=customer_id)


def load_subscription(
    session: Session, partner_id: str | None, customer_id: str, subscription_id: str, *, lock: bool = False
) -> Subscription:
    stmt = _SUBSCRIPTION if partner_id is None else _PARTNER_SUBSCRIPTION
    params = {"subscription_id": subscription_id, "customer_id": customer_id, "partner_id": partner_id}
    if partner_id is None:
        del params["partner_id"]
    sub = session.scalars(_LOCKED[stmt] if lock else stmt, params).first()
    if sub is None:
        raise SubscriptionNotFound(id=subscription_id)
    return sub


def get_subscription(session: Session, actor: Actor, *, customer_id: str, subscription_id: str) -> Subscription:
    """One subscription the actor may see (its partner's, or any of its own tenant's for a customer user)."""
    customer_id = normalize_id(customer_id)
    partner_id = subscription_scope(session, actor, customer_id)
    return load_subscription(session, partner_id, customer_id, normalize_id(subscription_id))


def partner_names_unscoped(session: Session, partner_ids: set[str]) -> dict[str, str]:
    """The display names of partners (public to each other), in one query: those behind a visible
    subscription's suspension reasons."""
    if not partner_ids:
        return {}
    rows = session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(sorted(partner_ids))))
    return {str(pid): str(name) for pid, name in rows}

"""Scoped reads of subscriptions: "a partner's subscriptions" are those it transacts or holds as reseller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from partnerhub.errors import InvalidInput
from partnerhub.subscriptions.models import BLOCKING_STATUSES, Subscription


def belongs_to_partner(partner_id: str) -> Any:
    return or_(Subscription.partner_id == partner_id, Subscription.reseller_partner_id == partner_id)


@dataclass(frozen=True)
class SubscriptionPage:
    items: list[Subscription]
    next_cursor: str | None


def select_partner_subscriptions(
    session: Session, *, partner_id: str | None, customer_id: str, size: int = 100, after: str | None = None,
    status: str | None = None,
) -> SubscriptionPage:
    """A keyset page (by id) of a customer's subscriptions; `partner_id=None` means all partners'."""
    if not 1 <= size <= 500:
        raise InvalidInput(detail="size must be between 1 and 500")
    stmt = select(Subscription).where(Subscription.customer_id == customer_id)
    if partner_id is not None:
        stmt = stmt.where(belongs_to_partner(partner_id))
    if status:
        stmt = stmt.where(Subscription.status == status)
    if after:
        stmt = stmt.where(Subscription.id > after)
    rows = list(session.scalars(stmt.order_by(Subscription.id).limit(size + 1)))
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


def addons_of(session: Session, parent_id: str, *, lock: bool = False) -> list[Subscription]:
    stmt = select(Subscription).where(Subscription.parent_subscription_id == parent_id).order_by(Subscription.id)
    if lock:
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))
